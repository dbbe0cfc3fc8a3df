"""Content supply against demand: approved content per 100 employees per week, against the
target an admin sets (practitioners use about 3.5), with a warning when the feed runs dry.

Rules:
- Supply is counted from the approvals in the content's history (one per item and approval),
  in rolling 7-day weeks ending now, so a week is never half empty because it just began.
- The rate compares the last 4 weeks with the target; "dry" means below it.
- "Stale" means nothing was approved for `stale_days` (default 7), whatever the rate.
- Employees are the active accounts (deactivated and erased ones do not read the feed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from advocacy.accounts.models import User
from advocacy.analytics.models import AnalyticsSettings
from advocacy.errors import ValidationFailed
from advocacy.extensions import db
from advocacy.feeds.stats import approval_times, last_approval_at
from advocacy.models_base import utcnow

RATE_WEEKS = 4
HISTORY_WEEKS = 12
TARGET_RANGE = (0.1, 100.0)
STALE_RANGE = (1, 90)


@dataclass(frozen=True)
class SupplyWeek:
    start: datetime
    end: datetime
    approved: int
    per_100: float


@dataclass(frozen=True)
class SupplyReport:
    """The figures and warnings the supply page and the review queue show."""

    employees: int
    target: float
    stale_days: int
    rate: float  # approved items per 100 employees per week, last RATE_WEEKS weeks
    weeks: list[SupplyWeek]  # newest first
    last_approved_at: datetime | None
    dry: bool
    stale: bool

    @property
    def needed_per_week(self) -> int:
        """Approvals a week that would meet the target with today's head count."""
        return -int(-self.target * self.employees // 100)

    @property
    def warnings(self) -> list[str]:
        messages = []
        if self.stale:
            since = (
                "Nothing has ever been approved"
                if self.last_approved_at is None
                else f"Nothing was approved in the last {self.stale_days} days"
            )
            messages.append(f"The feed is going stale: {since}.")
        if self.dry:
            messages.append(
                f"The feed is running dry: {self.rate:.1f} items per 100 employees a week "
                f"against a target of {self.target:g} (about {self.needed_per_week} a week "
                f"for {self.employees} employees)."
            )
        return messages


def get_settings() -> AnalyticsSettings:
    """The settings row, created with the defaults on first need."""
    settings = db.session.scalar(select(AnalyticsSettings).limit(1))
    if settings is None:
        settings = AnalyticsSettings()
        db.session.add(settings)
        db.session.flush()
    return settings


def update_settings(target: float, stale_days: int, actor: User) -> AnalyticsSettings:
    """Change the target and the staleness threshold (admins), and commit."""
    errors = {}
    if target is None or not TARGET_RANGE[0] <= target <= TARGET_RANGE[1]:
        errors["target"] = [f"Choose a target from {TARGET_RANGE[0]} to {TARGET_RANGE[1]:g}."]
    if stale_days is None or not STALE_RANGE[0] <= stale_days <= STALE_RANGE[1]:
        errors["stale_days"] = [f"Choose from {STALE_RANGE[0]} to {STALE_RANGE[1]} days."]
    if errors:
        raise ValidationFailed("The settings were not changed.", errors)
    settings = get_settings()
    settings.supply_target, settings.stale_days = target, stale_days
    settings.updated_by_id = actor.id
    db.session.commit()
    return settings


def supply_report(now: datetime | None = None) -> SupplyReport:
    """Supply over the last HISTORY_WEEKS rolling weeks, the rate and the warnings."""
    now = now or utcnow()
    settings = get_settings()
    employees = db.session.scalar(select(func.count(User.id)).where(User.active.is_(True))) or 0
    since = now - timedelta(weeks=HISTORY_WEEKS)
    approvals = approval_times(since, now)
    weeks = []
    for index in range(HISTORY_WEEKS):
        end = now - timedelta(weeks=index)
        start = end - timedelta(weeks=1)
        count = sum(1 for at in approvals if start < at <= end)
        weeks.append(SupplyWeek(start, end, count, _per_100(count, employees)))
    recent = sum(week.approved for week in weeks[:RATE_WEEKS])
    rate = _per_100(recent / RATE_WEEKS, employees)
    last = last_approval_at(now)
    stale = last is None or now - last > timedelta(days=settings.stale_days)
    return SupplyReport(
        employees=employees,
        target=settings.supply_target,
        stale_days=settings.stale_days,
        rate=rate,
        weeks=weeks,
        last_approved_at=last,
        dry=employees > 0 and rate < settings.supply_target,
        stale=stale,
    )


def _per_100(count: float, employees: int) -> float:
    return round(count * 100 / employees, 2) if employees else 0.0
