"""The notification settings form: the @handle, immediate e-mails, the digest and quiet hours."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from advocacy.discussions.models import (
    HANDLE_MAX,
)


class PreferencesForm(FlaskForm):
    handle = StringField(
        "Your @handle",
        validators=[DataRequired(), Length(max=HANDLE_MAX)],
        description="Colleagues mention you with @ and this handle.",
    )
    email_mention = BooleanField("E-mail me when someone mentions me")
    email_reply = BooleanField("E-mail me about replies to my threads")
    email_assignment = BooleanField("E-mail me when a question is assigned to me")
    email_announcement = BooleanField("E-mail me announcements")
    digest = SelectField(
        "Digest e-mail",
        choices=[
            SelectChoice("daily", "Daily"),
            SelectChoice("weekly", "Weekly"),
            SelectChoice("off", "Off"),
        ],
        default="daily",
    )
    digest_hour = IntegerField(
        "Send it at (hour, your time)",
        validators=[NumberRange(min=0, max=23)],
        default=8,
        description="0 to 23, your time. Skipped when you were here since the last one.",
    )
    digest_weekday = SelectField(
        "Weekly digests on",
        coerce=int,
        choices=[
            SelectChoice(number, name)
            for number, name in enumerate(
                ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
            )
        ],
        default=0,
    )
    quiet_start = TimeField("Quiet hours start", validators=[Optional()])
    quiet_end = TimeField(
        "Quiet hours end",
        validators=[Optional()],
        description="No e-mail is sent between these times; it waits until they end.",
    )
