"""The ROI calculator of the founding documents: what the people working on social cost, what
one platform for all the accounts they manage saves, and the earned-media value measured here.

The formula (shown on the page with the organisation's figures):
    social cost      = people × average salary × share of their time on social
    hourly cost      = average salary ÷ 1,720 working hours a year
    hours saved      = accounts managed × hours saved per account per week × 46 working weeks,
                       at most the hours spent on social (one cannot save more than is spent)
    savings          = hours saved × hourly cost
    hires funded     = savings ÷ average salary            ("how many people could you hire")
    value            = savings + earned-media value (measured over the last 12 months)
    ROI              = (value − platform cost) ÷ platform cost, when a platform cost is given
Each account run separately costs publishing, approval and reporting work that one platform
does once; the hours saved per account per week is the assumption the admin can change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask import Flask, current_app

from advocacy.errors import ValidationFailed
from advocacy.models_base import utcnow

WORK_HOURS_PER_YEAR = Decimal(1720)
WORK_WEEKS_PER_YEAR = Decimal(46)
EARNED_MEDIA_WINDOW = timedelta(days=365)
CENT = Decimal("0.01")

# (name, label, minimum, maximum, default, integer?)
FIELDS = (
    ("people", "People working on social media", 0, 100_000, "3", True),
    ("average_salary", "Their average yearly salary", 0, 10_000_000, "60000", False),
    ("time_share", "Share of their time spent on social (%)", 0, 100, "50", False),
    ("accounts", "Social media accounts managed", 0, 100_000, "12", True),
    ("hours_per_account", "Hours one platform saves per account per week", 0, 40, "1", False),
    ("platform_cost", "Yearly cost of the platform (optional)", 0, 100_000_000, "0", False),
)


@dataclass(frozen=True)
class RoiInputs:
    """The calculator's inputs, validated."""

    people: int
    average_salary: Decimal
    time_share: Decimal
    accounts: int
    hours_per_account: Decimal
    platform_cost: Decimal


@dataclass(frozen=True)
class RoiResult:
    """Every intermediate figure, so the page can show the formula with numbers."""

    inputs: RoiInputs
    social_cost: Decimal
    hourly_cost: Decimal
    social_hours: Decimal
    hours_saved: Decimal
    savings: Decimal
    hires_funded: Decimal
    earned_media: Decimal
    value: Decimal
    roi_percent: Decimal | None
    capped: bool


def parse_inputs(values: dict[str, str]) -> RoiInputs:
    """Read the form's strings (defaults for missing ones); ValidationFailed names each bad one."""
    parsed, errors = {}, {}
    for name, label, low, high, default, integer in FIELDS:
        raw = (values.get(name) or default).strip().replace(",", "")
        try:
            number = Decimal(raw)
            if not number.is_finite():
                raise ValueError
        except (ArithmeticError, ValueError):
            errors[name] = [f"{label}: enter a number."]
            continue
        if integer and number != number.to_integral_value():
            errors[name] = [f"{label}: enter a whole number."]
        elif not low <= number <= high:
            errors[name] = [f"{label}: enter a number from {low:,} to {high:,}."]
        else:
            parsed[name] = int(number) if integer else number
    if errors:
        raise ValidationFailed("Some figures need fixing.", errors)
    return RoiInputs(**parsed)


def default_inputs() -> RoiInputs:
    """The inputs the page starts with."""
    return parse_inputs({})


def calculate(inputs: RoiInputs, earned_media: Decimal) -> RoiResult:
    """Apply the formula above."""
    share = inputs.time_share / 100
    social_cost = inputs.people * inputs.average_salary * share
    hourly_cost = inputs.average_salary / WORK_HOURS_PER_YEAR
    social_hours = inputs.people * share * WORK_HOURS_PER_YEAR
    wanted = inputs.accounts * inputs.hours_per_account * WORK_WEEKS_PER_YEAR
    hours_saved = min(wanted, social_hours)
    savings = hours_saved * hourly_cost
    hires = savings / inputs.average_salary if inputs.average_salary else Decimal(0)
    value = savings + earned_media
    roi = None
    if inputs.platform_cost > 0:
        roi = (value - inputs.platform_cost) / inputs.platform_cost * 100
    return RoiResult(
        inputs=inputs,
        social_cost=_money(social_cost),
        hourly_cost=_money(hourly_cost),
        social_hours=hours(social_hours),
        hours_saved=hours(hours_saved),
        savings=_money(savings),
        hires_funded=hires.quantize(Decimal("0.1"), ROUND_HALF_UP),
        earned_media=_money(earned_media),
        value=_money(value),
        roi_percent=None if roi is None else roi.quantize(Decimal("0.1"), ROUND_HALF_UP),
        capped=wanted > social_hours,
    )


def _money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


def hours(value: Decimal) -> Decimal:
    """Hours rounded to whole ones for display."""
    return Decimal(value).quantize(Decimal(1), ROUND_HALF_UP)


# --- earned-media value: measured by the reach module once it lands ---------------------------

EarnedMediaSource = Callable[[datetime, datetime], Decimal]


def register_earned_media_source(app: Flask, source: EarnedMediaSource) -> None:
    """Let the reach module report the earned-media value of a period (clicks × value)."""
    app.extensions["earned_media_value"] = source


def earned_media_value(start: datetime, end: datetime) -> Decimal:
    """The measured earned-media value of [start, end); 0 until a source is registered."""
    source = current_app.extensions.get("earned_media_value")
    return Decimal(source(start, end)) if source else Decimal(0)


def last_year() -> tuple[datetime, datetime]:
    """The window the calculator measures earned media over."""
    end = utcnow()
    return end - EARNED_MEDIA_WINDOW, end
