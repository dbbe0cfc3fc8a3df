"""Reach metrics: grouping, potential reach, earned media, who sees what, and the API."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from advocacy.errors import Forbidden, ValidationFailed
from advocacy.extensions import db
from advocacy.feeds.models import Share
from advocacy.feeds.sharing import get_or_create_link
from advocacy.leaderboard.reach.audience import declare_followers, update_reach_values
from advocacy.leaderboard.reach.events import Hit
from advocacy.leaderboard.reach.ingest import ingest_batch
from advocacy.leaderboard.reach.metrics import reach_report
from tests.factories import MembershipFactory, UserFactory
from tests.feeds.factories import ContentFactory

DAY1 = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
DAY2 = datetime(2026, 5, 5, 12, 0, tzinfo=UTC)


def clicks(link, at: datetime, humans: int, bots: int = 0, tag: str = "") -> list[Hit]:
    hits = [
        Hit(f"{tag}{link.id}h{n}{at:%d}", link.id, at.timestamp() + n, "human", f"v{tag}{n}", "")
        for n in range(humans)
    ]
    hits += [
        Hit(f"{tag}{link.id}b{n}{at:%d}", link.id, at.timestamp() + n, "bot", f"b{n}", "")
        for n in range(bots)
    ]
    return hits


@pytest.fixture
def world(app, sharer, teams, content, link, admin):
    leader = MembershipFactory(team=teams[0], is_leader=True).user
    outsider = UserFactory(display_name="Olga Outsider")
    other_content = ContentFactory(title="Second story", campaign="")
    x_link = get_or_create_link(sharer, other_content, "x")
    outsider_link = get_or_create_link(outsider, content, "facebook")
    db.session.add(
        Share(
            tracked_link_id=link.id,
            user_id=sharer.id,
            content_id=content.id,
            network="linkedin",
            created_at=DAY1,
        )
    )
    db.session.commit()
    declare_followers(sharer, {"linkedin": 500, "x": 0})
    update_reach_values(admin, 0.5, 20, "usd")
    ingest_batch(
        clicks(link, DAY1, 3, 2) + clicks(x_link, DAY2, 1) + clicks(outsider_link, DAY2, 4)
    )
    return {"leader": leader, "outsider": outsider, "other_content": other_content}


def test_reach_by_employee_with_potential_reach_and_earned_media(world, admin, sharer):
    report = reach_report(admin, "employee", date(2026, 5, 1), date(2026, 5, 31))
    rows = {row.label: row for row in report.rows}
    assert [row.label for row in report.rows] == ["Olga Outsider", "Sam Sharer"]
    sam = rows["Sam Sharer"]
    assert (sam.raw_hits, sam.bot_hits, sam.human_clicks, sam.unique_visitors) == (6, 2, 4, 4)
    assert sam.potential_reach == 500
    assert sam.earned_media == 2.0
    assert report.totals.human_clicks == 8 and report.currency == "USD"


@pytest.mark.parametrize(
    ("group_by", "expected"),
    [
        ("network", {"LinkedIn": 3, "X": 1, "Facebook": 4}),
        ("day", {"2026-05-04": 3, "2026-05-05": 5}),
        ("team", {"Sales": 4, "Marketing": 4}),
    ],
)
def test_reach_grouped(world, admin, group_by, expected):
    report = reach_report(admin, group_by, date(2026, 5, 1), date(2026, 5, 31))
    assert {row.label: row.human_clicks for row in report.rows} == expected


def test_ranges_are_inclusive_organisation_days(world, admin):
    report = reach_report(admin, "day", date(2026, 5, 5), date(2026, 5, 5))
    assert [row.key for row in report.rows] == ["2026-05-05"]


def test_members_see_only_their_own_reach(world, sharer):
    report = reach_report(sharer, "employee", date(2026, 5, 1), date(2026, 5, 31))
    assert [row.label for row in report.rows] == ["Sam Sharer"]
    with pytest.raises(Forbidden):
        reach_report(sharer, "team", date(2026, 5, 1), date(2026, 5, 31))


def test_team_leaders_see_their_teams_and_members(world, teams):
    leader = world["leader"]
    people = reach_report(leader, "employee", date(2026, 5, 1), date(2026, 5, 31))
    assert [row.label for row in people.rows] == ["Sam Sharer"]
    by_team = reach_report(leader, "team", date(2026, 5, 1), date(2026, 5, 31))
    assert [row.label for row in by_team.rows] == ["Sales"]


def test_a_backwards_range_is_refused(world, admin):
    with pytest.raises(ValidationFailed):
        reach_report(admin, "day", date(2026, 5, 5), date(2026, 5, 1))


def test_reach_api(world, api, sharer, admin):
    mine = api(sharer).get("/api/v1/reach/me?from=2026-05-01&to=2026-05-07")
    assert mine.status_code == 200, mine.get_data(as_text=True)
    assert len(mine.json["items"]) == 7  # every day, zeros included
    assert mine.json["totals"]["human_clicks"] == 4
    by_network = api(admin).get("/api/v1/reach?group_by=network&from=2026-05-01&to=2026-05-31")
    assert {i["key"]: i["human_clicks"] for i in by_network.json["items"]} == {
        "linkedin": 3,
        "x": 1,
        "facebook": 4,
    }
    assert api(sharer).get("/api/v1/reach?group_by=team").status_code == 403
    bad = api(admin).get("/api/v1/reach?group_by=planet")
    assert bad.status_code == 422 and "group_by" in bad.json["errors"]
    backwards = api(admin).get("/api/v1/reach?group_by=day&from=2026-05-05&to=2026-05-01")
    assert backwards.status_code == 422
