"""Periods in the organisation's time zone: weeks from local Monday midnight, months, calendar
quarters, custom ranges; clock changes never move an entry between days."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from advocacy.accounts.organisation import local_day
from advocacy.errors import ValidationFailed
from advocacy.leaderboard.points.periods import resolve_period


@pytest.mark.parametrize(
    "zone, moment, day, week",
    [
        # New York springs forward on Sunday 10 March 2024: 23:30 EDT is still Sunday...
        ("America/New_York", "2024-03-11T03:30", date(2024, 3, 10), date(2024, 3, 4)),
        # ...and an hour later it is Monday, a new week.
        ("America/New_York", "2024-03-11T04:30", date(2024, 3, 11), date(2024, 3, 11)),
        # London falls back on Sunday 27 October 2024; 23:59 GMT Sunday is still that week.
        ("Europe/London", "2024-10-27T23:59", date(2024, 10, 27), date(2024, 10, 21)),
        ("Europe/London", "2024-10-28T00:00", date(2024, 10, 28), date(2024, 10, 28)),
        # Auckland is already on Monday while UTC is on Sunday.
        ("Pacific/Auckland", "2024-03-10T12:00", date(2024, 3, 11), date(2024, 3, 11)),
        ("UTC", "2024-03-10T12:00", date(2024, 3, 10), date(2024, 3, 4)),
    ],
)
def test_this_week_starts_on_local_monday(app, org_timezone, zone, moment, day, week):
    org_timezone(zone)
    instant = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    assert local_day(instant) == day
    with time_machine.travel(instant, tick=False):
        period = resolve_period("week")
    assert (period.start, (period.end - period.start).days) == (week, 6)


def test_month_quarter_and_all_time(app, org_timezone):
    org_timezone("Asia/Tokyo")
    # 31 March 20:00 UTC is already 1 April in Tokyo: a new month and a new quarter.
    with time_machine.travel(datetime(2024, 3, 31, 20, 0, tzinfo=UTC), tick=False):
        month, quarter, ever = (resolve_period(k) for k in ("month", "quarter", "all"))
    assert (month.start, month.end, month.key) == (date(2024, 4, 1), date(2024, 4, 30), "2024-04")
    assert (quarter.start, quarter.end, quarter.key) == (
        date(2024, 4, 1),
        date(2024, 6, 30),
        "2024-Q2",
    )
    assert (ever.start, ever.end, ever.key) == (None, None, "all")
    december = resolve_period("quarter", day=date(2024, 12, 31))
    assert (december.start, december.end) == (date(2024, 10, 1), date(2024, 12, 31))


def test_custom_ranges(app):
    period = resolve_period("custom", date(2024, 1, 1), date(2024, 1, 31))
    assert (period.start, period.end, period.key) == (date(2024, 1, 1), date(2024, 1, 31), None)
    assert period.label == "01 Jan 2024 – 31 Jan 2024"


@pytest.mark.parametrize(
    "kind, start, end, fields",
    [
        ("fortnight", None, None, ["period"]),
        ("custom", None, date(2024, 1, 1), ["from"]),
        ("custom", date(2024, 1, 2), date(2024, 1, 1), ["to"]),
        ("custom", date(2020, 1, 1), date(2024, 1, 1), ["to"]),
    ],
)
def test_bad_periods(app, kind, start, end, fields):
    with pytest.raises(ValidationFailed) as error:
        resolve_period(kind, start, end)
    assert sorted(error.value.errors) == fields
