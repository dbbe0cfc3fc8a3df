"""GET /api/v1/search: the page's search as JSON, validated against the OpenAPI document, with
the same permission rules, bad-input messages, 503 when unavailable and 429 over the limit."""

from __future__ import annotations

import shutil

import pytest

from advocacy.accounts.tokens import create_api_token
from advocacy.extensions import db
from advocacy.search.extension import current_backend
from tests.factories import UserFactory
from tests.openapi_validation import problem_of
from tests.search.models import Note


@pytest.fixture
def searcher(app, search_index, run_jobs):
    me = UserFactory(display_name="Maya Member")
    UserFactory(display_name="Marcus Chen", job_title="VP Engineering")
    run_jobs()
    return me


def test_search_returns_a_page_of_hits(api, searcher):
    response = api(searcher).get("/api/v1/search?q=marcus")
    assert response.status_code == 200
    body = response.get_json()
    [hit] = body["items"]
    assert hit["type"] == "person" and hit["title"] == "Marcus Chen"
    assert hit["title_html"] == "<mark>Marcus</mark> Chen"
    assert body["meta"] == {"page": 1, "per_page": 20, "total": 1, "pages": 1, "capped": False}
    assert body["query"] == {
        "text": "marcus",
        "showing_results_for": None,
        "did_you_mean": None,
        "notices": [],
    }


def test_type_filter_and_corrections(api, searcher):
    client = api(searcher)
    assert client.get("/api/v1/search?q=marcus&type=thread").get_json()["meta"]["total"] == 0
    corrected = client.get("/api/v1/search?q=marcsu&type=person").get_json()
    assert corrected["query"]["showing_results_for"] == "marcus"
    assert corrected["items"][0]["title"] == "Marcus Chen"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("q=", "q", "Type a word or a name to search for."),
        ("q=" + "x" * 2000, "q", "A search can be at most 256 characters long"),
        ("q=%22%22", "q", "There is nothing to search for"),
        ("q=marcus&type=banana", "type", "Must be one of"),
        ("q=marcus&page=0", "page", "Must be greater than or equal to 1"),
        ("q=marcus&page=9999", "page", "Results stop at page 50"),
        ("q=marcus&per_page=500", "per_page", "Must be greater than or equal to 1"),
    ],
)
def test_bad_input_is_a_422_problem(api, searcher, query, field, message):
    body = problem_of(api(searcher).get(f"/api/v1/search?{query}"), 422)
    assert any(message in m for m in body["errors"][field]), body


def test_hostile_queries_are_answered(api, searcher):
    for text in ('"unbalanced', "a\x00b", "^.*$ (|)[", "OR -", "in:title"):
        response = api(searcher).get("/api/v1/search", query_string={"q": text})
        assert response.status_code in (200, 422), text


def test_unavailable_is_a_503_problem(api, searcher):
    shutil.rmtree(current_backend().root)
    body = problem_of(api(searcher).get("/api/v1/search?q=marcus"), 503)
    assert body["detail"].startswith("Search is unavailable")


def test_the_same_permissions_as_the_page(api, searcher, notes, run_jobs):
    db.session.add_all(
        [Note(title="Shared plan", space_id=1), Note(title="Hidden plan", space_id=3)]
    )
    db.session.commit()
    run_jobs()
    body = api(searcher).get("/api/v1/search?q=plan").get_json()
    assert [item["title"] for item in body["items"]] == ["Shared plan"]
    assert body["meta"]["total"] == 1


def test_a_token_is_required(client, searcher):
    problem_of(client.get("/api/v1/search?q=marcus"), 401)


def test_rate_limit_is_a_429_problem(make_app, tmp_path, validated_responses):
    app = make_app(RATELIMIT_SEARCH="1 per minute", SEARCH_INDEX_DIR=str(tmp_path / "ix"))
    with app.app_context():
        current_backend().clear()
        one, other = UserFactory(), UserFactory()
        clients = []
        for user in (one, other):
            client = app.test_client()
            client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {create_api_token(user, 't')[1]}"
            clients.append(client)
        assert clients[0].get("/api/v1/search?q=x").status_code == 200
        body = problem_of(clients[0].get("/api/v1/search?q=x"), 429)
        assert "Too many attempts" in body["detail"]
        assert clients[1].get("/api/v1/search?q=x").status_code == 200


def test_the_endpoint_is_documented(openapi_spec):
    operation = openapi_spec["paths"]["/api/v1/search"]["get"]
    assert {"200", "401", "422", "429", "503"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"]} >= {"q", "type", "page", "per_page"}
