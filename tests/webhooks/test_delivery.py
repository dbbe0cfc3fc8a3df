"""Deliveries through a real local HTTP receiver: signing, retries with backoff, timeouts,
redirects, giving up and switching a subscription off, and the outbox's transaction rule."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from standardwebhooks import Webhook

from advocacy.extensions import db
from advocacy.models_base import utcnow
from advocacy.webhooks import delivery
from advocacy.webhooks.models import WebhookDelivery, WebhookEvent
from advocacy.webhooks.outbox import claim_lease, longest_attempt, record_event


def _deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def _retry(run_jobs) -> None:
    """What the periodic sweep does, then the jobs it queued."""
    delivery.deliver_due()
    run_jobs()


def test_delivery_is_signed_and_verifiable(receiver, subscribe, run_jobs):
    subscription, secret = subscribe(receiver.url, events=["thread.created"])
    record_event("thread.created", {"thread": {"id": 7, "title": "Hello"}})
    db.session.commit()
    run_jobs()

    [request] = receiver.requests
    headers = request.headers
    assert headers["content-type"] == "application/json"
    # Verified by hand with the standard library, the way the README tells receivers to ...
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + request.body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    # ... and by the Standard Webhooks reference library.
    payload = Webhook(secret).verify(request.body, headers)
    assert payload["type"] == "thread.created"
    assert payload["id"] == headers["webhook-id"]
    assert payload["data"] == {"thread": {"id": 7, "title": "Hello"}}
    assert payload["created_at"].endswith("Z")
    # A wrong secret does not verify.
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + base64.b64encode(b"x" * 32).decode()).verify(request.body, headers)

    [row] = _deliveries()
    assert (row.state, row.attempts, row.status_code, row.error) == ("succeeded", 1, 200, "")
    assert row.response_excerpt == "ok" and row.duration_ms is not None
    assert row.subscription.last_success_at is not None


def test_a_500_is_retried_with_the_same_message_id(receiver, subscribe, run_jobs):
    subscribe(receiver.url, events=["thread.created"])
    receiver.script = [500]
    record_event("thread.created", {"n": 1})
    db.session.commit()
    run_jobs()
    [row] = _deliveries()
    assert (row.state, row.attempts, row.status_code, row.error) == ("pending", 1, 500, "HTTP 500")
    assert len(row.response_excerpt) == 1000  # bounded excerpt of a 5 KB answer
    assert row.next_attempt_at is not None

    _retry(run_jobs)
    [row] = _deliveries()
    assert (row.state, row.attempts, row.status_code) == ("succeeded", 2, 200)
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert row.subscription.consecutive_failures == 0


def test_timeouts_exhaust_the_attempts_and_switch_the_subscription_off(
    receiver, subscribe, run_jobs
):
    subscription, _ = subscribe(receiver.url, events=["thread.created"])
    receiver.script = ["timeout"] * 6
    for n in range(2):  # WEBHOOKS_DISABLE_AFTER = 2 deliveries in a row
        record_event("thread.created", {"n": n})
    db.session.commit()
    run_jobs()
    _retry(run_jobs)
    _retry(run_jobs)
    rows = _deliveries()
    assert [(r.state, r.attempts) for r in rows] == [("failed", 3), ("failed", 3)]
    assert rows[0].error == "Timed out waiting for a reply."
    assert rows[0].status_code is None
    assert len(receiver.requests) == 6
    db.session.refresh(subscription)
    assert subscription.active is False
    assert "2 deliveries in a row failed" in subscription.disabled_reason
    # Off means no new event is recorded for it, and nothing is due any more.
    assert record_event("thread.created", {"n": 9}) is None
    assert delivery.deliver_due() == 0


def test_redirects_are_not_followed(receiver, subscribe, run_jobs):
    subscribe(receiver.url, events=["thread.created"])
    receiver.script = [("redirect", receiver.url + "/elsewhere")]
    record_event("thread.created", {})
    db.session.commit()
    run_jobs()
    [row] = _deliveries()
    assert row.status_code == 302 and row.state == "pending"
    assert "redirects are not followed" in row.error
    assert [r.path for r in receiver.requests] == ["/hooks"]


def test_an_unreachable_host_is_a_failed_attempt(subscribe, run_jobs):
    subscribe("http://127.0.0.1:9/nothing-listens", events=["thread.created"])
    record_event("thread.created", {})
    db.session.commit()
    run_jobs()
    [row] = _deliveries()
    assert row.state == "pending" and row.attempts == 1
    assert row.error.startswith("Could not reach 127.0.0.1")


def test_a_rollback_sends_nothing(receiver, subscribe, run_jobs):
    subscribe(receiver.url, events=["thread.created"])
    record_event("thread.created", {"n": 1})
    db.session.rollback()
    run_jobs()
    assert receiver.requests == []
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 0
    assert _deliveries() == []


def test_only_subscribed_active_targets_get_an_event(receiver, subscribe, run_jobs):
    subscribe(receiver.url, events=["share.created"])
    assert record_event("thread.created", {}) is None
    with pytest.raises(ValueError, match="unknown"):
        record_event("no.such", {})


def test_an_attempt_is_made_once_even_if_queued_twice(receiver, subscribe, run_jobs):
    subscribe(receiver.url, events=["thread.created"])
    record_event("thread.created", {})
    db.session.commit()
    run_jobs()
    [row] = _deliveries()
    assert delivery.attempt_delivery(row.id) is None  # done: the claim refuses it
    assert len(receiver.requests) == 1


def test_backoff_grows_exponentially_with_jitter_and_a_cap(app):
    app.config.update(WEBHOOKS_BACKOFF_BASE=60.0, WEBHOOKS_BACKOFF_MAX=3600.0)
    for attempts in (1, 2, 3, 10, 30):
        expected = min(3600.0, 60.0 * 2 ** (attempts - 1))
        delays = {delivery.backoff_delay(attempts) for _ in range(20)}
        assert all(expected * 0.8 <= d <= expected * 1.2 for d in delays)
        assert len(delays) > 1  # jittered: retries of many deliveries do not arrive together


def test_event_body_is_compact_json(receiver, subscribe, run_jobs):
    subscribe(receiver.url, events=["thread.created"])
    event = record_event("thread.created", {"title": "Zürich"})
    body = delivery.event_body(event)
    assert json.loads(body)["data"]["title"] == "Zürich"
    assert ", " not in body


def test_finished_deliveries_are_pruned_after_the_retention_period(
    app, receiver, subscribe, run_jobs
):
    subscribe(receiver.url, events=["thread.created"])
    receiver.script = [200, 500]
    record_event("thread.created", {"n": "done"})
    record_event("thread.created", {"n": "still retrying"})
    db.session.commit()
    run_jobs()
    later = utcnow() + timedelta(days=app.config["WEBHOOKS_LOG_RETENTION_DAYS"] + 1)
    assert delivery.prune_log(now=utcnow()) == 0  # nothing is old yet
    assert delivery.prune_log(now=later) == 1
    [kept] = _deliveries()
    assert kept.state == "pending"  # a delivery still being retried is never pruned
    remaining = db.session.scalars(select(WebhookEvent.data)).all()
    assert remaining == [{"n": "still retrying"}]


def test_a_receiver_trickling_its_answer_cannot_hold_an_attempt_past_its_lease(
    app, receiver, subscribe, run_jobs
):
    """httpx's read timeout is per read: a byte every 0.1 s would hold the attempt for minutes,
    past its lease, when the sweep sends the event again. The excerpt stops at a deadline."""
    subscribe(receiver.url, events=["thread.created"])
    receiver.script = ["trickle"]
    record_event("thread.created", {"n": 1})
    db.session.commit()
    run_jobs()
    [row] = _deliveries()
    assert (row.state, row.status_code) == ("succeeded", 200)
    assert 0 < len(row.response_excerpt) < 100 and set(row.response_excerpt) == {"."}
    assert row.duration_ms <= 1000 * longest_attempt()
    assert longest_attempt() + 20 <= claim_lease()
