"""Invitations: the e-mailed link sets a password and signs the person in, once."""

from __future__ import annotations

import re
from datetime import timedelta

from advocacy.accounts.jobs import send_invitation
from advocacy.accounts.service import Profile, authenticate
from advocacy.accounts.tokens import invite_user
from advocacy.extensions import db
from advocacy.models_base import utcnow

LINK = re.compile(r"http://advocacy\.test(/invitations/\S+)")
NEW = "my first passphrase"


def _invite(admin, mail_outbox):
    invitation, secret = invite_user(
        "new@example.com", Profile(display_name="Noor New"), "member", ["Ops"], admin
    )
    send_invitation(invitation.id, secret)
    return invitation, LINK.search(mail_outbox[-1].body).group(1)


def test_invitation_mail_renders_outside_a_request_like_in_a_worker(app, admin, mail_outbox):
    invitation, secret = invite_user(
        "w@example.com", Profile(display_name="W"), "member", [], admin
    )
    send_invitation(invitation.id, secret)
    assert len(mail_outbox) == 1


def test_invitation_mail_and_acceptance(client, admin, mail_outbox):
    invitation, link = _invite(admin, mail_outbox)
    message = mail_outbox[-1]
    assert message.to == ["new@example.com"]
    assert "Ada Admin invited you to join Acme" in message.body
    assert authenticate("new@example.com", NEW) is None  # no password yet

    page = client.get(link)
    assert page.status_code == 200
    assert "Welcome, Noor New" in page.get_data(as_text=True)
    accepted = client.post(link, data={"password": NEW, "confirm": NEW})
    assert accepted.status_code == 302
    assert client.get("/").status_code == 200  # signed in
    assert authenticate("new@example.com", NEW) is not None

    used = client.get(link)
    assert used.status_code == 410
    assert "already accepted" in used.get_data(as_text=True)


def test_used_invitation_is_not_mailed_again(app, admin, mail_outbox, client):
    invitation, link = _invite(admin, mail_outbox)
    client.post(link, data={"password": NEW, "confirm": NEW})
    send_invitation(invitation.id, "whatever")
    assert len(mail_outbox) == 1


def test_expired_invitation(client, admin, mail_outbox):
    invitation, link = _invite(admin, mail_outbox)
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.post(link, data={"password": NEW, "confirm": NEW})
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    assert authenticate("new@example.com", NEW) is None


def test_refused_password_keeps_invitation_open(client, admin, mail_outbox):
    invitation, link = _invite(admin, mail_outbox)
    response = client.post(link, data={"password": "short", "confirm": "short"})
    assert response.status_code == 422
    db.session.expire_all()
    assert invitation.accepted_at is None
    assert client.get(link).status_code == 200


def test_unknown_invitation_link(client):
    response = client.get("/invitations/nonsense")
    assert response.status_code == 410
    assert "not valid" in response.get_data(as_text=True)
