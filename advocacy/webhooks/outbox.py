"""The outbox: events are rows written in the transaction that caused them, with one delivery
per subscribed target; the delivery jobs are queued for after the commit. A rollback therefore
sends nothing, and a crash after the commit loses nothing (the retry sweep finds the rows)."""

from __future__ import annotations

import math
import secrets

from flask import current_app
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.jobs import enqueue
from advocacy.models_base import utcnow
from advocacy.webhooks.events import EVENT_TYPES, TEST_EVENT
from advocacy.webhooks.models import WebhookDelivery, WebhookEvent, WebhookSubscription

DELIVER_JOB = "advocacy.webhooks.jobs.deliver"
JOB_SLACK = 10  # seconds a delivery job may run past its HTTP attempt (two short commits)
LEASE_SLACK = 30  # seconds a claim outlasts the job that made it


def longest_attempt() -> float:
    """Seconds one HTTP attempt can take: its excerpt is read until 2 x (connect + read timeout)
    after it started (a pooled connection, connecting, sending, the headers: one timeout each),
    and the read in progress then may take one more read timeout."""
    config = current_app.config
    return 2 * config["WEBHOOKS_CONNECT_TIMEOUT"] + 3 * config["WEBHOOKS_READ_TIMEOUT"]


def claim_lease() -> float:
    """Seconds a claimed attempt is not due again: past the longest its job can run, so only a
    dead (or stopped) sender's attempt is ever sent again, by the retry sweep."""
    return longest_attempt() + JOB_SLACK + LEASE_SLACK


def queue_delivery(delivery_id: int) -> None:
    """Queue one attempt after the commit. RQ stops a job that outlives its timeout (a receiver
    trickling its headers, which no per-read timeout catches) well before the claim's lease ends."""
    timeout = math.ceil(longest_attempt()) + JOB_SLACK
    enqueue(DELIVER_JOB, delivery_id, retries=0, timeout=timeout)


def new_message_id() -> str:
    """A unique, URL-safe message id (`webhook-id`), like Standard Webhooks' `msg_...`."""
    return "msg_" + secrets.token_urlsafe(18)


def record_event(
    event_type: str,
    data: dict,
    *,
    restricted_space_id: int | None = None,
    company_wide: bool = True,
) -> WebhookEvent | None:
    """Write an event for every active subscription to its type (nothing when none is), without
    committing: the caller's commit releases the deliveries, its rollback discards them.

    - `restricted_space_id`: the event comes from a private or secret space; only subscriptions
      an admin scoped to that space receive it (nothing said in such a space leaves otherwise).
    - `company_wide=False`: the event concerns some teams or places only, so chat channels
      (company-wide) do not get it; signed webhooks still do."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    targets = [
        s
        for s in db.session.scalars(
            select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
        )
        if event_type in s.events
        and (restricted_space_id is None or restricted_space_id in (s.space_ids or []))
        and (company_wide or not s.is_chat)
    ]
    if not targets:
        return None
    return _write(event_type, data, targets)


def record_test_event(subscription: WebhookSubscription) -> WebhookDelivery:
    """A `webhook.test` event for one subscription (even a disabled one: testing is how an admin
    checks a fixed endpoint) and commit, so its delivery starts at once."""
    event = _write(
        TEST_EVENT,
        {"subscription": {"id": subscription.id, "name": subscription.name}, "test": True},
        [subscription],
        allow_inactive=True,
    )
    delivery = db.session.scalar(
        select(WebhookDelivery).where(WebhookDelivery.event_id == event.id)
    )
    db.session.commit()
    return delivery


def _write(
    event_type: str,
    data: dict,
    targets: list[WebhookSubscription],
    allow_inactive: bool = False,
) -> WebhookEvent:
    now = utcnow()
    event = WebhookEvent(uid=new_message_id(), type=event_type, data=data, created_at=now)
    db.session.add(event)
    db.session.flush()
    deliveries = [
        WebhookDelivery(
            subscription_id=target.id,
            event_id=event.id,
            next_attempt_at=now,
            created_at=now,
            # a test of a disabled subscription still goes out; the sweep only looks at state
        )
        for target in targets
        if target.active or allow_inactive
    ]
    db.session.add_all(deliveries)
    db.session.flush()
    for delivery in deliveries:
        queue_delivery(delivery.id)
    return event
