"""A real SMTP server on localhost (aiosmtpd) that keeps what it receives, for mail tests."""

from __future__ import annotations

import email
import socket
from email.message import EmailMessage
from email.policy import default

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """Collects each message the server accepts."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        """Messages addressed to `address`."""
        return [m for m in self.messages if address in m["To"]]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_inbox():
    """A running SMTP server; its `Inbox` lists what arrived."""
    inbox = Inbox()
    inbox.port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def smtp_app(make_app, smtp_inbox):
    """An app whose e-mail goes through real SMTP to `smtp_inbox`."""
    app = make_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    with app.app_context():
        yield app
