"""Delivering one event to one target: claim the due attempt, sign, POST with timeouts and no
redirects, log the response, and retry with exponential backoff and jitter, or give up.

Rules:
- An attempt is claimed with a conditional UPDATE that pushes `next_attempt_at` past the
  longest its job can run (outbox.claim_lease), so a sweep and a job never send the same attempt
  twice; a worker killed mid-attempt leaves the claim, and the sweep sends it again after the
  lease, with the same `webhook-id`. The answer's excerpt is read until a deadline, and RQ stops
  a job past its timeout, so a receiver answering a byte at a time cannot outlast the lease.
- Success is any 2xx. A redirect is a failure (never followed: the target must be the URL the
  admin entered). After WEBHOOKS_MAX_ATTEMPTS the delivery is failed; after
  WEBHOOKS_DISABLE_AFTER consecutive failed deliveries the subscription is switched off.
- Webhook targets are signed the Standard Webhooks way (`webhook-id`, `webhook-timestamp`,
  `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`); chat targets get their
  own message format and no signature (Slack and Teams do not check one).
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, exists, select, update
from standardwebhooks import Webhook

from advocacy import outbound
from advocacy.extensions import db
from advocacy.models_base import utcnow
from advocacy.webhooks import chat
from advocacy.webhooks.events import TEST_EVENT
from advocacy.webhooks.models import (
    EXCERPT_MAX,
    DeliveryState,
    TargetKind,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from advocacy.webhooks.outbox import claim_lease, queue_delivery

USER_AGENT = "Advocacy-Webhooks/1.0"
SWEEP_BATCH = 200


@dataclass(frozen=True)
class Outcome:
    """What one HTTP attempt gave."""

    ok: bool
    status_code: int | None
    duration_ms: int
    excerpt: str
    error: str


def event_body(event: WebhookEvent) -> str:
    """The JSON body of a webhook delivery: {id, type, created_at, data}."""
    payload = {
        "id": event.uid,
        "type": event.type,
        "created_at": event.created_at.isoformat().replace("+00:00", "Z"),
        "data": event.data,
    }
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def signature_headers(secret: str, message_id: str, body: str, at: datetime) -> dict[str, str]:
    """Standard Webhooks headers for `body`, signed with the subscription's `whsec_` secret."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
    }


