"""Headers on every kind of answer, cookie flags in production, the per-person posting limit
(pages and API) and request size limits, each with a clear message."""

from __future__ import annotations

import pytest

from advocacy.accounts.tokens import create_api_token
from advocacy.extensions import limiter
from tests.factories import PASSWORD, UserFactory
from tests.web.test_assets import csp_directives


@pytest.mark.parametrize(
    "path", ["/login", "/api/v1/openapi.json", "/api/v1/me", "/no/such/page", "/static/css/app.css"]
)
def test_every_kind_of_answer_carries_the_security_headers(client, path):
    response = client.get(path)
    response.close()
    csp = csp_directives(response.headers["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"] and response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_production_cookies_are_secure_and_https_is_remembered(make_app, database_url):
    app = make_app(ADVOCACY_ENV="production", DATABASE_URL=database_url)
    with app.app_context():
        response = app.test_client().get("/login", base_url="https://advocacy.test")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    flags = {flag.strip().lower() for flag in cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite=lax"} <= flags
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_posting_is_limited_per_person_with_retry_after(make_app):
    app = make_app(RATELIMIT_POSTING="3 per minute")
    with app.app_context():
        maya, noor = UserFactory(email="maya@example.com"), UserFactory(email="noor@example.com")
        client, other = app.test_client(), app.test_client()
        for person, each in ((maya, client), (noor, other)):
            assert (
                each.post("/login", data={"email": person.email, "password": PASSWORD}).status_code
                == 302
            )
            each.csrf_token = None
        statuses = [
            client.post("/settings/tokens", data={"name": f"t{n}"}).status_code for n in range(3)
        ]
        blocked = client.post("/settings/tokens", data={"name": "one too many"})
        others = other.post("/settings/tokens", data={"name": "mine"})

    assert all(status < 400 for status in statuses), statuses
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "posting too quickly" in blocked.get_data(as_text=True)
    assert others.status_code < 400  # the limit is per person, not per address


def test_an_app_with_limits_off_leaves_the_next_app_limited(make_app):
    """Found when the walk's hostile-input module (limits off) ran before the posting limits."""
    make_app(RATELIMIT_ENABLED=False)
    make_app()
    assert limiter.enabled


def test_api_posting_is_limited_per_token_in_problem_json(make_app, api_token):
    app = make_app(RATELIMIT_POSTING="2 per minute")
    with app.app_context():
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {api_token(UserFactory())}"
        statuses = [
            client.post("/api/v1/notifications/read", json={}).status_code for _ in range(3)
        ]
        reading = client.get("/api/v1/me")
        blocked = client.post("/api/v1/notifications/read", json={})

    assert statuses == [200, 200, 429]
    assert reading.status_code == 200  # reading is not posting
    assert blocked.mimetype == "application/problem+json" and blocked.headers["Retry-After"]
    assert "posting too quickly" in blocked.get_json()["detail"]


def test_signing_in_is_not_counted_as_posting(make_app):
    app = make_app(RATELIMIT_POSTING="1 per minute")
    with app.app_context():
        UserFactory(email="maya@example.com")
        client = app.test_client()
        answers = [
            client.post("/login", data={"email": "maya@example.com", "password": "wrong"})
            for _ in range(3)
        ]
    assert [a.status_code for a in answers] == [401, 401, 401]


def test_a_request_over_the_size_limit_is_413_with_the_limits(app, client, login_as, user):
    login_as(user, client)
    too_big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/settings/tokens", data={"name": too_big})
    assert response.status_code == 413
    assert "at most 8 MB" in response.get_data(as_text=True)


def test_one_text_field_over_its_limit_is_413(app, client, login_as, user):
    """Multipart bodies are parsed field by field (url-encoded ones only have the whole limit and
    each field's own length check: a 422 naming the field)."""
    login_as(user, client)
    huge = "x" * (app.config["MAX_FORM_MEMORY_SIZE"] + 1)
    token = client.fetch_csrf_token()
    body = "".join(
        f'--edge\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in (("csrf_token", token), ("display_name", huge))
    )
    response = client.post(
        "/settings/profile",
        data=(body + "--edge--\r\n").encode(),
        content_type="multipart/form-data; boundary=edge",
    )
    assert response.status_code == 413
    assert "one text field at most 512 KB" in response.get_data(as_text=True)


def test_an_api_body_over_the_limit_is_413_problem_json(app, api, user):
    body = '{"body": "' + "x" * app.config["MAX_CONTENT_LENGTH"] + '"}'
    response = api(user).post("/api/v1/threads/1/posts", data=body, content_type="application/json")
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    assert "at most 8 MB" in response.get_json()["detail"]


@pytest.mark.parametrize("escaped", ["a\\u0000b", "half a pair \\ud800"])
def test_text_no_database_can_store_is_refused_up_front(client, login_as, user, api, escaped):
    """NUL (PostgreSQL refuses it) and unpaired surrogates (not UTF-8), in forms and JSON."""
    if "0000" in escaped:
        login_as(user, client)
        page = client.post("/teams/", data={"name": "a\x00b"}, headers={"HX-Request": "true"})
        assert page.status_code == 400
        assert "cannot be stored" in page.get_data(as_text=True)
    body = '{"name": "' + escaped + '", "visibility": "public"}'
    response = api(user).post("/api/v1/spaces", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "cannot be stored" in response.get_json()["detail"]


def test_guessing_api_tokens_is_limited_per_address(make_app):
    """Failed bearer tokens were not limited: an address could try tokens as fast as it liked."""
    app = make_app(RATELIMIT_TOKEN_FAILURES="3 per minute")
    with app.app_context():
        owner = UserFactory()
        valid = create_api_token(owner, "real")[1]
        guesser = app.test_client()
        guesser.environ_base["REMOTE_ADDR"] = "203.0.113.7"
        bystander = app.test_client()
        bystander.environ_base["REMOTE_ADDR"] = "198.51.100.20"

        def me(client, token):
            return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

        guesses = [me(guesser, f"guess-{n}").status_code for n in range(3)]
        blocked = me(guesser, "guess-4")
        blocked_valid = me(guesser, valid)
        elsewhere = me(bystander, valid)
    assert guesses == [401, 401, 401]
    assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "60"
    assert "unknown tokens" in blocked.get_json()["detail"]
    assert blocked_valid.status_code == 429  # nothing more is looked up from that address
    assert elsewhere.status_code == 200
