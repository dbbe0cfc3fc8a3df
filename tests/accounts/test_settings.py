"""A user's own settings: profile, password and personal API tokens (page, fragment, boosted)."""

from __future__ import annotations

import re

from advocacy.accounts.models import ApiToken
from advocacy.accounts.service import authenticate
from advocacy.extensions import db
from tests.factories import PASSWORD

TOKEN = re.compile(r'id="new-token" type="text" readonly value="(adv_[^"]+)"')
HTMX = {"HX-Request": "true", "HX-Target": "tokens"}


def _profile(**changes) -> dict:
    data = {
        "display_name": "Maya M",
        "job_title": "Analyst",
        "department": "Finance",
        "location": "Leeds",
        "timezone": "America/Vancouver",
        "working_hours_start": "08:00",
        "working_hours_end": "16:00",
        "languages": "en, FR",
    }
    return {**data, **changes}


def test_profile_update(client, login_as, user):
    login_as(user, client)
    response = client.post("/settings/profile", data=_profile())
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.display_name, user.timezone, user.languages) == (
        "Maya M",
        "America/Vancouver",
        ["en", "fr"],
    )
    assert "Your profile is saved." in client.get("/settings/").get_data(as_text=True)


def test_profile_with_bad_time_zone_changes_nothing(client, login_as, user):
    login_as(user, client)
    response = client.post("/settings/profile", data=_profile(timezone="Europe/Atlantis"))
    assert response.status_code == 422
    assert "Unknown time zone &#39;Europe/Atlantis&#39;" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert (user.display_name, user.timezone) == ("Maya Member", "Europe/London")


def test_password_change(client, login_as, user):
    login_as(user, client)
    wrong = client.post(
        "/settings/password", data={"current_password": "nope", "password": "a new passphrase"}
    )
    assert wrong.status_code == 422
    assert "This is not your current password." in wrong.get_data(as_text=True)
    done = client.post(
        "/settings/password", data={"current_password": PASSWORD, "password": "a new passphrase"}
    )
    assert done.status_code == 302
    assert authenticate(user.email, "a new passphrase") is not None
    assert authenticate(user.email, PASSWORD) is None


def test_token_is_shown_once_and_revoking_stops_the_api(app, client, login_as, user):
    login_as(user, client)
    created = client.post("/settings/tokens", data={"name": "reporting script"})
    assert created.status_code == 201
    plaintext = TOKEN.search(created.get_data(as_text=True)).group(1)
    api = app.test_client()
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {plaintext}"
    assert api.get("/api/v1/me").status_code == 200

    page = client.get("/settings/").get_data(as_text=True)
    assert plaintext not in page and "reporting script" in page
    token = db.session.scalar(db.select(ApiToken))
    assert token.token_hash != plaintext

    revoked = client.post(f"/settings/tokens/{token.id}/revoke")
    assert revoked.status_code == 303
    assert api.get("/api/v1/me").status_code == 401
    assert "revoked" in client.get("/settings/").get_data(as_text=True)


def test_cannot_revoke_someone_elses_token(client, login_as, user, admin, api_token):
    api_token(admin)
    token = db.session.scalar(db.select(ApiToken))
    login_as(user, client)
    assert client.post(f"/settings/tokens/{token.id}/revoke").status_code == 404


def test_htmx_token_create_returns_the_fragment(client, login_as, user):
    login_as(user, client)
    response = client.post("/settings/tokens", data={"name": "bot"}, headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 201
    assert "<html" not in body and body.lstrip().startswith('<section id="tokens"')
    assert TOKEN.search(body)
    assert 'hx-swap-oob="true"' in body and "Copy the token now" in body
    assert "HX-Request" in response.headers["Vary"]

    token = db.session.scalar(db.select(ApiToken))
    revoked = client.post(f"/settings/tokens/{token.id}/revoke", headers=HTMX)
    assert revoked.status_code == 200
    assert "<html" not in revoked.get_data(as_text=True) and "revoked" in revoked.get_data(
        as_text=True
    )


def test_htmx_token_create_with_errors_returns_the_fragment(client, login_as, user):
    login_as(user, client)
    response = client.post("/settings/tokens", data={"name": ""}, headers=HTMX)
    assert response.status_code == 422
    assert "<html" not in response.get_data(as_text=True)


def test_htmx_profile_error_returns_the_page(client, login_as, user):
    login_as(user, client)
    response = client.post(
        "/settings/profile", data=_profile(timezone="Nowhere"), headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert '<section id="tokens"' not in response.get_data(as_text=True)[:40]
    assert 'id="profile-title"' in response.get_data(as_text=True)


def test_boosted_request_gets_the_full_page(client, login_as, user):
    login_as(user, client)
    headers = {"HX-Request": "true", "HX-Boosted": "true"}
    response = client.post("/settings/tokens", data={"name": "boosted"}, headers=headers)
    assert response.status_code == 201
    assert "<html" in response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]
    page = client.get("/settings/", headers=headers)
    assert "<html" in page.get_data(as_text=True)
