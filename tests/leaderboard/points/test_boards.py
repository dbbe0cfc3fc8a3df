"""Boards as people see them: privacy modes, the reader's own rank, team boards, bad input, and
which backend answers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from advocacy.errors import ValidationFailed
from advocacy.jobs import redis_connection
from advocacy.leaderboard.points import visibility
from advocacy.leaderboard.points.boards import board_query, leaderboard, standings_backend
from advocacy.leaderboard.points.standings import BoardFilters
from advocacy.leaderboard.points.totals import rebuild_sorted_sets
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.leaderboard.conftest import Click, send_clicks

NOW = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def people(app):
    """Zoe 3, Yan 2, Xia 1 (this week); Wes has nothing."""
    with time_machine.travel(NOW, tick=False):
        users = {n: UserFactory(display_name=n) for n in ("Zoe", "Yan", "Xia", "Wes")}
        send_clicks(
            *[Click(users["Zoe"].id, NOW) for _ in range(3)],
            *[Click(users["Yan"].id, NOW) for _ in range(2)],
            Click(users["Xia"].id, NOW),
        )
    return users


def board(reader, **options):
    with time_machine.travel(NOW, tick=False):
        return leaderboard(board_query(**options), reader)


def test_the_reader_sees_their_own_rank_even_outside_the_top(people):
    result = board(people["Xia"], limit=2)
    assert [(p.rank, p.name, p.points) for p in result.people] == [(1, "Zoe", 3), (2, "Yan", 2)]
    assert (result.me.rank, result.me.points, result.me_listed) == (3, 1, False)
    assert result.ranked_count == 3
    listed = board(people["Zoe"])
    assert listed.me_listed and [p.is_me for p in listed.people] == [True, False, False]
    assert board(people["Wes"]).me is None


def crowd(*names: str) -> None:
    """More colleagues with one point each this week: five ranked or more, an anonymous row
    hides someone among enough people to be shown."""
    with time_machine.travel(NOW, tick=False):
        send_clicks(*[Click(UserFactory(display_name=name).id, NOW) for name in names])


def test_hidden_employees_are_anonymous_to_others_but_not_to_themselves(people):
    crowd("Vic", "Uma")
    visibility.set_visibility(people["Zoe"], "hidden")
    seen_by_yan = board(people["Yan"]).people[0]
    assert (seen_by_yan.name, seen_by_yan.anonymous, seen_by_yan.user_id) == (
        visibility.ANONYMOUS,
        True,
        None,
    )
    own = board(people["Zoe"]).people[0]
    assert (own.name, own.user_id, own.is_me) == ("Zoe", people["Zoe"].id, True)


def test_a_pseudonymous_organisation_names_only_those_who_opt_in(people, admin):
    crowd("Vic", "Uma")
    visibility.set_pseudonymous_by_default(True, admin)
    visibility.set_visibility(people["Yan"], "shown")
    names = [p.name for p in board(people["Wes"]).people]
    assert names == [visibility.ANONYMOUS, "Yan", *[visibility.ANONYMOUS] * 3]
    visibility.set_pseudonymous_by_default(False, admin)
    assert [p.name for p in board(people["Wes"]).people] == ["Zoe", "Yan", "Uma", "Vic", "Xia"]


def test_in_a_group_under_five_an_anonymous_row_is_left_out(people, admin):
    """A filter matching one or two people would pin the anonymous row's points on them."""
    visibility.set_visibility(people["Zoe"], "hidden")
    seen_by_yan = board(people["Yan"])
    assert seen_by_yan.ranked_count == 3 and seen_by_yan.withheld == 1
    assert [(p.rank, p.name) for p in seen_by_yan.people] == [(2, "Yan"), (3, "Xia")]
    own = board(people["Zoe"])
    assert own.withheld == 0 and own.people[0].name == "Zoe"  # nobody hides from themselves


def test_bad_visibility_is_refused(people):
    with pytest.raises(ValidationFailed):
        visibility.set_visibility(people["Zoe"], "invisible")
    assert visibility.visibility_of(people["Zoe"]) == "default"


def test_team_boards_rank_by_average_per_active_member_or_total(app):
    big, small, _idle = TeamFactory(name="Big"), TeamFactory(name="Small"), TeamFactory(name="Idle")
    bigs = [MembershipFactory(team=big).user for _ in range(4)]
    solo = MembershipFactory(team=small).user
    departed = MembershipFactory(team=small, user__active=False).user
    with time_machine.travel(NOW, tick=False):
        send_clicks(
            *[Click(u.id, NOW, team_ids=(big.id,)) for u in bigs],
            *[Click(solo.id, NOW, team_ids=(small.id,)) for _ in range(2)],
            Click(departed.id, NOW, team_ids=(small.id,)),
        )
    by_average = board(solo, scope="teams")
    assert [
        (t.rank, t.name, t.points, t.active_members, t.average, t.is_mine) for t in by_average.teams
    ] == [
        (1, "Small", 3, 1, 3.0, True),
        (2, "Big", 4, 4, 1.0, False),
        (3, "Idle", 0, 0, 0.0, False),
    ]
    by_total = board(solo, scope="teams", rank_by="total")
    assert [(t.rank, t.name) for t in by_total.teams] == [(1, "Big"), (2, "Small"), (3, "Idle")]
    only_big = board(solo, scope="teams", team=big.id)
    assert [t.name for t in only_big.teams] == ["Big"]


@pytest.mark.parametrize(
    "options, fields",
    [
        ({"period": "decade"}, ["period"]),
        ({"period": "custom", "start": "2024-13-01", "end": "2024-01-31"}, ["from"]),
        ({"period": "custom", "start": "2024-02-01", "end": "2024-01-31"}, ["to"]),
        ({"scope": "planets"}, ["scope"]),
        ({"team": "999"}, ["team"]),
        ({"team": "abc"}, ["team"]),
        ({"network": "myspace"}, ["network"]),
        ({"limit": 0}, ["limit"]),
        ({"rank_by": "height"}, ["rank_by"]),
    ],
)
def test_bad_board_requests_name_the_field(app, options, fields):
    with pytest.raises(ValidationFailed) as error:
        board_query(**options)
    assert sorted(error.value.errors) == fields


def test_redis_answers_standard_unfiltered_boards_once_built(rq_app, worker):
    redis = redis_connection()
    week = board_query().period
    assert standings_backend(week, BoardFilters()).name == "sql"  # not built: SQL, and ...
    worker.work(burst=True, with_scheduler=False)  # ... a rebuild was queued
    assert standings_backend(week, BoardFilters()).name == "redis"
    assert standings_backend(week, BoardFilters(network="x")).name == "sql"
    custom = board_query(period="custom", start="2024-01-01", end="2024-01-02").period
    assert standings_backend(custom, BoardFilters()).name == "sql"
    redis.flushdb()
    assert standings_backend(week, BoardFilters()).name == "sql"
    rebuild_sorted_sets(redis)
    assert standings_backend(week, BoardFilters()).name == "redis"
