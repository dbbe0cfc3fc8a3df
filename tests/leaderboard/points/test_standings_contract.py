"""One contract, two backends: SQL over the rollups and Redis sorted sets (kept live on write,
or rebuilt from the ledger) must give identical standings."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import delete, select

from advocacy.accounts.models import User
from advocacy.extensions import db
from advocacy.jobs import redis_connection
from advocacy.leaderboard.points import ledger
from advocacy.leaderboard.points.boards import standings_backend
from advocacy.leaderboard.points.models import PointEntry, PointUserPeriod
from advocacy.leaderboard.points.periods import resolve_period
from advocacy.leaderboard.points.snapshots import take_snapshots
from advocacy.leaderboard.points.standings import (
    NO_FILTERS,
    BoardFilters,
    RedisStandings,
    Score,
    SqlStandings,
)
from advocacy.leaderboard.points.totals import BUILT_KEY, rebuild_sorted_sets
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.leaderboard.conftest import Click, send_clicks

NOW = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)  # a Wednesday
APRIL = datetime(2024, 4, 10, 9, 0, tzinfo=UTC)
EARLY_MAY = datetime(2024, 5, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def standings_data(rq_app):
    """Ann and Bob tie this week; Cy leads the month; Dee's points are a correction; Eve's
    correction was undone (a zero total is not ranked); Facebook earns nothing."""
    redis = redis_connection()
    rebuild_sorted_sets(redis)
    with time_machine.travel(NOW, tick=False):
        sales, marketing = TeamFactory(name="Sales"), TeamFactory(name="Marketing")
        ann = MembershipFactory(team=sales, user__display_name="Ann").user
        bob = MembershipFactory(team=sales, user__display_name="Bob").user
        MembershipFactory(team=marketing, user=bob)
        cy = MembershipFactory(team=marketing, user__display_name="Cy", user__location="Paris").user
        dee, eve = UserFactory(display_name="Dee"), UserFactory(display_name="Eve")
        admin = UserFactory(role="admin")
        people = {"ann": ann, "bob": bob, "cy": cy, "dee": dee, "eve": eve}
        send_clicks(
            *[Click(ann.id, NOW, team_ids=(sales.id,)) for _ in range(3)],
            *[Click(bob.id, NOW, "x", team_ids=(sales.id, marketing.id)) for _ in range(3)],
            Click(dee.id, NOW, "facebook"),
        )
        send_clicks(Click(ann.id, APRIL, "x", team_ids=(sales.id,)))
        send_clicks(*[Click(cy.id, EARLY_MAY, team_ids=(marketing.id,)) for _ in range(5)])
        ledger.adjust_points(dee, 2, "Helped at the booth", admin)
        ledger.adjust_points(eve, 1, "Typo in a correction", admin)
        ledger.adjust_points(eve, -1, "Undo the typo above", admin)
    ids = {name: user.id for name, user in people.items()}
    return {"ids": ids, "sales": sales.id, "marketing": marketing.id, "redis": redis}


@pytest.fixture(params=["sql", "redis-live", "redis-rebuilt"])
def backend(request, standings_data):
    redis = standings_data["redis"]
    if request.param == "sql":
        return SqlStandings()
    if request.param == "redis-rebuilt":
        redis.flushdb()
        rebuild_sorted_sets(redis)
    return RedisStandings(redis)


def period(kind: str):
    with time_machine.travel(NOW, tick=False):
        return resolve_period(kind)


def named(scores: list[Score], ids: dict) -> list[tuple[str, int, int]]:
    names = {user_id: name for name, user_id in ids.items()}
    return sorted((names[s.id], s.points, s.rank) for s in scores)


PEOPLE = {
    "week": [("ann", 3, 1), ("bob", 3, 1), ("dee", 2, 3)],
    "month": [("ann", 3, 2), ("bob", 3, 2), ("cy", 5, 1), ("dee", 2, 4)],
    "quarter": [("ann", 4, 2), ("bob", 3, 3), ("cy", 5, 1), ("dee", 2, 4)],
    "all": [("ann", 4, 2), ("bob", 3, 3), ("cy", 5, 1), ("dee", 2, 4)],
}


def test_people_standings(backend, standings_data):
    ids = standings_data["ids"]
    for kind, expected in PEOPLE.items():
        assert named(backend.top_people(period(kind), 10), ids) == expected, kind
        assert backend.people_count(period(kind)) == len(expected)
        for name, points_, rank in expected:
            assert backend.person(period(kind), ids[name]) == Score(ids[name], points_, rank)
        assert backend.person(period(kind), ids["eve"]) is None


def test_the_top_takes_in_everyone_tied_with_its_last(backend, standings_data):
    ids = standings_data["ids"]
    assert named(backend.top_people(period("week"), 1), ids) == [("ann", 3, 1), ("bob", 3, 1)]
    assert named(backend.top_people(period("month"), 1), ids) == [("cy", 5, 1)]
    assert backend.person(period("week"), ids["cy"]) is None


def test_team_totals(backend, standings_data):
    sales, marketing = standings_data["sales"], standings_data["marketing"]
    expected = {"week": (6, 3), "month": (6, 8), "quarter": (7, 8), "all": (7, 8)}
    for kind, (sales_points, marketing_points) in expected.items():
        totals = backend.team_totals(period(kind))
        assert totals == {sales: sales_points, marketing: marketing_points}, kind


def test_custom_ranges_and_filters_sum_the_daily_rollups(standings_data):
    ids = standings_data["ids"]
    may = resolve_period("custom", datetime(2024, 5, 1).date(), datetime(2024, 5, 14).date())
    assert named(SqlStandings().top_people(may, 10), ids) == [("cy", 5, 1)]
    x_only = SqlStandings(BoardFilters(network="x"))
    assert named(x_only.top_people(period("quarter"), 10), ids) == [("ann", 1, 2), ("bob", 3, 1)]
    marketing = SqlStandings(BoardFilters(team_id=standings_data["marketing"]))
    assert named(marketing.top_people(period("month"), 10), ids) == [("bob", 3, 2), ("cy", 5, 1)]
    assert marketing.team_totals(period("month")) == {standings_data["marketing"]: 8}
    paris = SqlStandings(BoardFilters(location="  PARIS "))
    assert named(paris.top_people(period("all"), 10), ids) == [("cy", 5, 1)]
    assert paris.person(period("all"), ids["ann"]) is None


def test_rebuild_command_restores_flushed_sets_and_drifted_rollups(rq_app, standings_data):
    redis, ids = standings_data["redis"], standings_data["ids"]
    redis.flushdb()
    db.session.execute(delete(PointUserPeriod))  # drift: the period totals are lost
    db.session.commit()
    runner = rq_app.test_cli_runner()
    result = runner.invoke(args=["leaderboard", "rebuild", "--from-ledger"])
    assert result.exit_code == 0, result.output
    assert "recomputed from 15 ledger entries" in result.output
    assert redis.exists(BUILT_KEY)
    expected = [("ann", 4, 2), ("bob", 3, 3), ("cy", 5, 1), ("dee", 2, 4)]
    assert named(SqlStandings().top_people(period("all"), 10), ids) == expected
    assert named(RedisStandings(redis).top_people(period("all"), 10), ids) == expected


def test_rebuild_without_redis_says_so(app):
    result = app.test_cli_runner().invoke(args=["leaderboard", "rebuild"])
    assert result.exit_code == 0
    if app.config.get("REDIS_URL"):
        assert "sorted sets rebuilt" in result.output
    else:
        assert "No REDIS_URL" in result.output


# --- custom ranges and network filters: read from SQL with either backend, they must agree with
# the sorted sets, with and without snapshots, before and after a backdated correction ---------

MAY_1, MAY_14, MAY_15 = date(2024, 5, 1), date(2024, 5, 14), date(2024, 5, 15)
CUSTOM = {
    (MAY_1, MAY_14): [("cy", 5, 1)],
    (date(2024, 4, 10), MAY_15): [("ann", 4, 2), ("bob", 3, 3), ("cy", 5, 1), ("dee", 2, 4)],
    (date(2024, 4, 11), MAY_15): [("ann", 3, 2), ("bob", 3, 2), ("cy", 5, 1), ("dee", 2, 4)],
}
BY_NETWORK = {
    ("quarter", "x"): [("ann", 1, 2), ("bob", 3, 1)],
    ("week", "linkedin"): [("ann", 3, 1)],
    ((MAY_1, MAY_15), "linkedin"): [("ann", 3, 2), ("cy", 5, 1)],
    ((MAY_1, MAY_15), "x"): [("bob", 3, 1)],
}
NETWORKS = ("linkedin", "x", "facebook")


@pytest.fixture(params=["tiles", "snapshots"])
def ranges_from(request, standings_data) -> str:
    if request.param == "snapshots":
        with time_machine.travel(NOW, tick=False):
            assert take_snapshots() > 0
    return request.param


def period_of(spec):
    with time_machine.travel(NOW, tick=False):
        if isinstance(spec, str):
            return resolve_period(spec)
        return resolve_period("custom", *spec)


def test_custom_ranges_and_network_filters(backend, standings_data, ranges_from):
    ids = standings_data["ids"]
    for (start, end), expected in CUSTOM.items():
        with time_machine.travel(NOW, tick=False):
            answering = standings_backend(period_of((start, end)), NO_FILTERS)
            top = answering.top_people(period_of((start, end)), 10)
        assert named(top, ids) == expected, (start, end)
    for (spec, network), expected in BY_NETWORK.items():
        with time_machine.travel(NOW, tick=False):
            filters = BoardFilters(network=network)
            answering = standings_backend(period_of(spec), filters)
            assert named(answering.top_people(period_of(spec), 10), ids) == expected
            assert answering.people_count(period_of(spec)) == len(expected)
    sales, marketing = standings_data["sales"], standings_data["marketing"]
    for (spec, network), expected in {
        ("quarter", "x"): {sales: 4, marketing: 3},
        ((MAY_1, MAY_15), "linkedin"): {sales: 3, marketing: 5},
        ((date(2024, 5, 2), MAY_15), "x"): {sales: 3, marketing: 3},
    }.items():
        with time_machine.travel(NOW, tick=False):
            filters = BoardFilters(network=network)
            answering = standings_backend(period_of(spec), filters)
            assert answering.team_totals(period_of(spec)) == expected, (spec, network)


def test_ranges_and_networks_add_up_to_the_sorted_sets(backend, standings_data, ranges_from):
    """A range that is a standard period equals the backend's own board for it, for everyone
    and per network; the networks plus the corrections add up to the board. Also after a
    correction dated before the snapshots."""
    ids, admin = standings_data["ids"], UserFactory(role="admin")
    with time_machine.travel(NOW, tick=False):
        ann = db.session.get(User, ids["ann"])
        ledger.adjust_points(ann, 4, "Talk at the April meetup", admin, day=date(2024, 4, 5))
        for kind in ("week", "month", "quarter"):
            standard = resolve_period(kind)
            custom = resolve_period("custom", standard.start, standard.end)
            for user_id in ids.values():
                want = backend.person(standard, user_id)
                assert SqlStandings().person(custom, user_id) == want, (kind, user_id)
                total = corrections(user_id, standard)
                for network in NETWORKS:
                    per_network = SqlStandings(BoardFilters(network=network))
                    score = per_network.person(custom, user_id)
                    assert score == per_network.person(standard, user_id), (kind, network)
                    total += score.points if score else 0
                assert total == (want.points if want else 0), (kind, user_id)
            assert SqlStandings().team_totals(custom) == backend.team_totals(standard)
        # a ragged range (read from snapshots when taken): all time less the days before it
        ragged = resolve_period("custom", date(2024, 4, 11), NOW.date())
        for user_id in ids.values():
            whole = backend.person(resolve_period("all"), user_id)
            want = (whole.points if whole else 0) - earned_before(user_id, date(2024, 4, 11))
            score = SqlStandings().person(ragged, user_id)
            assert (score.points if score else 0) == want, user_id


def corrections(user_id: int, period) -> int:
    """The user's corrections over the period, from the ledger (they belong to no network)."""
    return sum(
        db.session.scalars(
            select(PointEntry.points).where(
                PointEntry.user_id == user_id,
                PointEntry.network == "",
                PointEntry.local_day.between(period.start, period.end),
            )
        )
    )


def earned_before(user_id: int, day: date) -> int:
    """The user's points on the days before `day`, from the ledger."""
    return sum(
        db.session.scalars(
            select(PointEntry.points).where(
                PointEntry.user_id == user_id, PointEntry.local_day < day
            )
        )
    )
