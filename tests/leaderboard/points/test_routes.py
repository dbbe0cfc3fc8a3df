"""Leaderboard pages, the points admin page and the API: page, fragment, boosted request, bad
input, access."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.leaderboard.points import rules as points_rules
from advocacy.leaderboard.points import visibility
from advocacy.leaderboard.points.models import PointEntry
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.leaderboard.conftest import Click, send_clicks
from tests.openapi_validation import problem_of

HX = {"HX-Request": "true"}


@pytest.fixture
def scored(app, user):
    """Maya 2 points today, Rob 5 (hidden), in the Sales team; three colleagues elsewhere with
    one point each (five ranked: enough for an anonymous row to hide Rob)."""
    team = TeamFactory(name="Sales")
    MembershipFactory(team=team, user=user)
    rob = MembershipFactory(team=team, user__display_name="Rob Rival").user
    now = datetime.now(UTC)
    send_clicks(*[Click(user.id, now, team_ids=(team.id,)) for _ in range(2)])
    send_clicks(*[Click(rob.id, now, team_ids=(team.id,)) for _ in range(5)])
    visibility.set_visibility(rob, "hidden")
    for name in ("Ann Other", "Ben Other", "Cy Other"):
        send_clicks(Click(UserFactory(display_name=name).id, now))
    return {"team": team, "rob": rob}


def test_leaderboard_page_fragment_and_boosted(login_as, user, scored):
    client = login_as(user)
    page = client.get("/leaderboard/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<h1>Leaderboard</h1>" in html
    assert "An anonymous colleague" in html and "Rob Rival" not in html
    assert 'class="is-me"' in html and "Your rank: <strong>2</strong>" in html
    assert "HX-Request" in page.headers["Vary"]
    fragment = client.get("/leaderboard/?period=month&scope=teams", headers=HX)
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="board"') and "<h1>" not in body
    assert "Sales" in body and "This month" in body
    boosted = client.get("/leaderboard/?period=all", headers={**HX, "HX-Boosted": "true"})
    assert "<h1>Leaderboard</h1>" in boosted.get_data(as_text=True)


@pytest.mark.parametrize(
    "query", ["period=decade", "period=custom&from=2024-02-01&to=2024-01-01", "team=abc"]
)
def test_bad_leaderboard_input_is_a_422_with_the_reason(login_as, user, query):
    response = login_as(user).get(f"/leaderboard/?{query}", headers=HX)
    assert response.status_code == 422
    assert "cannot be shown" in response.get_data(as_text=True)


def test_an_employee_hides_themselves(login_as, user, scored):
    client = login_as(user)
    assert client.post("/leaderboard/privacy", data={"visibility": "hidden"}).status_code == 303
    assert visibility.visibility_of(user) == "hidden"
    client.post("/leaderboard/privacy", data={"visibility": "nonsense"})
    assert visibility.visibility_of(user) == "hidden"


def test_my_points_page_and_fragment(login_as, user, scored):
    client = login_as(user)
    html = client.get("/leaderboard/points").get_data(as_text=True)
    assert "Points history" in html and "Click on your link" in html and "Facebook" in html
    fragment = client.get("/leaderboard/points", headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith("{#") is False and 'id="points-history"' in fragment


def test_points_admin_is_for_admins(login_as, user, admin):
    assert login_as(user).get("/admin/points/").status_code == 403
    assert login_as(admin).get("/admin/points/").status_code == 200


def test_admin_changes_values_and_corrects_points(login_as, admin, user):
    client = login_as(admin)
    values = {
        "share_intent": "3",
        "verified_share": "6",
        "human_click": "2",
        "conversion": "30",
        "daily_cap": "50",
    }
    assert client.post("/admin/points/rules", data=values).status_code == 303
    assert points_rules.current_rules().human_click == 2
    bad = client.post("/admin/points/rules", data={**values, "human_click": "-4"})
    assert bad.status_code == 422 and "from 0 to" in bad.get_data(as_text=True)
    response = client.post(
        "/admin/points/adjustments",
        data={"email": user.email.upper(), "points": "-3", "reason": "Duplicate clicks"},
    )
    assert response.status_code == 303
    page = client.get("/admin/points/").get_data(as_text=True)
    assert "Duplicate clicks" in page and "Ada Admin" in page
    for data, message in [
        ({"email": "nobody@example.com", "points": "3", "reason": "Because"}, "No employee"),
        ({"email": user.email, "points": "3", "reason": ""}, "Say why"),
        ({"email": user.email, "points": "0", "reason": "Because"}, "other than 0"),
    ]:
        refused = client.post("/admin/points/adjustments", data=data)
        assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PointEntry)) == 1
    assert (
        client.post("/admin/points/privacy", data={"pseudonymous_by_default": "y"}).status_code
        == 303
    )
    assert visibility.leaderboard_settings().pseudonymous_by_default is True


def test_api_leaderboard(api, user, scored):
    client = api(user)
    body = client.get("/api/v1/leaderboard?period=week").get_json()
    assert [(p["rank"], p["name"], p["user_id"], p["points"]) for p in body["people"]][:2] == [
        (1, "An anonymous colleague", None, 5),
        (2, "Maya Member", user.id, 2),
    ]
    assert body["me"]["rank"] == 2 and body["ranked_count"] == 5 and body["withheld"] == 0
    small = client.get(f"/api/v1/leaderboard?period=week&team={scored['team'].id}").get_json()
    assert [p["name"] for p in small["people"]] == ["Maya Member"] and small["withheld"] == 1
    teams = client.get(f"/api/v1/leaderboard?scope=teams&team={scored['team'].id}").get_json()
    assert [(t["name"], t["points"], t["average"]) for t in teams["teams"]] == [("Sales", 7, 3.5)]
    custom = client.get("/api/v1/leaderboard?period=custom&from=2020-01-01&to=2020-01-31")
    assert custom.status_code == 200 and custom.get_json()["people"] == []


@pytest.mark.parametrize(
    "query, field",
    [
        ("period=decade", "period"),
        ("period=custom&from=2024-02-01", "to"),
        ("period=custom&from=2024-02-01&to=2024-01-01", "to"),
        ("team=999", "team"),
        ("network=myspace", "network"),
        ("limit=1000", "limit"),
    ],
)
def test_api_leaderboard_bad_input(api, user, query, field):
    response = api(user).get(f"/api/v1/leaderboard?{query}")
    assert field in problem_of(response, 422)["errors"]


def test_api_rules_and_adjustments(api, user, admin):
    rules = {
        "share_intent": 1,
        "verified_share": 2,
        "human_click": 3,
        "conversion": 4,
        "daily_cap": 40,
    }
    assert api(user).get("/api/v1/points/rules").get_json()["human_click"] == 1
    assert api(user).put("/api/v1/points/rules", json=rules).status_code == 403
    saved = api(admin).put("/api/v1/points/rules", json=rules)
    assert saved.status_code == 200 and saved.get_json()["version"] is not None
    bad = api(admin).put("/api/v1/points/rules", json={**rules, "daily_cap": -1})
    assert "daily_cap" in problem_of(bad, 422)["errors"]
    assert api(admin).put("/api/v1/points/rules", json={"human_click": 2}).status_code == 422
    assert points_rules.current_rules().human_click == 3

    correction = {
        "user_id": user.id,
        "points": 7,
        "reason": "Conference talk",
        "idempotency_key": "talk-1",
    }
    assert api(user).post("/api/v1/points/adjustments", json=correction).status_code == 403
    admin_client = api(admin)
    first = admin_client.post("/api/v1/points/adjustments", json=correction)
    again = admin_client.post("/api/v1/points/adjustments", json=correction)
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    assert first.get_json()["created_by_id"] == admin.id
    missing = admin_client.post("/api/v1/points/adjustments", json={**correction, "user_id": 999})
    assert missing.status_code == 404
    no_reason = admin_client.post(
        "/api/v1/points/adjustments", json={**correction, "reason": "", "idempotency_key": "x"}
    )
    assert "reason" in problem_of(no_reason, 422)["errors"]
    assert db.session.scalar(select(func.count()).select_from(PointEntry)) == 1


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get("/leaderboard/").status_code == 302
