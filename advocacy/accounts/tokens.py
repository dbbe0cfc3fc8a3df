"""Secrets handed to people: personal API tokens, password-reset links and invitation links."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from advocacy.accounts.models import ApiToken, Invitation, User
from advocacy.accounts.passwords import password_problems
from advocacy.accounts.service import add_user, find_user_by_email, set_password
from advocacy.accounts.validation import normalise_email
from advocacy.errors import Conflict, Gone, NotFound, ValidationFailed
from advocacy.extensions import db
from advocacy.jobs import enqueue
from advocacy.models_base import utcnow

TOKEN_PREFIX = "adv_"  # noqa: S105 - a public marker, not a secret
TOKEN_NAME_MAX = 80
# last_used_at is written at most this often, so API calls do not each cost a write
LAST_USED_RESOLUTION = timedelta(minutes=5)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- personal API tokens --------------------------------------------------------------------


def create_api_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`; the plaintext is returned once and never stored."""
    name = (name or "").strip() or "API token"
    if len(name) > TOKEN_NAME_MAX:
        raise ValidationFailed.field("name", f"Use at most {TOKEN_NAME_MAX} characters.")
    if not user.active:
        raise Conflict(f"{user.display_name} is deactivated and cannot get tokens.")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=_digest(plaintext), prefix=plaintext[:10])
    db.session.add(token)
    db.session.commit()
    return token, plaintext


def user_for_api_token(plaintext: str) -> User | None:
    """The active owner of a live token, or None for unknown, revoked or deactivated."""
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 128:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(plaintext)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    return token.user


def list_api_tokens(user: User) -> list[ApiToken]:
    """A user's tokens, newest first, revoked ones included so the history is visible."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_api_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("No such token.")
    if token.revoked_at is not None:
        raise Conflict("This token is already revoked.")
    token.revoked_at = utcnow()
    db.session.commit()
    return token


# --- password reset -------------------------------------------------------------------------


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user: User) -> str:
    # Binding the token to the current hash makes it single-use: a new password voids it.
    return _digest(user.password_hash or "")[:16]


def password_reset_token(user: User) -> str:
    """A signed, expiring token for the reset link."""
    return _reset_serializer().dumps({"uid": user.id, "pw": _password_fingerprint(user)})


def user_for_reset_email(email: str) -> User | None:
    """The active user a reset e-mail should go to, if any (callers must not reveal which)."""
    try:
        user = find_user_by_email(normalise_email(email))
    except ValidationFailed:
        return None
    return user if user is not None and user.active and user.password_hash else None


def request_password_reset(email: str) -> None:
    """E-mail a reset link when the address has an active account; silent otherwise."""
    user = user_for_reset_email(email)
    if user is not None:
        enqueue("advocacy.accounts.jobs.send_password_reset", user.id, queue="mail")
    # The job is dispatched on commit: without one, the read's transaction would drop it.
    db.session.commit()


def user_for_reset_token(token: str) -> User:
    """The user a reset link is for; Gone when the link expired, was used or was tampered with."""
    try:
        data = _reset_serializer().loads(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"]
        )
    except SignatureExpired:
        raise Gone("This reset link has expired. Ask for a new one.") from None
    except BadSignature:
        raise Gone("This reset link is not valid. Ask for a new one.") from None
    uid = data.get("uid") if isinstance(data, dict) else None
    user = db.session.get(User, uid) if isinstance(uid, int) else None
    if user is None or not user.active or data.get("pw") != _password_fingerprint(user):
        raise Gone("This reset link was already used or is no longer valid. Ask for a new one.")
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link; Gone when the link expired or was used."""
    user = user_for_reset_token(token)
    set_password(user, new_password)
    return user


# --- invitations ----------------------------------------------------------------------------


def add_invitation(user: User, invited_by: User | None) -> tuple[Invitation, str]:
    """An invitation for a user without a password (flushed); returns it and its secret."""
    secret = secrets.token_urlsafe(32)
    invitation = Invitation(
        user=user,
        invited_by=invited_by,
        token_hash=_digest(secret),
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_MAX_AGE_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, secret


def invite_user(
    email: str, profile, role: str, team_names, invited_by: User
) -> tuple[Invitation, str]:
    """Create the user (no password yet) and their invitation, and commit."""
    user = add_user(email, profile, None, role, team_names)
    invitation, secret = add_invitation(user, invited_by)
    db.session.commit()
    return invitation, secret


def find_invitation(secret: str) -> Invitation:
    """The open invitation behind a link, or Gone saying why it cannot be used."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == _digest(secret or ""))
    )
    if invitation is None:
        raise Gone("This invitation link is not valid. Ask your administrator for a new one.")
    if invitation.accepted_at is not None:
        raise Gone("This invitation was already accepted. Sign in instead.")
    if invitation.expires_at < utcnow():
        raise Gone("This invitation has expired. Ask your administrator for a new one.")
    if not invitation.user.active:
        raise Gone("This account has been deactivated.")
    return invitation


def accept_invitation(secret: str, password: str) -> User:
    """Set the invited user's password and close the invitation."""
    invitation = find_invitation(secret)
    # Check first, so a refused password does not leave the invitation marked accepted.
    if problems := password_problems(password):
        raise ValidationFailed("The password is not acceptable.", {"password": problems})
    invitation.accepted_at = utcnow()
    set_password(invitation.user, password)  # commits both
    return invitation.user
