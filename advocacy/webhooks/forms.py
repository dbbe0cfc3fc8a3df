"""Admin input for webhook subscriptions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from advocacy.discussions import spaces
from advocacy.webhooks.events import EVENT_TYPES
from advocacy.webhooks.models import URL_MAX
from advocacy.webhooks.subscriptions import NAME_MAX

KIND_CHOICES = [
    SelectChoice("webhook", "Webhook (signed JSON events)"),
    SelectChoice("slack", "Slack incoming webhook (posts new content)"),
    SelectChoice("teams", "Microsoft Teams incoming webhook or Workflow (posts new content)"),
]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SubscriptionForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=NAME_MAX)])
    kind = SelectField("Kind", choices=KIND_CHOICES, default="webhook")
    url = StringField(
        "URL",
        validators=[DataRequired(), Length(max=URL_MAX)],
        description="http:// or https://, internal hosts allowed; redirects are not followed.",
    )
    events = CheckboxesField(
        "Events",
        choices=[
            SelectChoice(name, f"{name} — {meaning}") for name, meaning in EVENT_TYPES.items()
        ],
        description="Chat targets always get newly published content, whatever is ticked.",
    )
    space_ids = CheckboxesField(
        "Private and secret spaces",
        coerce=int,
        choices=[],
        description="Nothing said in a private or secret space leaves through a subscription "
        "unless its space is ticked here (new threads: thread.created).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.space_ids.choices = [
            SelectChoice(space.id, f"{space.name} ({space.visibility})")
            for space in spaces.restricted_spaces()
        ]