def backoff_delay(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: exponential, capped, +-20%."""
    config = current_app.config
    delay = min(
        config["WEBHOOKS_BACKOFF_MAX"], config["WEBHOOKS_BACKOFF_BASE"] * 2 ** (attempts - 1)
    )
    return delay * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not a secret


def deliver_due(limit: int = SWEEP_BATCH) -> int:
    """Queue a delivery job for every attempt that is due (the periodic retry sweep)."""
    ids = list(
        db.session.scalars(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.state == DeliveryState.PENDING,
                WebhookDelivery.next_attempt_at <= utcnow(),
            )
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(limit)
        )
    )
    db.session.rollback()  # end the read so the jobs (in-process ones too) start clean
    for delivery_id in ids:
        queue_delivery(delivery_id)
    return len(ids)


def attempt_delivery(delivery_id: int) -> str | None:
    """Make the due attempt of one delivery, if it is still due; returns the new state."""
    if not _claim(delivery_id):
        return None
    delivery = db.session.get(WebhookDelivery, delivery_id)
    subscription, event = delivery.subscription, delivery.event
    if not subscription.active and event.type != TEST_EVENT:
        _finish(delivery, DeliveryState.FAILED, error="The subscription is turned off.")
        db.session.commit()
        return delivery.state
    outcome = _post(subscription, event)
    _record(delivery, outcome)
    db.session.commit()
    return delivery.state


def _claim(delivery_id: int) -> bool:
    now = utcnow()
    lease = claim_lease()
    result = db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.state == DeliveryState.PENDING,
            WebhookDelivery.next_attempt_at <= now,
        )
        .values(
            next_attempt_at=now + timedelta(seconds=lease),
            attempts=WebhookDelivery.attempts + 1,
            last_attempt_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _post(subscription: WebhookSubscription, event: WebhookEvent) -> Outcome:
    """One HTTP POST to the target, timed, with its response excerpt or the error."""
    config = current_app.config
    if subscription.kind == TargetKind.WEBHOOK:
        body = event_body(event)
        headers = signature_headers(subscription.secret, event.uid, body, utcnow())
    else:
        body = json.dumps(chat.message(subscription.kind, event), ensure_ascii=False)
        headers = {}
    headers.update({"Content-Type": "application/json", "User-Agent": USER_AGENT})
    connect, read = config["WEBHOOKS_CONNECT_TIMEOUT"], config["WEBHOOKS_READ_TIMEOUT"]
    use = outbound.Use(
        "webhook",
        max_bytes=EXCERPT_MAX * 4,  # the log keeps an excerpt; the rest is not read
        connect_timeout=connect,
        read_timeout=read,
        total_seconds=2 * (connect + read),  # outbox.longest_attempt
        redirects=0,
        truncate=True,
    )
    started = time.monotonic()
    try:
        answer = outbound.fetch(subscription.url, use, "POST", headers, body.encode())
    except (outbound.OutboundRefused, outbound.OutboundFailed) as error:
        return Outcome(False, None, _ms(started), "", error.reason[:500])
    status = answer.status
    excerpt = answer.body.decode("utf-8", errors="replace")[:EXCERPT_MAX]
    error = ""
    if 300 <= status < 400:
        error = f"Redirected (HTTP {status}) to {answer.location or '?'}: "
        error += "redirects are not followed; enter the final URL."
    elif not 200 <= status < 300:
        error = f"HTTP {status}"
    return Outcome(not error, status, _ms(started), excerpt, error[:500])


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _record(delivery: WebhookDelivery, outcome: Outcome) -> None:
    delivery.status_code = outcome.status_code
    delivery.duration_ms = outcome.duration_ms
    delivery.response_excerpt = outcome.excerpt
    delivery.error = outcome.error
    subscription = delivery.subscription
    now = utcnow()
    if outcome.ok:
        _finish(delivery, DeliveryState.SUCCEEDED)
        subscription.consecutive_failures = 0
        subscription.last_success_at = now
        return
    subscription.last_failure_at = now
    is_test = delivery.event.type == TEST_EVENT  # a test answers at once: one attempt only
    if not is_test and delivery.attempts < current_app.config["WEBHOOKS_MAX_ATTEMPTS"]:
        delivery.next_attempt_at = now + timedelta(seconds=backoff_delay(delivery.attempts))
        return
    _finish(delivery, DeliveryState.FAILED, error=outcome.error)
    if is_test:
        return  # a failed test says something about the endpoint, not about live traffic
    subscription.consecutive_failures += 1
    if subscription.active and (
        subscription.consecutive_failures >= current_app.config["WEBHOOKS_DISABLE_AFTER"]
    ):
        subscription.active = False
        subscription.disabled_reason = (
            f"Turned off after {subscription.consecutive_failures} deliveries in a row failed "
            f"(last: {outcome.error or 'no answer'}). Fix the endpoint, send a test, turn it on."
        )


def _finish(delivery: WebhookDelivery, state: DeliveryState, error: str = "") -> None:
    delivery.state = state.value
    delivery.completed_at = utcnow()
    delivery.next_attempt_at = None
    if error:
        delivery.error = error


def prune_log(now: datetime | None = None) -> int:
    """Delete finished deliveries older than WEBHOOKS_LOG_RETENTION_DAYS, then the events no
    delivery needs any more; pending ones are never pruned. Returns the deliveries deleted."""
    days = current_app.config["WEBHOOKS_LOG_RETENTION_DAYS"]
    cutoff = (now or utcnow()) - timedelta(days=days)
    deleted = db.session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.state != DeliveryState.PENDING,
            WebhookDelivery.created_at < cutoff,
        )
    ).rowcount
    db.session.execute(
        delete(WebhookEvent).where(
            WebhookEvent.created_at < cutoff,
            ~exists().where(WebhookDelivery.event_id == WebhookEvent.id),
        )
    )
    db.session.commit()
    return deleted
