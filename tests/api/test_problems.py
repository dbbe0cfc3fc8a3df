"""Invalid input answers 422 problem+json with per-field messages."""

from __future__ import annotations

import pytest

from advocacy.accounts.models import NAME_MAX
from tests.factories import TeamFactory
from tests.openapi_validation import problem_of


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * (NAME_MAX + 1)}, "name"),
        ({"name": "Ok", "description": "d" * 2001}, "description"),
        ({"name": "Ok", "colour": "red"}, "colour"),
        ({"name": 42}, "name"),
    ],
    ids=["missing", "empty", "too-long", "description-too-long", "unknown-field", "not-a-string"],
)
def test_invalid_team_is_422(api, admin, body, field):
    problem = problem_of(api(admin).post("/api/v1/teams", json=body), 422)
    assert problem["title"] == "Unprocessable Entity"
    assert list(problem["errors"]) == [field]
    assert all(isinstance(message, str) for message in problem["errors"][field])


def test_blank_team_name_is_rejected_by_the_service(api, admin):
    problem = problem_of(api(admin).post("/api/v1/teams", json={"name": "   "}), 422)
    assert "name" in problem["errors"]


def test_body_that_is_not_json_is_415(api, admin):
    response = api(admin).post("/api/v1/teams", data="name=x", content_type="text/plain")
    assert "Content-Type: application/json" in problem_of(response, 415)["detail"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"per_page": 1000}, "per_page"),
        ({"per_page": 0}, "per_page"),
        ({"page": 0}, "page"),
        ({"page": "first"}, "page"),
        ({"q": "x" * (NAME_MAX + 1)}, "q"),
    ],
)
def test_invalid_paging_is_422(api, user, query, field):
    problem = problem_of(api(user).get("/api/v1/users", query_string=query), 422)
    assert list(problem["errors"]) == [field]


def test_invalid_team_paging_is_422(api, user):
    problem = problem_of(api(user).get("/api/v1/teams", query_string={"per_page": 1000}), 422)
    assert "per_page" in problem["errors"]


def test_member_body_errors(api, admin, user):
    team = TeamFactory()
    problem = problem_of(
        api(admin).post(
            f"/api/v1/teams/{team.id}/members", json={"user_id": "x", "is_leader": "maybe"}
        ),
        422,
    )
    assert set(problem["errors"]) == {"user_id", "is_leader"}


def test_unknown_api_path_is_a_problem(api, user):
    response = api(user).get("/api/v1/nothing-here")
    problem_of(response, 404)
