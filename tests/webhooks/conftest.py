"""Webhook fixtures: an app with fast retries and short timeouts, and a live local receiver."""

from __future__ import annotations

import pytest

from advocacy.webhooks.subscriptions import SubscriptionInput, create_subscription
from tests.webhooks.receiver import start_receiver

FAST = {
    "WEBHOOKS_BACKOFF_BASE": 0.0,  # a failed attempt is due again at once
    "WEBHOOKS_CONNECT_TIMEOUT": 0.5,
    "WEBHOOKS_READ_TIMEOUT": 0.75,  # short, yet a loaded 2-core CI machine still answers in time
    "WEBHOOKS_MAX_ATTEMPTS": 3,
    "WEBHOOKS_DISABLE_AFTER": 2,
    # The receivers listen on loopback: allowed the way an operator allows intranet hosts.
    "OUTBOUND_ALLOW": "127.0.0.1/32",
}


@pytest.fixture
def app(make_app):
    app = make_app(**FAST)
    with app.app_context():
        yield app


@pytest.fixture
def receiver():
    receiver, server, thread = start_receiver()
    yield receiver
    receiver.release.set()
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture
def subscribe(admin):
    """Subscribe a URL (the receiver's by default) to events; returns (subscription, secret)."""

    def make(url: str, events=("content.approved",), kind: str = "webhook", name: str = "Hook"):
        return create_subscription(
            SubscriptionInput(name=name, url=url, kind=kind, events=list(events)), admin
        )

    return make
