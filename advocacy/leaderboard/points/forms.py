"""Forms of the points admin page and the leaderboard's privacy choice."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from advocacy.leaderboard.points.models import REASON_MAX, Visibility

WHOLE = "Give a whole number."


class RulesForm(FlaskForm):
    share_intent = IntegerField("Share", validators=[InputRequired(WHOLE)])
    verified_share = IntegerField(
        "Share verified by its first click", validators=[InputRequired(WHOLE)]
    )
    human_click = IntegerField("Human click on a tracked link", validators=[InputRequired(WHOLE)])
    conversion = IntegerField(
        "Conversion (signup, lead, application…)", validators=[InputRequired(WHOLE)]
    )
    hire = IntegerField(
        "Hire of a candidate the employee referred",
        validators=[Optional()],
        description="Empty keeps the value in force.",
    )
    daily_cap = IntegerField(
        "Daily cap per employee",
        validators=[InputRequired(WHOLE)],
        description="Automatic points one employee can earn per day (corrections not included).",
    )


class AdjustmentForm(FlaskForm):
    email = StringField("Employee's e-mail", validators=[DataRequired("Say whose points.")])
    points = IntegerField(
        "Points",
        validators=[InputRequired(WHOLE)],
        description="Negative to take points away.",
    )
    reason = TextAreaField("Reason", validators=[DataRequired("Say why."), Length(max=REASON_MAX)])
    day = DateField(
        "Day", validators=[Optional()], description="The day it counts for; today if empty."
    )


class OrganisationPrivacyForm(FlaskForm):
    pseudonymous_by_default = BooleanField(
        "Everyone is anonymous on leaderboards unless they choose to show their name"
    )


VISIBILITY_CHOICES = [
    SelectChoice(Visibility.DEFAULT.value, "As the organisation decides"),
    SelectChoice(Visibility.SHOWN.value, "Show my name"),
    SelectChoice(Visibility.HIDDEN.value, "Hide me (others see “an anonymous colleague”)"),
]


class VisibilityForm(FlaskForm):
    visibility = RadioField("On leaderboards", choices=VISIBILITY_CHOICES)
