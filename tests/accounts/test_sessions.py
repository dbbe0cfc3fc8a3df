"""Sessions that end: a copied session cookie stops working once its session ends (sign-out, a
password change or reset, a deactivation, an erasure, "sign out everywhere"), sessions expire,
and settings list where the person is signed in."""

from __future__ import annotations

import time_machine
from sqlalchemy import select

from advocacy.accounts import service, sessions
from advocacy.accounts.models import UserSession
from advocacy.accounts.tokens import password_reset_token
from advocacy.extensions import db
from tests.factories import PASSWORD, UserFactory

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def copy_of(app, client):
    """Another browser holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def signed_in(client) -> bool:
    return client.get("/settings/").status_code == 200


def test_a_copied_cookie_stops_working_after_sign_out(app, login_as, user):
    client = login_as(user)
    thief = copy_of(app, client)
    assert signed_in(thief)
    client.post("/logout")
    assert not signed_in(client)
    response = thief.get("/settings/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    assert row.ended_at is not None and row.end_reason == "signed out"


def test_a_password_change_keeps_this_browser_and_ends_the_others(app, login_as, user):
    laptop, phone = login_as(user), login_as(user)
    thief = copy_of(app, phone)
    response = laptop.post(
        "/settings/password",
        data={"current_password": PASSWORD, "password": "a brand new long passphrase"},
    )
    assert response.status_code == 302
    assert signed_in(laptop)
    assert not signed_in(phone) and not signed_in(thief)


def test_a_password_reset_ends_every_session(app, login_as, client, user):
    laptop = login_as(user)
    token = password_reset_token(user)
    new = "another long passphrase"
    response = client.post(f"/password/reset/{token}", data={"password": new, "confirm": new})
    assert response.status_code in (302, 303)
    assert not signed_in(laptop)


def test_deactivation_ends_sessions_and_api_tokens_at_once(app, login_as, api_token, admin, user):
    browser = login_as(user)
    secret = api_token(user)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/me", headers=headers).status_code == 200
    service.deactivate_user(user, admin)
    assert not signed_in(browser)
    refused = api.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401
    assert "deactivated" in refused.get_json()["detail"]
    service.reactivate_user(user)
    assert not signed_in(browser)  # ended sessions stay ended: sign in again
    assert login_as(user) and api.get("/api/v1/me", headers=headers).status_code == 200


def test_erasure_ends_every_session_and_forgets_them(app, login_as, user):
    laptop, phone = login_as(user), login_as(user)
    response = laptop.post(
        "/settings/privacy/erase", data={"confirm_email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 303
    assert not signed_in(phone) and not signed_in(laptop)
    assert db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all() == []


def test_settings_list_sessions_and_sign_out_the_others(app, login_as, user):
    laptop = login_as(user)
    phone = app.test_client()
    phone.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        headers={"User-Agent": CHROME},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    page = laptop.get("/settings/").get_data(as_text=True)
    assert "Where you&#39;re signed in" in page or "Where you're signed in" in page
    assert "Chrome 131 on Windows" in page and "198.51.100.7" in page
    assert page.count("This browser") == 1
    response = laptop.post("/settings/sessions/end-others", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert (
        response.get_data(as_text=True).lstrip().startswith('<section class="card" id="sessions"')
    )
    assert "1 other session signed out." in response.get_data(as_text=True)
    assert signed_in(laptop) and not signed_in(phone)


def test_signing_out_one_session_from_settings(app, login_as, user):
    laptop, phone = login_as(user), login_as(user)
    rows = sessions.active_sessions(user)
    assert len(rows) == 2
    phone_row = max(rows, key=lambda row: row.id)
    response = laptop.post(f"/settings/sessions/{phone_row.id}/end")
    assert response.status_code == 303
    assert signed_in(laptop) and not signed_in(phone)
    laptop_row = sessions.active_sessions(user)[0]
    response = laptop.post(f"/settings/sessions/{laptop_row.id}/end")
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert not signed_in(laptop)


def test_nobody_ends_someone_elses_session(app, login_as, user):
    login_as(user)
    other = login_as(UserFactory())
    theirs = sessions.active_sessions(user)[0]
    response = other.post(f"/settings/sessions/{theirs.id}/end")
    assert response.status_code == 404
    assert db.session.get(UserSession, theirs.id).ended_at is None


def test_sessions_expire(app, client, user):
    with time_machine.travel("2026-12-01 09:00:00+00:00", tick=False) as clock:
        client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert signed_in(client)
        clock.shift(sessions.SESSION_HOURS * 3600 + 60)
        assert not signed_in(client)


def test_keep_me_signed_in_lasts_thirty_days(app, client, user):
    with time_machine.travel("2026-12-01 09:00:00+00:00", tick=False) as clock:
        response = client.post(
            "/login", data={"email": user.email, "password": PASSWORD, "remember": "y"}
        )
        assert "Expires=" in response.headers["Set-Cookie"]  # outlives the browser
        clock.shift(20 * 86400)
        assert signed_in(client)
        clock.shift(11 * 86400)
        assert not signed_in(client)


def test_a_session_key_is_stored_hashed(app, login_as, user):
    client = login_as(user)
    with client.session_transaction() as cookie:
        key = cookie[sessions.KEY]
    stored = db.session.scalar(select(UserSession.key_hash).where(UserSession.user_id == user.id))
    assert key not in stored and len(stored) == 64
