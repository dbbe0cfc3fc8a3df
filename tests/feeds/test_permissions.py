"""Who may reach what: every feed page and API endpoint for every role, signed out included."""

from __future__ import annotations

import pytest

from tests.feeds.factories import ContentFactory, target
from tests.openapi_validation import problem_of

ROLES = ["signed_out", "member", "team_leader", "other_leader", "curator", "admin"]


def make(kind: str, org) -> int:
    """A fresh item per request, so one request's change cannot alter the next one's answer:
    `team_item` is submitted content aimed at the team, `draft` a member's own draft."""
    if kind == "team_item":
        return target(ContentFactory(state="submitted"), teams=[org["team"]]).id
    if kind == "draft":
        return ContentFactory(state="draft", author_id=org["member"].id).id
    return ContentFactory().id


def url_for_row(path: str, org) -> str:
    for kind in ("team_item", "draft", "live"):
        if "{" + kind + "}" in path:
            return path.replace("{" + kind + "}", str(make(kind, org)))
    return path


PEOPLE = {
    "member": "member",
    "team_leader": "leader",
    "other_leader": "other_leader",
    "curator": "curator",
    "admin": "admin",
}


def everyone(status):
    return dict.fromkeys(ROLES[1:], status)


PAGES = {
    ("GET", "/"): everyone(200),
    ("GET", "/content/new"): everyone(200),
    ("GET", "/content/mine"): everyone(200),
    ("GET", "/topics/"): everyone(200),
    ("GET", "/policy"): everyone(200),
    ("GET", "/content/{live}"): everyone(200),
    ("GET", "/content/{team_item}"): {
        **everyone(404),
        "team_leader": 200,
        "curator": 200,
        "admin": 200,
    },
    ("GET", "/content/{draft}"): {**everyone(404), "member": 200, "curator": 200, "admin": 200},
    ("GET", "/content/{draft}/edit"): {
        **everyone(404),
        "member": 200,
        "curator": 200,
        "admin": 200,
    },
    ("POST", "/content/{team_item}/approve"): {
        **everyone(404),
        "team_leader": 303,
        "curator": 303,
        "admin": 303,
    },
    ("POST", "/content/{draft}/submit"): {
        **everyone(404),
        "member": 303,
        "curator": 303,
        "admin": 303,
    },
    ("POST", "/content/{live}/archive"): {**everyone(403), "curator": 303, "admin": 303},
    ("GET", "/queue/"): {**everyone(200), "member": 403, "other_leader": 200},
    ("POST", "/queue/"): {**everyone(303), "member": 403, "other_leader": 409},
    ("GET", "/admin/compliance"): {**everyone(403), "admin": 200},
    ("POST", "/admin/compliance/disclosure"): {**everyone(403), "admin": 303},
    ("GET", "/admin/sources"): {**everyone(403), "admin": 200},
    ("POST", "/admin/sources"): {**everyone(403), "admin": 303},
}
FORM = {
    "action": "approve",
    "disclosure": "#Acme",
    "name": "Blog",
    "url": "https://blog.acme.example/rss",
    "content_kind": "link",
}


@pytest.mark.parametrize("role", ROLES[1:])
def test_page_permissions(app, login_as, org, role):
    client = login_as(org[PEOPLE[role]])
    expected, actual = {}, {}
    for (method, path), row in PAGES.items():
        url = url_for_row(path, org)
        if method == "GET":
            response = client.get(url)
        else:
            data = {**FORM, "content_ids": [make("team_item", org)]}
            response = client.post(url, data=data)
        expected[(method, path)], actual[(method, path)] = row[role], response.status_code
    assert actual == expected


def test_signed_out_visitors_are_sent_to_sign_in(client, org):
    for method, path in PAGES:
        url = url_for_row(path, org)
        response = client.get(url) if method == "GET" else client.post(url)
        assert response.status_code == 302, (method, path)
        assert response.headers["Location"].startswith("/login")


API = {
    ("GET", "/content"): everyone(200),
    ("POST", "/content"): everyone(201),
    ("GET", "/content/{team_item}"): {
        **everyone(404),
        "team_leader": 200,
        "curator": 200,
        "admin": 200,
    },
    ("PATCH", "/content/{team_item}"): {
        **everyone(404),
        "team_leader": 200,
        "curator": 200,
        "admin": 200,
    },
    ("POST", "/content/{draft}/submit"): {
        **everyone(404),
        "member": 200,
        "curator": 200,
        "admin": 200,
    },
    ("POST", "/content/{team_item}/approve"): {
        **everyone(404),
        "team_leader": 200,
        "curator": 200,
        "admin": 200,
    },
    ("POST", "/content/{team_item}/reject"): {
        **everyone(404),
        "team_leader": 200,
        "curator": 200,
        "admin": 200,
    },
    ("POST", "/content/{live}/archive"): {**everyone(403), "curator": 200, "admin": 200},
    ("GET", "/feed"): everyone(200),
    ("POST", "/content/{live}/shares"): everyone(201),
    ("GET", "/sources"): {**everyone(403), "admin": 200},
    ("POST", "/sources"): {**everyone(403), "admin": 201},
    ("GET", "/policy"): everyone(404),
    ("PUT", "/policy"): {**everyone(403), "admin": 200},
}
BODIES = {
    "/content": {"title": "New", "destination_url": "https://acme.example/new"},
    "patch": {"summary": "Sharper summary"},
    "reject": {"note": "Not now"},
    "shares": {"network": "linkedin"},
    "/sources": {"name": "Blog", "url": "https://blog.acme.example/rss"},
    "/policy": {"title": "Policy", "body": "Be kind."},
}


def _body(method: str, path: str):
    if method == "PATCH":
        return BODIES["patch"]
    for key in ("reject", "shares"):
        if path.endswith(key):
            return BODIES[key]
    return BODIES.get(path)


@pytest.mark.parametrize("role", ROLES[1:])
def test_api_permissions(api, org, role):
    client = api(org[PEOPLE[role]])
    expected, actual = {}, {}
    for (method, path), row in API.items():
        url = "/api/v1" + url_for_row(path, org)
        response = client.open(url, method=method, json=_body(method, path))
        if response.status_code >= 400:
            problem_of(response, response.status_code)
        expected[(method, path)], actual[(method, path)] = row[role], response.status_code
    assert actual == expected


def test_api_needs_a_token(app, client, org, validated_responses):
    for method, path in API:
        url = "/api/v1" + url_for_row(path, org)
        problem_of(client.open(url, method=method, json=_body(method, path)), 401)
