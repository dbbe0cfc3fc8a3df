"""Forgotten passwords: the e-mailed link, its single use, its expiry and the rate limit."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine

from advocacy.accounts.service import authenticate
from advocacy.models_base import utcnow
from tests.factories import PASSWORD

LINK = re.compile(r"http://advocacy\.test(/password/reset/\S+)")
NEW = "a brand new passphrase"


def _ask(client, email: str):
    return client.post("/password/forgot", data={"email": email})


def _link(message) -> str:
    return LINK.search(message.body).group(1)


def test_known_and_unknown_addresses_get_the_same_answer(client, user, mail_outbox, run_jobs):
    known = _ask(client, "MAYA@example.com")
    unknown = _ask(client, "nobody@example.com")
    run_jobs()
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert len(mail_outbox) == 1
    assert mail_outbox[0].to == ["maya@example.com"]
    assert "/password/reset/" in mail_outbox[0].body
    page = client.get("/login").get_data(as_text=True)
    assert "reset link is on its way" in page


def test_link_works_once(client, user, mail_outbox, run_jobs):
    _ask(client, user.email)
    run_jobs()
    link = _link(mail_outbox[0])
    assert client.get(link).status_code == 200
    done = client.post(link, data={"password": NEW, "confirm": NEW})
    assert done.status_code == 302
    assert authenticate(user.email, NEW) is not None
    again = client.post(
        link, data={"password": "another passphrase", "confirm": "another passphrase"}
    )
    assert again.status_code == 410
    assert "already used" in again.get_data(as_text=True)
    assert client.get(link).status_code == 410
    assert authenticate(user.email, NEW) is not None


def test_expired_link(app, client, user, mail_outbox, run_jobs):
    _ask(client, user.email)
    run_jobs()
    link = _link(mail_outbox[0])
    later = utcnow() + timedelta(seconds=app.config["PASSWORD_RESET_MAX_AGE"] + 60)
    with time_machine.travel(later, tick=False):
        page = client.get(link)
        posted = client.post(link, data={"password": NEW, "confirm": NEW})
    assert page.status_code == posted.status_code == 410
    assert "This reset link has expired" in posted.get_data(as_text=True)
    assert authenticate(user.email, PASSWORD) is not None


def test_tampered_link(client, user):
    response = client.post("/password/reset/not-a-token", data={"password": NEW, "confirm": NEW})
    assert response.status_code == 410
    assert "not valid" in response.get_data(as_text=True)


def test_mismatched_passwords_are_refused(client, user, mail_outbox, run_jobs):
    _ask(client, user.email)
    run_jobs()
    response = client.post(
        _link(mail_outbox[0]), data={"password": NEW, "confirm": "something else"}
    )
    assert response.status_code == 422
    assert "The passwords differ." in response.get_data(as_text=True)


def test_rate_limit(make_app, mail_outbox):
    app = make_app(RATELIMIT_PASSWORD_RESET="2 per minute")
    with app.app_context():
        client = app.test_client()
        statuses = [_ask(client, "nobody@example.com").status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
