"""Reach forms: the date range of a reach page, declared followers, earned-media values."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from advocacy.feeds.models import NETWORK_LABELS
from advocacy.leaderboard.reach.audience import FOLLOWERS_MAX, NETWORKS_WITH_FOLLOWERS


class RangeForm(FlaskForm):
    """`from` and `to` in the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])


def followers_form(counts: dict[str, int], formdata=None) -> FlaskForm:
    """A form with one follower-count field per network."""

    class FollowersForm(FlaskForm):
        pass

    for network in NETWORKS_WITH_FOLLOWERS:
        setattr(
            FollowersForm,
            network,
            IntegerField(
                f"Followers on {NETWORK_LABELS[network]}",
                validators=[Optional(), NumberRange(0, FOLLOWERS_MAX)],
            ),
        )
    form = FollowersForm(formdata=formdata, data=counts)
    return form


class ReachValuesForm(FlaskForm):
    click_value = DecimalField(
        "Value of one human click",
        places=2,
        validators=[InputRequired(), NumberRange(0, 1_000_000)],
        description="What a visit would cost as paid media (e.g. your cost per click).",
    )
    conversion_value = DecimalField(
        "Value of one conversion",
        places=2,
        validators=[InputRequired(), NumberRange(0, 1_000_000)],
    )
    currency = StringField("Currency", validators=[InputRequired(), Length(3, 3)])


def range_of(args) -> tuple[RangeForm, object, object]:
    """The range form read from the query string, and its dates (None, None when invalid: the
    page then shows the default range and the form's errors)."""
    form = RangeForm(args)
    if form.validate():
        return form, form.start.data, form.end.data
    return form, None, None
