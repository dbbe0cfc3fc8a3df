"""Leaderboard periods in the organisation's time zone: this week (ISO, from Monday), month,
calendar quarter, all time, or a custom range of local days.

A period is a range of org-local days: every points entry carries the local day it was earned on
(computed from its UTC time in the organisation's zone when it was recorded), so a clock change
never moves an entry between days, and "this week" starts at local midnight on Monday.
"""

from __future__ import annotations

import enum
import functools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from advocacy.accounts.organisation import today
from advocacy.errors import ValidationFailed

ALL_TIME = "all"
SNAPSHOT_MARK = "<"
SNAPSHOT_REACH = 7  # how far from a range's edge a snapshot is used, with the days between
MAX_CUSTOM_DAYS = 366 * 3


class PeriodKind(enum.StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    ALL = "all"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return PERIOD_LABELS[self]


PERIOD_LABELS = {
    PeriodKind.WEEK: "This week",
    PeriodKind.MONTH: "This month",
    PeriodKind.QUARTER: "This quarter",
    PeriodKind.ALL: "All time",
    PeriodKind.CUSTOM: "Custom range",
}


@dataclass(frozen=True)
class Period:
    """Inclusive local-day bounds (None for all time) and, for the standard periods, the key
    their totals are kept under."""

    kind: PeriodKind
    start: date | None
    end: date | None
    key: str | None

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.CUSTOM:
            return f"{self.start:%d %b %Y} – {self.end:%d %b %Y}"
        return self.kind.label


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def month_key(day: date) -> str:
    return f"{day:%Y-%m}"


def quarter_key(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def day_key(day: date) -> str:
    return day.isoformat()


def is_day_key(key: str) -> bool:
    return len(key) == 10 and key[4] == "-" and key[7] == "-"


def snapshot_key(boundary: date) -> str:
    """The key of the running totals of every day before `boundary` ("<2024-03-14")."""
    return f"{SNAPSHOT_MARK}{boundary.isoformat()}"


def is_snapshot_key(key: str) -> bool:
    return key.startswith(SNAPSHOT_MARK)


def is_standard_key(key: str) -> bool:
    """All time, a week, a month or a quarter: the keys Redis keeps sorted sets for."""
    return not is_day_key(key) and not is_snapshot_key(key)


def period_keys(day: date) -> tuple[str, str, str, str]:
    """The standard periods an entry of `day` counts towards."""
    return (ALL_TIME, week_key(day), month_key(day), quarter_key(day))


def total_keys(day: date) -> tuple[str, ...]:
    """Every key an entry of `day` is totalled under in SQL: the standard periods and the day
    itself (the days are what custom ranges are cut from)."""
    return (*period_keys(day), day_key(day))


@dataclass(frozen=True)
class RangeKeys:
    """A custom range as period keys: the totals under `plus` minus those under `minus`."""

    plus: tuple[str, ...]
    minus: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        return self.plus + self.minus


def range_keys(
    start: date, end: date, now: date | None = None, snapshots: Iterable[date] = ()
) -> RangeKeys:
    """The keys whose totals add up to the local days start..end exactly, chosen so that a board
    reads as few totals as possible.

    Two ways are weighed. Tiling: whole quarters, months and weeks inside the range, and at a
    ragged edge either the single days or the enclosing week or month minus the days outside.
    Snapshots (`snapshots`: the boundaries whose running totals exist, see snapshots.py): the
    range is "days before end + 1" minus "days before start", each read from a snapshot at that
    boundary, or a near one plus or minus the days between, or all time when the boundary is
    after `now`. Days after `now` hold no points yet, so subtracting them costs nothing. With a
    daily snapshot at both edges any range is two keys; without snapshots, about 6 for 30 days
    and never more than ~30 for three years."""
    return _range_keys(start, end, now, frozenset(snapshots))


@functools.lru_cache(maxsize=256)
def _range_keys(start: date, end: date, now: date | None, snapshots: frozenset[date]) -> RangeKeys:
    candidates = []
    for first in {start, _week_start(start), start.replace(day=1)}:
        for last in {end, _week_end(end), _month_end(end)}:
            plus = _tiling(first, last)
            minus = _tiling(first, start - timedelta(days=1)) + _tiling(
                end + timedelta(days=1), last
            )
            candidates.append((plus, minus))
    upper = _cheapest(_prefixes(end + timedelta(days=1), now, snapshots), now)
    lower = _cheapest(_prefixes(start, now, snapshots), now)
    if upper and lower:
        candidates.append((upper.plus + lower.minus, upper.minus + lower.plus))
    return _cheapest(candidates, now)


def _cheapest(candidates: list[tuple], now: date | None) -> RangeKeys | None:
    """The (plus, minus) key lists that read the fewest totals, netted out."""
    best = None
    for plus, minus in candidates:
        net = Counter(plus)
        net.subtract(minus)
        keys = RangeKeys(
            tuple(sorted(k for k, n in net.items() if n > 0)),
            tuple(sorted(k for k, n in net.items() if n < 0)),
        )
        cost = (sum(_cost(key, now) for key in keys.all), len(keys.all), keys.all)
        if best is None or cost < best[0]:
            best = (cost, keys)
    return best[1] if best else None


def _prefixes(boundary: date, now: date | None, snapshots: frozenset[date]) -> list[tuple]:
    """Ways to read the totals of every day before `boundary`, as (plus, minus) key lists."""
    if now is not None and boundary > now:
        return [([ALL_TIME], [])]
    ways = []
    if now is not None and (now - boundary).days < SNAPSHOT_REACH:
        ways.append(([ALL_TIME], _days(boundary, now)))
    for gap in range(SNAPSHOT_REACH + 1):
        before, after = boundary - timedelta(days=gap), boundary + timedelta(days=gap)
        if before in snapshots:
            ways.append(([snapshot_key(before), *_days(before, boundary - timedelta(days=1))], []))
        if after in snapshots and after != before:
            ways.append(([snapshot_key(after)], _days(boundary, after - timedelta(days=1))))
    return ways


def _days(first: date, last: date) -> list[str]:
    return [day_key(first + timedelta(days=n)) for n in range((last - first).days + 1)]


def _cost(key: str, now: date | None) -> int:
    """A day still to come holds no totals; any other key about one row per person (a snapshot
    holds one for everyone who ever earned points, a day only for those active that day: both
    count as one, to keep the choice simple)."""
    return 0 if now is not None and is_day_key(key) and date.fromisoformat(key) > now else 1


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_end(day: date) -> date:
    return _week_start(day) + timedelta(days=6)


def _month_end(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _tiling(start: date, end: date) -> list[str]:
    """Keys that tile start..end (empty if end < start): largest whole periods first."""
    keys: list[str] = []
    day = start
    while day <= end:
        piece = _largest_piece(day, end)
        keys.append(piece.key)
        day = piece.end + timedelta(days=1)
    return keys


def _largest_piece(day: date, end: date) -> Period:
    for kind in (PeriodKind.QUARTER, PeriodKind.MONTH):
        whole = standard_period(kind, day)
        if whole.start == day and whole.end <= end:
            return whole
    week = standard_period(PeriodKind.WEEK, day)
    if week.start == day and week.end <= end:
        next_month = standard_period(PeriodKind.MONTH, week.end)
        # a week that straddles the first of a month the range holds whole would hide that
        # month from the next steps: walk up to its first day instead
        if not (next_month.start > day and next_month.end <= end):
            return week
    return Period(PeriodKind.CUSTOM, day, day, day_key(day))


def standard_period(kind: PeriodKind, day: date) -> Period:
    """The week, month, quarter or all time containing `day`."""
    if kind is PeriodKind.WEEK:
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + timedelta(days=6), week_key(day))
    if kind is PeriodKind.MONTH:
        start = day.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return Period(kind, start, following - timedelta(days=1), month_key(day))
    if kind is PeriodKind.QUARTER:
        start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        following = (start + timedelta(days=95)).replace(day=1)
        return Period(kind, start, following - timedelta(days=1), quarter_key(day))
    if kind is PeriodKind.ALL:
        return Period(kind, None, None, ALL_TIME)
    raise ValueError(f"{kind} is not a standard period")


def resolve_period(
    kind: str, start: date | None = None, end: date | None = None, day: date | None = None
) -> Period:
    """A period from user input: `kind`, and for custom ranges the first and last local days.
    ValidationFailed names the field at fault."""
    try:
        period_kind = PeriodKind(kind or PeriodKind.WEEK)
    except ValueError:
        choices = ", ".join(k.value for k in PeriodKind)
        raise ValidationFailed.field("period", f"Choose a period among {choices}.") from None
    if period_kind is not PeriodKind.CUSTOM:
        return standard_period(period_kind, day or today())
    errors: dict[str, list[str]] = {}
    if start is None:
        errors["from"] = ["A custom range needs its first day (from)."]
    if end is None:
        errors["to"] = ["A custom range needs its last day (to)."]
    if start and end and end < start:
        errors["to"] = ["The last day comes before the first day."]
    if start and end and (end - start).days >= MAX_CUSTOM_DAYS:
        errors["to"] = ["A custom range spans at most three years."]
    if errors:
        raise ValidationFailed("The custom range is not valid.", errors)
    return Period(period_kind, start, end, None)
