"""Sign-in: wrong passwords, CSRF, brute force and open redirects."""

from __future__ import annotations

from tests.factories import PASSWORD


def _signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_wrong_password_is_401_with_message(client, user):
    response = client.post("/login", data={"email": user.email, "password": "not my password"})
    assert response.status_code == 401
    assert "The e-mail or password is not right." in response.get_data(as_text=True)
    assert not _signed_in(client)


def test_deactivated_user_cannot_sign_in(client, user, admin):
    from advocacy.accounts.service import deactivate_user

    deactivate_user(user, admin)
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 401
    )


def test_missing_csrf_token_is_400_and_not_signed_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert "security token is missing or expired" in response.get_data(as_text=True)
    assert not _signed_in(client)


def test_forged_csrf_token_is_400(client, user):
    client.get("/login")
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": "forged"},
        csrf=False,
    )
    assert response.status_code == 400
    assert not _signed_in(client)


def test_brute_force_is_rate_limited(make_app, user):
    app = make_app(RATELIMIT_LOGIN="3 per minute")
    with app.app_context():
        client = app.test_client()
        statuses = [
            client.post(
                "/login", data={"email": "maya@example.com", "password": f"guess {n}"}
            ).status_code
            for n in range(4)
        ]
        blocked = client.post("/login", data={"email": "maya@example.com", "password": PASSWORD})
    assert statuses == [401, 401, 401, 429]
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert "Retry-After" in blocked.headers


def test_next_is_followed_only_on_this_site(client, login_as, user):
    response = client.post(
        "/login?next=/settings/", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/settings/"


def test_open_redirect_is_ignored(app, user):
    for target in ("//evil.com", "https://evil.com/", "/\\evil.com"):
        client = app.test_client()
        response = client.post(
            f"/login?next={target}", data={"email": user.email, "password": PASSWORD}
        )
        assert response.status_code == 302
        assert "evil.com" not in response.headers["Location"], target


def test_logout_needs_post(client, login_as, user):
    login_as(user, client)
    assert client.get("/logout").status_code == 405
    assert _signed_in(client)
    assert client.post("/logout").status_code == 302
    assert not _signed_in(client)
