"""Conversions: downstream outcomes (a signup, a lead, an application) that the destination's
site reports, server to server, for the tracked code it received as `adv_ref`.

Signing: the caller sends `X-Advocacy-Signature: t=<unix seconds>,v1=<hex>` where v1 is
HMAC-SHA256 of "<t>.<raw body>" under the shared secret (CONVERSIONS_SECRET, or the one an admin
set). A missing or wrong signature, or one older than SIGNATURE_TOLERANCE, is rejected (401).
Idempotency: (type, external_id) is unique; a repeated report answers 200 with the conversion
already recorded and counts nothing again (the first answers 201).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from advocacy.accounts.organisation import get_organisation
from advocacy.errors import ServiceError, ValidationFailed
from advocacy.extensions import db
from advocacy.feeds.sharing import find_tracked_link
from advocacy.leaderboard.bulk import upsert_rows
from advocacy.leaderboard.reach.audience import reach_settings
from advocacy.leaderboard.reach.ingest import COUNTERS, local_day_of, team_ids_of
from advocacy.leaderboard.reach.models import (
    CONVERSION_TYPE_MAX,
    EXTERNAL_ID_MAX,
    Conversion,
    ReachDaily,
    ReachSettings,
    TeamReachDaily,
)
from advocacy.leaderboard.reach.signals import conversion_recorded

SIGNATURE_HEADER = "X-Advocacy-Signature"
SIGNATURE_TOLERANCE = 300  # seconds: a captured request cannot be replayed later than this
TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


class SignatureRejected(ServiceError):
    """The request is not signed with the conversions secret."""

    status = 401
    title = "Unauthorized"


def conversions_secret() -> str:
    """The signing secret: the CONVERSIONS_SECRET setting wins over the admin-set one. Only
    read: an unsigned call from anyone must not create the settings row."""
    if current_app.config.get("CONVERSIONS_SECRET"):
        return current_app.config["CONVERSIONS_SECRET"]
    stored = select(ReachSettings.conversions_secret).order_by(ReachSettings.id).limit(1)
    return db.session.scalar(stored) or ""


def rotate_conversions_secret() -> str:
    """Give the organisation a new random secret (the old one stops working); commits."""
    settings = reach_settings()
    settings.conversions_secret = secrets.token_urlsafe(32)
    db.session.commit()
    return settings.conversions_secret


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header value for `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def check_signature(body: bytes, header: str, now: float | None = None) -> None:
    """SignatureRejected unless `header` signs `body` with our secret, recently."""
    secret = conversions_secret()
    if not secret:
        raise SignatureRejected("Conversions are off: no signing secret is set yet.")
    parts = dict(part.split("=", 1) for part in (header or "").split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        raise SignatureRejected(
            f"Sign the request: {SIGNATURE_HEADER}: t=<unix time>,v1=<HMAC-SHA256 hex>."
        ) from None
    now = time.time() if now is None else now
    if abs(now - timestamp) > SIGNATURE_TOLERANCE:
        raise SignatureRejected("The signature's timestamp is too old or in the future.")
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, parts.get("v1", "")):
        raise SignatureRejected("The signature does not match the body.")


def record_conversion(
    ref: str, type_: str, external_id: str, occurred_at: datetime | None = None
) -> tuple[Conversion, bool]:
    """Record a conversion for the tracked link `ref`; (conversion, True) when new, or the one
    already recorded with this type and external id and False. Commits."""
    _check_fields(type_, external_id)
    existing = _existing(type_, external_id)
    if existing is not None:
        return existing, False
    link = find_tracked_link(ref)
    if link is None:
        raise ValidationFailed.field("ref", "No tracked link has this code.")
    moment = occurred_at or datetime.now(UTC)
    day = local_day_of(moment, ZoneInfo(get_organisation().default_timezone))
    team_ids = list(team_ids_of({link.user_id}).get(link.user_id, ()))
    conversion = Conversion(
        type=type_,
        external_id=external_id,
        tracked_link_id=link.id,
        user_id=link.user_id,
        content_id=link.content_id,
        network=link.network,
        campaign=link.content.campaign,
        team_ids=team_ids,
        occurred_at=moment,
        local_day=day,
    )
    db.session.add(conversion)
    try:
        db.session.flush()
    except IntegrityError:  # the same report, sent twice at once
        db.session.rollback()
        return _existing(type_, external_id), False
    one = {"raw_hits": 0, "bot_hits": 0, "human_clicks": 0, "unique_visitors": 0, "conversions": 1}
    upsert_rows(
        ReachDaily,
        [
            {
                "local_day": day,
                "user_id": link.user_id,
                "content_id": link.content_id,
                "network": link.network,
                "campaign": link.content.campaign,
            }
            | one
        ],
        ("local_day", "user_id", "content_id", "network", "campaign"),
        add=COUNTERS,
    )
    upsert_rows(
        TeamReachDaily,
        [{"local_day": day, "team_id": team, "network": link.network} | one for team in team_ids],
        ("local_day", "team_id", "network"),
        add=COUNTERS,
    )
    conversion_recorded.send(current_app._get_current_object(), conversion=conversion)
    db.session.commit()
    return conversion, True


def _check_fields(type_: str, external_id: str) -> None:
    errors = {}
    if not TYPE_PATTERN.match(type_ or "") or len(type_) > CONVERSION_TYPE_MAX:
        errors["type"] = [
            f"Use a lower-case word such as signup, lead or application "
            f"(letters, digits, _; at most {CONVERSION_TYPE_MAX})."
        ]
    if not (external_id or "").strip() or len(external_id) > EXTERNAL_ID_MAX:
        errors["external_id"] = [
            f"Send your own id of this conversion (1 to {EXTERNAL_ID_MAX} characters), "
            "so a repeated report counts once."
        ]
    if errors:
        raise ValidationFailed("Some conversion fields are not valid.", errors)


def _existing(type_: str, external_id: str) -> Conversion | None:
    return db.session.scalar(
        select(Conversion).where(Conversion.type == type_, Conversion.external_id == external_id)
    )
