"""Background entry points of notifications: the fan-out of a post, notification e-mails and
digests. Each takes ids, loads fresh rows and is safe to run twice."""

from __future__ import annotations

from datetime import datetime

from advocacy.discussions.models import Post
from advocacy.discussions.notifications import digests, service
from advocacy.extensions import db
from advocacy.jobs import Schedule, enqueue
from advocacy.mail import send_mail
from advocacy.models_base import utcnow
from advocacy.web.templating import localtime
from advocacy.web.urls import external_url

FAN_OUT_JOB = "advocacy.discussions.notifications.jobs.fan_out_post"
EMAIL_JOB = "advocacy.discussions.notifications.jobs.send_notification_emails"


def fan_out_post(post_id: int) -> None:
    """Notify the people a new or edited post concerns."""
    post = db.session.get(Post, post_id)
    if post is not None:
        service.notify_about_post(post)


def send_notification_emails(notification_ids: list[int]) -> None:
    """E-mail notifications whose e-mail is due, each at most once."""
    now = utcnow()
    for notification_id in notification_ids:
        notification = service.claim_email(notification_id, now)
        if notification is None or not service.still_visible(notification):
            continue
        recipient = notification.recipient
        try:
            send_mail(
                recipient.email,
                service.sentence(notification),
                "discussions/email/notification",
                notification=notification,
                sentence=service.sentence(notification),
                recipient=recipient,
                when=localtime(notification.created_at, zone=recipient.timezone),
                link=_link(notification),
                settings_link=external_url("notifications.preferences"),
            )
        except Exception:
            service.release_email(notification_id)
            raise


def _link(notification) -> str:
    if notification.thread_id is not None:
        anchor = f"#post-{notification.post_id}" if notification.post_id else ""
        return external_url("threads.view", thread_id=notification.thread_id) + anchor
    if notification.space_id is not None:
        return external_url("spaces.view", space_id=notification.space_id)
    return external_url("notifications.index")


def send_due_notification_emails() -> None:
    """Periodic: queue the e-mails whose recipients' quiet hours have ended."""
    ids = service.due_email_ids(utcnow())
    for start in range(0, len(ids), service.EMAIL_BATCH):
        enqueue(EMAIL_JOB, ids[start : start + service.EMAIL_BATCH], queue="mail")
    db.session.commit()


def queue_due_digests() -> None:
    """Periodic: queue the digests that are due."""
    digests.queue_due_digests()


def send_digest(user_id: int, due_at: str) -> None:
    """Send one person's digest for one due time (ISO 8601), at most once."""
    digests.deliver_digest(user_id, datetime.fromisoformat(due_at))


# Both only decide which e-mails are due, so they run on the mail queue beside the e-mails.
SCHEDULES = [
    Schedule("discussions-digests", queue_due_digests, interval=10 * 60, queue="mail"),
    Schedule(
        "discussions-quiet-hours-emails",
        send_due_notification_emails,
        interval=5 * 60,
        queue="mail",
    ),
]
