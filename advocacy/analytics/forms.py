"""Input for the supply settings (the ROI calculator reads its query string itself)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField
from wtforms.validators import InputRequired, NumberRange


class SupplySettingsForm(FlaskForm):
    target = DecimalField(
        "Target: approved items per 100 employees per week",
        places=1,
        validators=[InputRequired(), NumberRange(min=0.1, max=100)],
        description="Practitioners aim for about 3.5.",
    )
    stale_days = IntegerField(
        "Warn when nothing was approved for this many days",
        validators=[InputRequired(), NumberRange(min=1, max=90)],
    )
