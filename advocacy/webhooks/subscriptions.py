"""Subscriptions: create (with a secret shown once), list, enable, disable, delete.

Targets may be on the company's own network (an intranet product posts to internal systems),
so private and loopback hosts are allowed; only admins create subscriptions, and only http(s)
URLs without credentials are accepted. Redirects are never followed when delivering."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from advocacy import outbound
from advocacy.accounts.models import User
from advocacy.discussions import spaces
from advocacy.errors import Conflict, Forbidden, NotFound, ValidationFailed
from advocacy.extensions import db
from advocacy.feeds.links import url_problem
from advocacy.webhooks.events import CHAT_EVENTS, EVENT_TYPES
from advocacy.webhooks.models import URL_MAX, TargetKind, WebhookDelivery, WebhookSubscription

NAME_MAX = 120
SECRET_PREFIX = "whsec_"  # noqa: S105 - Standard Webhooks: base64 of the key's bytes behind this prefix


@dataclass
class SubscriptionInput:
    """What an admin submits for a new subscription."""

    name: str
    url: str
    kind: str = TargetKind.WEBHOOK.value
    events: list[str] = field(default_factory=list)
    space_ids: list[int] = field(default_factory=list)  # private/secret spaces it may hear of


def new_secret() -> str:
    """A fresh signing secret: 32 random bytes, Standard Webhooks' `whsec_<base64>` form."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def check_input(data: SubscriptionInput) -> SubscriptionInput:
    """The input cleaned, or ValidationFailed naming every bad field."""
    errors: dict[str, list[str]] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = ["Give the subscription a name, e.g. “CRM sync”."]
    elif len(name) > NAME_MAX:
        errors["name"] = [f"Use at most {NAME_MAX} characters."]
    url = (data.url or "").strip()
    problem = (
        "Enter the URL to deliver to."
        if not url
        else url_problem(url) or outbound.destination_refusal(url)
    )
    if problem is None and len(url) > URL_MAX:
        problem = f"Use at most {URL_MAX} characters."
    if problem:
        errors["url"] = [problem]
    if data.kind not in {k.value for k in TargetKind}:
        errors["kind"] = ["Choose webhook, slack or teams."]
    events = list(dict.fromkeys(data.events or []))
    if data.kind in (TargetKind.SLACK, TargetKind.TEAMS):
        events = list(CHAT_EVENTS)  # a channel gets readable posts of new content only
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown:
        errors["events"] = [f"Unknown event type: {', '.join(unknown)}."]
    elif not events:
        errors["events"] = ["Choose at least one event."]
    space_ids = list(dict.fromkeys(data.space_ids or []))
    restricted = {space.id for space in spaces.restricted_spaces()}
    if any(space_id not in restricted for space_id in space_ids):
        errors["space_ids"] = ["Choose private or secret spaces that exist."]
    if errors:
        raise ValidationFailed("The subscription could not be saved.", errors)
    return SubscriptionInput(name=name, url=url, kind=data.kind, events=events, space_ids=space_ids)


def scoped_space_names(subscription: WebhookSubscription) -> list[str]:
    """The names of the private and secret spaces the subscription is scoped to."""
    scoped = set(subscription.space_ids or [])
    return [space.name for space in spaces.restricted_spaces() if space.id in scoped]


def create_subscription(data: SubscriptionInput, actor: User) -> tuple[WebhookSubscription, str]:
    """Add a subscription and commit; returns it with its secret (shown to the admin once)."""
    _require_admin(actor)
    values = check_input(data)
    secret = new_secret() if values.kind == TargetKind.WEBHOOK else ""
    subscription = WebhookSubscription(
        kind=values.kind,
        name=values.name,
        url=values.url,
        events=values.events,
        space_ids=values.space_ids,
        secret=secret,
        created_by_id=actor.id,
    )
    db.session.add(subscription)
    db.session.commit()
    return subscription, secret


def subscriptions_query():
    """A select of every subscription, newest first."""
    return select(WebhookSubscription).order_by(WebhookSubscription.id.desc())


def list_subscriptions() -> list[WebhookSubscription]:
    """Every subscription, newest first."""
    return list(db.session.scalars(subscriptions_query()))


def get_subscription(subscription_id: int) -> WebhookSubscription:
    """One subscription, or NotFound."""
    subscription = db.session.get(WebhookSubscription, subscription_id)
    if subscription is None:
        raise NotFound("There is no such webhook subscription.")
    return subscription


def set_active(subscription: WebhookSubscription, active: bool, actor: User) -> None:
    """Enable (forgetting past failures) or disable a subscription, and commit."""
    _require_admin(actor)
    if subscription.active == active:
        raise Conflict(f"“{subscription.name}” is already {'on' if active else 'off'}.")
    subscription.active = active
    subscription.disabled_reason = "" if active else "Turned off by an admin."
    if active:
        subscription.consecutive_failures = 0
    db.session.commit()


def replace_secret(subscription: WebhookSubscription, actor: User) -> str:
    """Give a webhook subscription a new signing secret (returned once) and commit."""
    _require_admin(actor)
    if subscription.kind != TargetKind.WEBHOOK:
        raise Conflict("Chat posts are not signed: there is no secret to replace.")
    subscription.secret = new_secret()
    db.session.commit()
    return subscription.secret


def delete_subscription(subscription: WebhookSubscription, actor: User) -> None:
    """Remove a subscription with its delivery log."""
    _require_admin(actor)
    db.session.delete(subscription)
    db.session.commit()


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise Forbidden("Only admins manage webhooks.")


def deliveries_query(subscription: WebhookSubscription):
    """A select of the subscription's deliveries, newest first, with their events."""
    return (
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription.id)
        .options(selectinload(WebhookDelivery.event))
        .order_by(WebhookDelivery.id.desc())
    )


def recent_deliveries(subscription: WebhookSubscription, limit: int = 50) -> list[WebhookDelivery]:
    """The delivery log's latest rows."""
    return list(db.session.scalars(deliveries_query(subscription).limit(limit)))


def delivery_log_rows(subscription: WebhookSubscription):
    """Every delivery as a CSV row (streamed in batches), newest first."""
    query = deliveries_query(subscription).execution_options(yield_per=500)
    for item in db.session.scalars(query):
        yield (
            item.id,
            item.event.type,
            item.event.uid,
            item.state,
            item.attempts,
            item.status_code,
            item.duration_ms,
            item.error,
            item.response_excerpt,
            item.created_at,
            item.last_attempt_at,
            item.completed_at,
        )


DELIVERY_LOG_HEADER = (
    "id",
    "event",
    "message id",
    "state",
    "attempts",
    "status code",
    "duration ms",
    "error",
    "response excerpt",
    "created at (UTC)",
    "last attempt (UTC)",
    "completed (UTC)",
)
