"""A real `flask worker` is SIGKILLed while a webhook delivery is in flight (the receiver holds
the request): the delivery stays leased, is sent again once the lease runs out, and is logged as
delivered exactly once; the receiver sees at most two attempts, with the same `webhook-id`."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from rq import Queue
from sqlalchemy import select
from standardwebhooks import Webhook

from advocacy.extensions import db
from advocacy.jobs import AppWorker
from advocacy.models_base import utcnow
from advocacy.webhooks.models import WebhookDelivery
from advocacy.webhooks.outbox import DELIVER_JOB, record_event
from advocacy.webhooks.subscriptions import SubscriptionInput, create_subscription
from tests.factories import UserFactory
from tests.faults.processes import (
    hand_back_abandoned_jobs,
    kill_with_its_work_horses,
    start_worker,
    wait_for,
)
from tests.webhooks.receiver import start_receiver

SWEEP_JOB = "advocacy.webhooks.jobs.retry_due_deliveries"


def deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_delivery_killed_in_flight_is_delivered_once_after_restart(make_app, redis_url):
    receiver, server, thread = start_receiver()
    receiver.script = ["timeout"]  # the first request is held: no answer until released
    app = make_app(REDIS_URL=redis_url, OUTBOUND_ALLOW="127.0.0.1/32")
    try:
        with app.app_context():
            admin = UserFactory(role="admin")
            _, secret = create_subscription(
                SubscriptionInput(
                    name="CRM", url=receiver.url, kind="webhook", events=["thread.created"]
                ),
                admin,
            )
            record_event("thread.created", {"thread": {"id": 7, "title": "Hello"}})
            db.session.commit()  # the delivery job goes to Redis
            queue = Queue("default", connection=app.extensions["jobs"].redis)

            process = start_worker(app, {}, queues="default")
            try:
                assert wait_for(lambda: receiver.requests), "the worker never sent the delivery"
            finally:
                kill_with_its_work_horses(process)
                receiver.release.set()

            # The dead worker's attempt is claimed (leased), not finished and not lost.
            [row] = deliveries()
            assert (row.state, row.attempts, row.status_code) == ("pending", 1, None)
            lease_ends = row.next_attempt_at
            assert lease_ends > utcnow() + timedelta(seconds=20)

            hand_back_abandoned_jobs(queue)
            restarted = AppWorker([queue], connection=queue.connection)
            restarted.flask_app = app

            # Within the lease the sweep leaves it alone: its sender might only be slow.
            queue.enqueue(SWEEP_JOB)
            restarted.work(burst=True, with_scheduler=False)
            assert len(receiver.requests) == 1
            assert deliveries()[0].state == "pending"

            # Past the lease the periodic sweep sends it again, and it is delivered.
            with time_machine.travel(lease_ends + timedelta(seconds=1), tick=True):
                queue.enqueue(SWEEP_JOB)
                restarted.work(burst=True, with_scheduler=False)
                [row] = deliveries()
                assert (row.state, row.attempts, row.status_code) == ("succeeded", 2, 200)
                assert row.error == "" and row.completed_at is not None

                # A late duplicate job and later sweeps send nothing more.
                queue.enqueue(DELIVER_JOB, row.id)
                queue.enqueue(SWEEP_JOB)
                restarted.work(burst=True, with_scheduler=False)

            first, second = receiver.requests
            assert first.headers["webhook-id"] == second.headers["webhook-id"]
            for request in (first, second):
                payload = Webhook(secret).verify(request.body, request.headers)
                assert payload["id"] == first.headers["webhook-id"]
            [row] = deliveries()
            assert (row.state, row.attempts) == ("succeeded", 2)
    finally:
        receiver.release.set()
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
