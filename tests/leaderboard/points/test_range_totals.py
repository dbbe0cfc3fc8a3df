"""Custom ranges read a few signed period keys (periods.range_keys): tiles of the range, or two
snapshots of running totals (snapshots.py); either way they must add up to exactly the ledger's
points over the range, for every filter, across month, quarter and DST edges, with entries that
arrive late or are backdated after the snapshots were taken; and a range that is a standard
period must rank like Redis' sorted set for it."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.jobs import redis_connection
from advocacy.leaderboard.points import ledger as points
from advocacy.leaderboard.points.models import PointEntry
from advocacy.leaderboard.points.periods import (
    PeriodKind,
    RangeKeys,
    range_keys,
    resolve_period,
    standard_period,
)
from advocacy.leaderboard.points.snapshots import boundaries_near, take_snapshots
from advocacy.leaderboard.points.standings import BoardFilters, RedisStandings, SqlStandings, ranked
from advocacy.leaderboard.points.totals import rebuild_sorted_sets
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.leaderboard.conftest import Click, send_clicks, set_org_timezone

BERLIN = ZoneInfo("Europe/Berlin")  # clocks go forward on Sunday 31 March 2024
FIRST, NOW = date(2024, 2, 26), datetime(2024, 4, 3, 12, 0, tzinfo=UTC)


def at_local(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), BERLIN).astimezone(UTC)


@pytest.fixture(params=["tiles", "snapshots"])
def ledger(request, rq_app):
    """Clicks on every day from 26 February to 3 April, just after and just before local
    midnight, on two networks, for people in one, two or no teams; then (with "snapshots" after
    the snapshots are taken) late clicks and a backdated correction."""
    set_org_timezone("Europe/Berlin")
    with time_machine.travel(NOW, tick=False):
        sales, marketing = TeamFactory(name="Sales"), TeamFactory(name="Marketing")
        ann = MembershipFactory(team=sales, user__display_name="Ann").user
        bob = MembershipFactory(team=sales, user__display_name="Bob").user
        MembershipFactory(team=marketing, user=bob)
        cy = UserFactory(display_name="Cy")
        admin = UserFactory(role="admin")
        clicks = []
        for offset in range((NOW.date() - FIRST).days + 1):
            day = FIRST + timedelta(days=offset)
            clicks.append(Click(ann.id, at_local(day, 0, 30), team_ids=(sales.id,)))
            if offset % 2:
                both = (sales.id, marketing.id)
                clicks.append(Click(bob.id, at_local(day, 23, 30), "x", team_ids=both))
                clicks.append(Click(bob.id, at_local(day, 23, 45), "x", team_ids=both))
            if offset % 3 == 0:
                clicks.append(Click(cy.id, at_local(day, 12, 0)))
        send_clicks(*clicks)
        if request.param == "snapshots":
            assert take_snapshots() == (NOW.date() - FIRST).days
        late = at_local(date(2024, 3, 10), 23, 50)
        both = (sales.id, marketing.id)
        send_clicks(Click(bob.id, late, "x", team_ids=both), Click(cy.id, late))
        points.adjust_points(cy, 7, "Booth at the spring fair", admin, day=date(2024, 3, 31))
    redis = redis_connection()
    redis.flushdb()
    rebuild_sorted_sets(redis)
    return {
        "sales": sales.id,
        "marketing": marketing.id,
        "people": (ann.id, bob.id, cy.id),
        "snapshots": request.param == "snapshots",
    }


def expected(start: date, end: date, filters: BoardFilters) -> list:
    """The ranking straight from the ledger."""
    totals: dict[int, int] = defaultdict(int)
    for entry in db.session.scalars(select(PointEntry)):
        if not start <= entry.local_day <= end:
            continue
        if filters.network and entry.network != filters.network:
            continue
        if filters.team_id is not None and filters.team_id not in entry.team_ids:
            continue
        totals[entry.user_id] += entry.points
    return ranked([(user, total) for user, total in totals.items() if total])


# Tuesdays and Saturdays make ragged edges cheaper as "the week minus a day"
STARTS = [date(2024, 2, 26), date(2024, 2, 27), date(2024, 2, 29), date(2024, 3, 1)]
STARTS += [date(2024, 3, 26), date(2024, 3, 30), date(2024, 3, 31), date(2024, 4, 1)]
ENDS = [date(2024, 3, 3), date(2024, 3, 30), date(2024, 3, 31), date(2024, 4, 1)]
ENDS += [date(2024, 4, 3), date(2024, 4, 7), date(2024, 6, 30)]


def test_custom_ranges_add_up_to_the_ledger(ledger):
    if ledger["snapshots"]:  # the ranges do read the snapshots
        keys = range_keys(STARTS[1], ENDS[1], NOW.date(), boundaries_near(STARTS[1], ENDS[1]))
        assert keys == RangeKeys(("<2024-03-31",), ("<2024-02-27",))
    filter_sets = [
        BoardFilters(),
        BoardFilters(network="x"),
        BoardFilters(team_id=ledger["sales"]),
        BoardFilters(team_id=ledger["marketing"], network="x"),
    ]
    checked = 0
    with time_machine.travel(NOW, tick=False):
        for start in STARTS:
            for end in [end for end in ENDS if end >= start]:
                period = resolve_period("custom", start, end)
                for filters in filter_sets:
                    want = expected(start, end, filters)
                    backend = SqlStandings(filters)
                    for reader in ledger["people"]:
                        got = backend.standing(period, 2, reader)
                        assert got.count == len(want), (start, end, filters)
                        assert sorted(got.top, key=lambda s: s.id) == sorted(
                            [s for s in want if s.rank <= 2], key=lambda s: s.id
                        ), (start, end, filters)
                        assert got.me == next((s for s in want if s.id == reader), None)
                        assert backend.person(period, reader) == got.me
                    assert backend.people_count(period) == len(want)
                    checked += 1
    assert checked == 4 * 49  # 49 ranges, 4 filter sets


def test_team_totals_over_custom_ranges(ledger):
    sales, marketing = ledger["sales"], ledger["marketing"]
    with time_machine.travel(NOW, tick=False):
        ranges = [(date(2024, 3, 30), date(2024, 4, 1)), (date(2024, 2, 29), date(2024, 4, 7))]
        for start, end in ranges:
            period = resolve_period("custom", start, end)
            want = {
                team: sum(s.points for s in expected(start, end, BoardFilters(team_id=team)))
                for team in (sales, marketing)
            }
            assert SqlStandings().team_totals(period) == want
            for network in ("x", "linkedin"):
                want = {
                    team: sum(
                        s.points
                        for s in expected(start, end, BoardFilters(team_id=team, network=network))
                    )
                    for team in (sales, marketing)
                }
                got = SqlStandings(BoardFilters(network=network)).team_totals(period)
                assert got == {team: points for team, points in want.items() if points}


@pytest.mark.parametrize("kind", ["week", "month", "quarter"])
def test_a_range_that_is_a_standard_period_ranks_like_redis(ledger, kind):
    with time_machine.travel(NOW, tick=False):
        for day in (date(2024, 3, 31), date(2024, 4, 1)):
            standard = standard_period(PeriodKind(kind), day)
            custom = resolve_period("custom", standard.start, standard.end)
            redis = RedisStandings(redis_connection())
            for reader in ledger["people"]:
                assert SqlStandings().standing(custom, 2, reader) == redis.standing(
                    standard, 2, reader
                )
            assert SqlStandings().team_totals(custom) == redis.team_totals(standard)


def test_the_last_30_days_read_five_weeks_less_a_day():
    keys = range_keys(date(2026, 10, 27), date(2026, 11, 26), now=date(2026, 11, 26))
    assert keys.plus == ("2026-W44", "2026-W45", "2026-W46", "2026-W47", "2026-W48")
    assert keys.minus == ("2026-10-26", "2026-11-27", "2026-11-28", "2026-11-29")
    whole = range_keys(date(2024, 1, 1), date(2026, 12, 31))
    assert whole.plus == tuple(f"{y}-Q{q}" for y in (2024, 2025, 2026) for q in (1, 2, 3, 4))


def test_the_last_30_days_read_two_snapshots_or_all_time_less_one():
    now, start = date(2026, 11, 26), date(2026, 10, 27)
    assert range_keys(start, now, now, {start}) == RangeKeys(("all",), ("<2026-10-27",))
    # a snapshot a day off: that day's key besides
    near = range_keys(start, now, now, {date(2026, 10, 28)})
    assert near == RangeKeys(("2026-10-27", "all"), ("<2026-10-28",))
    september = {date(2026, 9, 1), date(2026, 10, 1)}
    past = range_keys(date(2026, 9, 1), date(2026, 9, 30), now, september)
    assert past == RangeKeys(("2026-09",), ())  # a whole month stays one key
    edges = {date(2026, 9, 3), date(2026, 10, 14)}
    ragged = range_keys(date(2026, 9, 3), date(2026, 10, 13), now, edges)
    assert ragged == RangeKeys(("<2026-10-14",), ("<2026-09-03",))
