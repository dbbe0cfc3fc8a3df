"""Outgoing e-mail: one `send_mail` for every feature, and the embedded default's log backend."""

from __future__ import annotations

import logging

from flask import current_app, render_template
from flask_mailman import EmailMultiAlternatives
from flask_mailman.backends.base import BaseEmailBackend

log = logging.getLogger("advocacy.mail")


class LogEmailBackend(BaseEmailBackend):
    """Writes each message to the log, in full, instead of sending it (no SMTP server is
    configured): on the embedded default a password-reset link is read there. flask-mailman
    loads a custom backend by a dotted path whose class name ends in "EmailBackend"."""

    def send_messages(self, email_messages):
        for message in email_messages:
            log.info(
                "E-mail to %s (no MAIL_SERVER: written here instead of sent)\nSubject: %s\n\n%s",
                ", ".join(message.to),
                message.subject,
                message.body,
            )
        return len(email_messages)


def send_mail(to: str, subject: str, template: str, **context) -> None:
    """Render `templates/<template>.txt` (and `.html` when present) and send it to one address."""
    body = render_template(f"{template}.txt", **context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[to],
    )
    message.send()
