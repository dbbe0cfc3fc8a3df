"""The analytics dashboard: figures through the real ingest, scoped so that a team leader sees
nothing of another team (totals, breakdowns, drill-downs, CSVs, API), and every table as CSV."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from advocacy.analytics import dashboard
from advocacy.extensions import db
from advocacy.feeds import sharing
from advocacy.feeds.models import Share
from advocacy.leaderboard.reach.events import Hit
from advocacy.leaderboard.reach.ingest import ingest_batch
from advocacy.leaderboard.reach.models import HitKind
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.feeds.factories import ContentFactory


def _share_and_click(person, content, network: str, count: int, days_ago: int = 1) -> None:
    """`person` shares `content`, then `count` visitors click through (the real ingest)."""
    sharing.share_content(person, content, network)
    link = sharing.get_or_create_link(person, content, network)
    at = (datetime.now(UTC) - timedelta(days=days_ago)).timestamp()
    ingest_batch(
        [
            Hit(secrets.token_hex(16), link.id, at + n, HitKind.HUMAN, secrets.token_hex(8), "")
            for n in range(count)
        ]
    )


@pytest.fixture
def org(app):
    """Blue (Ann, led by Lee) and Red (Bob): Ann's post got 3 clicks, Bob's 5."""
    blue, red = TeamFactory(name="Blue"), TeamFactory(name="Red")
    ann = UserFactory(display_name="Ann", location="Lyon")
    bob = UserFactory(display_name="Bob", location="Oslo")
    lee = UserFactory(display_name="Lee")
    MembershipFactory(team=blue, user=ann)
    MembershipFactory(team=red, user=bob)
    MembershipFactory(team=blue, user=lee, is_leader=True)
    post = ContentFactory(title="Blue news", campaign="launch")
    other = ContentFactory(title="Red secret", campaign="red-only-campaign")
    _share_and_click(ann, post, "linkedin", 3)
    _share_and_click(bob, other, "x", 5)
    return {"blue": blue, "red": red, "ann": ann, "bob": bob, "lee": lee}


def test_admins_see_the_whole_organisation(app, org, admin):
    audience = dashboard.audience_of(admin)
    start, end = dashboard.default_range(None, None)
    weeks = dashboard.weekly_trends(audience, start, end)
    assert sum(w.human_clicks for w in weeks) == 8 and sum(w.shares for w in weeks) == 2
    by_team = dashboard.breakdown(audience, "team", start, end)
    assert [(r.label, r.human_clicks) for r in by_team] == [("Red", 5), ("Blue", 3)]
    by_place = dashboard.breakdown(audience, "location", start, end)
    assert [(r.label, r.human_clicks) for r in by_place] == [("Oslo", 5), ("Lyon", 3)]
    funnel = dashboard.participation_funnel(audience, start, end)
    assert [(s.step, s.people) for s in funnel][2:] == [("shared", 2), ("generated a click", 2)]


def test_a_team_leader_sees_nothing_of_another_team(app, org, login_as, api):
    lee, red = org["lee"], org["red"]
    client = login_as(lee)
    page = client.get("/analytics/").get_data(as_text=True)
    assert "Blue news" in page and "Lyon" in page
    for secret in ("Red secret", "Oslo", "red-only-campaign", ">Red<", ">5<", ">8<"):
        assert secret not in page, secret
    for table in ("trends", "team", "content", "campaign", "location", "network", "funnel"):
        text = client.get(f"/analytics/{table}.csv").get_data(as_text=True)
        assert "Red" not in text and "Oslo" not in text and ",5," not in text, (table, text)
    assert client.get(f"/analytics/drill?within=team:{red.id}").status_code == 403
    drill = client.get(
        f"/analytics/drill?within=team:{org['blue'].id}", headers={"HX-Request": "true"}
    )
    assert "Blue news" in drill.get_data(as_text=True) and "<html" not in drill.get_data(True)
    figures = api(lee).get("/api/v1/analytics/breakdown?by=team").get_json()
    assert [(i["label"], i["human_clicks"]) for i in figures["items"]] == [("Blue", 3)]
    assert (
        api(lee).get(f"/api/v1/analytics/breakdown?by=content&within=team:{red.id}").status_code
        == 403
    )


def test_members_may_not_open_the_dashboard(app, login_as, user, api):
    assert login_as(user).get("/analytics/").status_code == 403
    assert api(user).get("/api/v1/analytics/summary").status_code == 403


def test_a_formula_in_a_campaign_reaches_the_csv_as_text(app, org, login_as, admin):
    post = ContentFactory(title="Tricky", campaign="=cmd|' /C calc'!A0")
    _share_and_click(org["ann"], post, "x", 1)
    text = login_as(admin).get("/analytics/campaign.csv").get_data(as_text=True)
    assert "\"'=cmd|' /C calc'!A0\",1,1,0" in text or "'=cmd|' /C calc'!A0,1,1,0" in text


def test_the_funnel_only_narrows_and_a_sharer_counts_as_signed_in(app, org, admin):
    """The demo once showed "signed in 1" under "shared 5": people with imported history share
    without a recorded sign-in. Each step now counts the people of the step before."""
    audience = dashboard.audience_of(admin)
    start, end = dashboard.default_range(None, None)
    steps = [(s.step, s.people) for s in dashboard.participation_funnel(audience, start, end)]
    counts = [people for _, people in steps]
    assert counts == sorted(counts, reverse=True)
    assert dict(steps)["signed in"] >= dict(steps)["shared"] == 2
    # a click on an old share, without a share in the range, is not a step of this funnel
    old = ContentFactory(title="Old news")
    _share_and_click(org["lee"], old, "x", 2, days_ago=200)
    for share in db.session.scalars(select(Share).where(Share.user_id == org["lee"].id)):
        share.created_at = datetime.now(UTC) - timedelta(days=200)
    db.session.commit()
    lee_link = sharing.get_or_create_link(org["lee"], old, "x")
    at = (datetime.now(UTC) - timedelta(days=2)).timestamp()
    ingest_batch([Hit(secrets.token_hex(16), lee_link.id, at, HitKind.HUMAN, "v1", "")])
    again = dashboard.participation_funnel(audience, start, end)
    assert [(s.step, s.people) for s in again][2:] == [("shared", 2), ("generated a click", 2)]


def test_headline_tiles_compare_with_the_period_before(app, org, admin):
    from advocacy.analytics.headline import change, figures, headline

    audience = dashboard.audience_of(admin)
    today = datetime.now(UTC).date()
    week = figures(audience, today - timedelta(days=6), today)
    assert (week.human_clicks, week.shares, week.active_sharers) == (8, 2, 2)
    assert week.people_reached == 8  # every test visitor is a different one
    tiles = {tile.label: tile for tile in headline(audience, today - timedelta(days=6), today)}
    assert tiles["Human clicks"].value == "8" and tiles["Human clicks"].delta is None
    assert change(150, 100) == 50 and change(50, 100) == -50 and change(3, 0) is None
    leader = dashboard.audience_of(org["lee"])
    assert figures(leader, today - timedelta(days=6), today).human_clicks == 3


def test_the_range_picker_shows_the_range_in_use(app, org, admin, login_as):
    client = login_as(admin)
    start, end = dashboard.default_range(None, None)
    page = client.get("/analytics/").get_data(as_text=True)
    assert f'value="{start.isoformat()}"' in page and f'value="{end.isoformat()}"' in page
    refused = client.get("/analytics/?start=2026-13-45")
    assert refused.status_code in (200, 422)
    assert 'value="2026-13-45"' in refused.get_data(as_text=True)  # what was typed is kept
