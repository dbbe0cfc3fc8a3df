"""Point values with history: each change is a new version in force from the moment it is
saved, so entries keep the values in force when they were earned (no retroactive rescoring)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from advocacy.accounts.models import User
from advocacy.errors import ValidationFailed
from advocacy.extensions import db
from advocacy.leaderboard.points.models import Action, PointRules
from advocacy.models_base import utcnow

MAX_POINTS = 10_000
MAX_DAILY_CAP = 100_000


@dataclass(frozen=True)
class RuleValues:
    """The points per action and the daily cap of one version (`version` None: the defaults
    that apply before an admin saves any)."""

    share_intent: int = 2
    verified_share: int = 5
    human_click: int = 1
    conversion: int = 20
    hire: int = 50
    daily_cap: int = 100
    version: int | None = None
    effective_from: datetime | None = None

    def points_for(self, action: Action) -> int:
        return getattr(self, action.value)


DEFAULT_RULES = RuleValues()
VALUE_FIELDS = (
    "share_intent",
    "verified_share",
    "human_click",
    "conversion",
    "hire",
    "daily_cap",
)


def _values(row: PointRules) -> RuleValues:
    return RuleValues(
        **{name: getattr(row, name) for name in VALUE_FIELDS},
        version=row.id,
        effective_from=row.effective_from,
    )


class RuleBook:
    """Every version, loaded once per award batch, to find the one in force at any moment."""

    def __init__(self) -> None:
        rows = db.session.scalars(
            select(PointRules).order_by(PointRules.effective_from, PointRules.id)
        ).all()
        self._starts = [row.effective_from for row in rows]
        self._values = [_values(row) for row in rows]

    def at(self, moment: datetime) -> RuleValues:
        index = bisect.bisect_right(self._starts, moment) - 1
        return self._values[index] if index >= 0 else DEFAULT_RULES


def current_rules() -> RuleValues:
    """The values in force now."""
    return RuleBook().at(utcnow())


def rule_history(limit: int = 20) -> list[PointRules]:
    """The latest versions, newest first."""
    return list(
        db.session.scalars(
            select(PointRules).order_by(PointRules.effective_from.desc()).limit(limit)
        )
    )


def check_rule_values(values: dict) -> dict[str, int]:
    """Whole numbers from 0 to 10,000 (the cap up to 100,000), every field present."""
    errors: dict[str, list[str]] = {}
    checked: dict[str, int] = {}
    for name in VALUE_FIELDS:
        value = values.get(name)
        limit = MAX_DAILY_CAP if name == "daily_cap" else MAX_POINTS
        if value is None or value == "":
            errors[name] = ["Give a number of points."]
            continue
        number = _whole_number(value)
        if number is None:
            errors[name] = ["Give a whole number."]
        elif not 0 <= number <= limit:
            errors[name] = [f"Give a number from 0 to {limit:,}."]
        else:
            checked[name] = number
    if errors:
        raise ValidationFailed("The point values are not valid.", errors)
    return checked


def _whole_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.lstrip("-").isdigit() else None


def set_rules(values: dict, acting: User) -> RuleValues:
    """Save a new version, in force from now on; earlier entries keep their values. A caller
    that predates the hire rule (no `hire`) keeps the hire value in force."""
    if values.get("hire") is None:
        values = {**values, "hire": current_rules().hire}
    checked = check_rule_values(values)
    row = PointRules(**checked, effective_from=utcnow(), created_by_id=acting.id)
    db.session.add(row)
    db.session.commit()
    return _values(row)
