"""Lists are paginated with page/per_page and report totals in `meta`; /users filters with q."""

from __future__ import annotations

from advocacy.accounts.service import deactivate_user
from tests.factories import TeamFactory, UserFactory


def test_users_pages_and_totals(api, user):
    UserFactory.create_batch(24)  # 25 people with `user`
    client = api(user)
    first = client.get("/api/v1/users", query_string={"per_page": 10}).get_json()
    assert first["meta"] == {"page": 1, "per_page": 10, "total": 25, "pages": 3}
    assert len(first["items"]) == 10
    last = client.get("/api/v1/users", query_string={"per_page": 10, "page": 3}).get_json()
    assert last["meta"] == {"page": 3, "per_page": 10, "total": 25, "pages": 3}
    assert len(last["items"]) == 5
    every_id = set()
    for page in (1, 2, 3):
        body = client.get("/api/v1/users", query_string={"per_page": 10, "page": page}).get_json()
        every_id |= {item["id"] for item in body["items"]}
    assert len(every_id) == 25


def test_default_page_size_and_page_past_the_end(api, user):
    UserFactory.create_batch(29)
    client = api(user)
    assert client.get("/api/v1/users").get_json()["meta"] == {
        "page": 1,
        "per_page": 25,
        "total": 30,
        "pages": 2,
    }
    beyond = client.get("/api/v1/users", query_string={"page": 9}).get_json()
    assert beyond["items"] == []
    assert beyond["meta"]["total"] == 30


def test_users_are_sorted_by_name(api, user):
    UserFactory(display_name="zed Zulu")
    UserFactory(display_name="Alan Alpha")
    names = [item["display_name"] for item in api(user).get("/api/v1/users").get_json()["items"]]
    assert names == sorted(names, key=str.lower)


def test_q_filters_by_name_or_email_case_insensitively(api, user):
    UserFactory(display_name="Priya Patel", email="priya@example.com")
    UserFactory(display_name="Sam Smith", email="sam.patel@example.org")
    UserFactory(display_name="Other Person")
    client = api(user)
    body = client.get("/api/v1/users", query_string={"q": "PATEL"}).get_json()
    assert {item["display_name"] for item in body["items"]} == {"Priya Patel", "Sam Smith"}
    assert body["meta"] == {"page": 1, "per_page": 25, "total": 2, "pages": 1}
    body = client.get("/api/v1/users", query_string={"q": "no-such-person"}).get_json()
    assert body == {"items": [], "meta": {"page": 1, "per_page": 25, "total": 0, "pages": 1}}


def test_deactivated_people_are_listed_as_inactive(api, user, admin):
    gone = UserFactory(display_name="Gone Person")
    deactivate_user(gone, admin)
    items = api(user).get("/api/v1/users", query_string={"q": "gone"}).get_json()["items"]
    assert [(item["id"], item["active"]) for item in items] == [(gone.id, False)]


def test_teams_pages(api, user):
    for name in ["Delta", "alpha", "Charlie", "bravo", "Echo"]:
        TeamFactory(name=name)
    client = api(user)
    body = client.get("/api/v1/teams", query_string={"per_page": 2, "page": 2}).get_json()
    assert body["meta"] == {"page": 2, "per_page": 2, "total": 5, "pages": 3}
    assert [team["name"] for team in body["items"]] == ["Charlie", "Delta"]
