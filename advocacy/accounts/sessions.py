"""Sessions that end: every signed-in browser is a row, checked on every request.

- The session cookie carries a random key (`KEY`); the row stores its SHA-256, so a database dump
  holds no usable session. The cookie is signed too, but signing alone cannot take a copy back.
- Signing out ends that row; a password change ends every other session of the person (the
  browser that changed it stays signed in); a password reset, a deactivation and an erasure end
  them all. "Sign out everywhere" in settings ends them from the person's side.
- A session lasts `SESSION_HOURS` (12 h) from its start, or `REMEMBER_DAYS` (30 days) when the
  person ticked "Keep me signed in" (the cookie then outlives the browser too).
- `last_seen_at`, the address and the browser are written at most every `SEEN_INTERVAL`, so a
  request rarely writes.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from ua_parser import parse as parse_user_agent

from advocacy.accounts.models import User, UserSession
from advocacy.extensions import db
from advocacy.models_base import utcnow

KEY = "session_key"
SESSION_HOURS = 12
REMEMBER_DAYS = 30
SEEN_INTERVAL = timedelta(minutes=5)
USER_AGENT_MAX = 300


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start_session(user: User, remember: bool, ip_address: str, user_agent: str) -> str:
    """Record a new signed-in browser; returns the key for its cookie (shown nowhere else)."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    lifetime = timedelta(days=REMEMBER_DAYS) if remember else timedelta(hours=SESSION_HOURS)
    db.session.add(
        UserSession(
            user_id=user.id,
            key_hash=_hash(key),
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            ip_address=(ip_address or "")[:45],
            user_agent=(user_agent or "")[:USER_AGENT_MAX],
        )
    )
    db.session.commit()
    return key


def live_session(user_id: int, key: str | None, now: datetime | None = None) -> UserSession | None:
    """The session this key opened for this user, if it has not ended or expired."""
    if not key:
        return None
    row = db.session.scalar(select(UserSession).where(UserSession.key_hash == _hash(key)))
    now = now or utcnow()
    if row is None or row.user_id != user_id or row.ended_at is not None or row.expires_at <= now:
        return None
    return row


def note_seen(row: UserSession, ip_address: str, user_agent: str) -> None:
    """Remember when and from where the session was last used (throttled; commits)."""
    now = utcnow()
    if now - row.last_seen_at < SEEN_INTERVAL:
        return
    row.last_seen_at = now
    row.ip_address = (ip_address or "")[:45]
    row.user_agent = (user_agent or "")[:USER_AGENT_MAX]
    db.session.commit()


def end_session(key: str | None, reason: str = "signed out") -> None:
    """End the session this key opened (signing out); commits."""
    if key:
        db.session.execute(
            update(UserSession)
            .where(UserSession.key_hash == _hash(key), UserSession.ended_at.is_(None))
            .values(ended_at=utcnow(), end_reason=reason)
        )
        db.session.commit()


def end_sessions(user: User, reason: str, keep_key: str | None = None, commit: bool = True) -> int:
    """End every session of the person but the one `keep_key` opened; returns how many ended."""
    query = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if keep_key:
        query = query.where(UserSession.key_hash != _hash(keep_key))
    ended = db.session.execute(query.values(ended_at=utcnow(), end_reason=reason)).rowcount
    if commit:
        db.session.commit()
    return ended


def end_session_of(user: User, session_id: int) -> bool:
    """End one of the person's own sessions (from the settings page); False if none such."""
    ended = db.session.execute(
        update(UserSession)
        .where(
            UserSession.id == session_id,
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
        )
        .values(ended_at=utcnow(), end_reason="ended from settings")
    ).rowcount
    db.session.commit()
    return bool(ended)


def active_sessions(user: User) -> list[UserSession]:
    """The person's sessions that have not ended or expired, most recently used first."""
    return list(
        db.session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.ended_at.is_(None),
                UserSession.expires_at > utcnow(),
            )
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


def is_current(row: UserSession, key: str | None) -> bool:
    """Whether `row` is the session of the browser asking."""
    return bool(key) and row.key_hash == _hash(key)


def device_label(user_agent: str) -> str:
    """ "Firefox 128 on Windows", from what the browser says of itself (ua-parser's rules)."""
    if not user_agent:
        return "Unknown browser"
    parsed = parse_user_agent(user_agent)
    browser = parsed.user_agent.family if parsed.user_agent else "Unknown browser"
    if parsed.user_agent and parsed.user_agent.major:
        browser = f"{browser} {parsed.user_agent.major}"
    system = parsed.os.family if parsed.os and parsed.os.family != "Other" else ""
    return f"{browser} on {system}" if system else browser


def forget_sessions(user: User) -> None:
    """Delete the person's session rows (erasure: addresses and browsers are personal data)."""
    db.session.execute(UserSession.__table__.delete().where(UserSession.user_id == user.id))
