"""Who may call what: every endpoint × role, plus unknown ids and conflicts."""

from __future__ import annotations

import pytest

from advocacy.accounts.service import deactivate_user
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.openapi_validation import problem_of

ROLES = ["member", "curator", "admin", "team_leader", "other_team_leader", "team_member"]


@pytest.fixture
def people(app):
    """One person per role; `team` is the team the membership endpoint targets."""
    team = TeamFactory(name="Target")
    other_team = TeamFactory(name="Elsewhere")
    by_role = {
        "member": UserFactory(),
        "curator": UserFactory(role="curator"),
        "admin": UserFactory(role="admin"),
        "team_leader": MembershipFactory(team=team, is_leader=True).user,
        "other_team_leader": MembershipFactory(team=other_team, is_leader=True).user,
        "team_member": MembershipFactory(team=team).user,
    }
    return {"team": team, "newcomer": UserFactory(display_name="Nina Newcomer"), **by_role}


def _call(client, endpoint: str, people):
    if endpoint == "GET /me":
        return client.get("/api/v1/me")
    if endpoint == "GET /users":
        return client.get("/api/v1/users")
    if endpoint == "GET /teams":
        return client.get("/api/v1/teams")
    if endpoint == "POST /teams":
        return client.post("/api/v1/teams", json={"name": "New team", "description": "Fresh"})
    if endpoint == "POST /teams/{id}/members":
        return client.post(
            f"/api/v1/teams/{people['team'].id}/members",
            json={"user_id": people["newcomer"].id},
        )
    raise AssertionError(endpoint)


EXPECTED = {
    "GET /me": dict.fromkeys(ROLES, 200),
    "GET /users": dict.fromkeys(ROLES, 200),
    "GET /teams": dict.fromkeys(ROLES, 200),
    "POST /teams": {**dict.fromkeys(ROLES, 403), "admin": 201},
    "POST /teams/{id}/members": {**dict.fromkeys(ROLES, 403), "admin": 200, "team_leader": 200},
}
MATRIX = [
    (endpoint, role, status) for endpoint, row in EXPECTED.items() for role, status in row.items()
]


@pytest.mark.parametrize(
    ("endpoint", "role", "status"), MATRIX, ids=[f"{e}-{r}" for e, r, _ in MATRIX]
)
def test_permission_matrix(api, people, endpoint, role, status):
    response = _call(api(people[role]), endpoint, people)
    if status >= 400:
        body = problem_of(response, status)
        assert "errors" not in body
    else:
        assert response.status_code == status, response.get_data(as_text=True)


def test_me_describes_the_token_owner(api, people):
    body = api(people["team_leader"]).get("/api/v1/me").get_json()
    assert body["id"] == people["team_leader"].id
    assert body["teams"] == [{"id": people["team"].id, "name": "Target", "is_leader": True}]
    assert body["active"] is True


def test_admin_creates_a_team(api, admin):
    response = api(admin).post("/api/v1/teams", json={"name": "Growth", "description": "Leads"})
    assert response.status_code == 201
    assert response.get_json() == {
        "id": response.get_json()["id"],
        "name": "Growth",
        "description": "Leads",
        "members": [],
    }
    listed = api(admin).get("/api/v1/teams").get_json()["items"]
    assert [team["name"] for team in listed] == ["Growth"]


def test_leader_adds_a_member_and_a_leader(api, people):
    leader = api(people["team_leader"])
    url = f"/api/v1/teams/{people['team'].id}/members"
    response = leader.post(url, json={"user_id": people["newcomer"].id, "is_leader": True})
    assert response.status_code == 200
    members = {m["user_id"]: m for m in response.get_json()["members"]}
    assert members[people["newcomer"].id] == {
        "user_id": people["newcomer"].id,
        "display_name": "Nina Newcomer",
        "is_leader": True,
    }
    # Posting again changes leadership instead of adding twice.
    response = leader.post(url, json={"user_id": people["newcomer"].id})
    members = [m for m in response.get_json()["members"] if m["user_id"] == people["newcomer"].id]
    assert members == [
        {"user_id": people["newcomer"].id, "display_name": "Nina Newcomer", "is_leader": False}
    ]


def test_unknown_team_is_404(api, admin, user):
    body = problem_of(api(admin).post("/api/v1/teams/9999/members", json={"user_id": user.id}), 404)
    assert body["title"] == "Not found"


def test_unknown_team_is_404_for_a_leader_too(api, people):
    response = api(people["team_leader"]).post(
        "/api/v1/teams/9999/members", json={"user_id": people["newcomer"].id}
    )
    problem_of(response, 404)


def test_unknown_user_is_404(api, admin, people):
    response = api(admin).post(f"/api/v1/teams/{people['team'].id}/members", json={"user_id": 9999})
    problem_of(response, 404)


def test_deactivated_user_cannot_join_a_team(api, admin, people):
    deactivate_user(people["newcomer"], admin)
    response = api(admin).post(
        f"/api/v1/teams/{people['team'].id}/members", json={"user_id": people["newcomer"].id}
    )
    problem_of(response, 409)


@pytest.mark.parametrize("name", ["Target", "target", "  TARGET  "])
def test_duplicate_team_name_is_409(api, admin, people, name):
    body = problem_of(api(admin).post("/api/v1/teams", json={"name": name}), 409)
    assert body["errors"] == {"name": ["Already in use."]}
