"""Bearer-token authentication: every failure is a 401 problem with a WWW-Authenticate challenge;
the browser session never authenticates the API, and the API needs no CSRF token."""

from __future__ import annotations

import pytest

from advocacy.accounts.service import deactivate_user
from advocacy.accounts.tokens import create_api_token, revoke_api_token
from tests.openapi_validation import problem_of

ME = "/api/v1/me"


def _unauthorized(response) -> dict:
    body = problem_of(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")
    return body


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer    ", "Basic dXNlcjpwYXNz", "Token adv_abc", "adv_abc"],
    ids=["missing", "empty", "bearer-no-token", "bearer-blank", "basic", "token-scheme", "bare"],
)
def test_missing_or_malformed_header(client, user, header):
    headers = {} if header is None else {"Authorization": header}
    body = _unauthorized(client.get(ME, headers=headers))
    assert "Bearer" in body["detail"]


@pytest.mark.parametrize("token", ["adv_unknown", "not-a-token", "adv_" + "x" * 200])
def test_unknown_token(client, user, api_token, token):
    api_token(user)  # a real token exists, just not this one
    response = client.get(ME, headers={"Authorization": f"Bearer {token}"})
    _unauthorized(response)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_scheme_is_case_insensitive(client, user, api_token):
    response = client.get(ME, headers={"Authorization": f"bearer {api_token(user)}"})
    assert response.status_code == 200
    assert response.get_json()["email"] == user.email


def test_revoked_token(client, user):
    token, secret = create_api_token(user, "laptop")
    assert client.get(ME, headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    revoke_api_token(user, token.id)
    _unauthorized(client.get(ME, headers={"Authorization": f"Bearer {secret}"}))


def test_token_of_a_deactivated_user(client, user, admin, api_token):
    secret = api_token(user)
    assert client.get(ME, headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    deactivate_user(user, admin)
    _unauthorized(client.get(ME, headers={"Authorization": f"Bearer {secret}"}))


def test_every_endpoint_requires_a_token(client, app):
    for method, path in [
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/users"),
        ("GET", "/api/v1/teams"),
        ("POST", "/api/v1/teams"),
        ("POST", "/api/v1/teams/1/members"),
    ]:
        _unauthorized(client.open(path, method=method, json={}))


def test_the_session_cookie_does_not_authenticate_the_api(login_as, admin):
    browser = login_as(admin)
    assert browser.get("/settings/").status_code == 200  # the session really is signed in
    _unauthorized(browser.get(ME))
    _unauthorized(browser.post("/api/v1/teams", json={"name": "Via cookie"}))


def test_api_posts_need_no_csrf_token(api, admin, app):
    assert app.config.get("WTF_CSRF_ENABLED", True)
    response = api(admin).post("/api/v1/teams", json={"name": "Platform"}, csrf=False)
    assert response.status_code == 201
    assert response.get_json()["name"] == "Platform"


def test_a_browser_form_post_still_needs_csrf(login_as, user):
    browser = login_as(user)
    response = browser.post("/logout", data={}, csrf=False)
    assert response.status_code == 400
