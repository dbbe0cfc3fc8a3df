"""What notifications hold about a person, for the privacy export, and how an erasure treats it:
their notifications and digest runs go; notifications others got about their actions stay,
under the anonymous account."""

from __future__ import annotations

from sqlalchemy import delete, select

from advocacy.accounts.models import User
from advocacy.discussions.notifications.models import DigestRun, Notification
from advocacy.extensions import db


def export_person(user: User) -> dict:
    """The notifications they received."""
    notifications = db.session.scalars(
        select(Notification).where(Notification.recipient_id == user.id).order_by(Notification.id)
    )
    return {
        "notifications": [
            {
                "kind": n.kind,
                "thread_id": n.thread_id,
                "post_id": n.post_id,
                "created_at": n.created_at,
                "read_at": n.read_at,
            }
            for n in notifications
        ]
    }


def anonymise_person(user: User) -> None:
    """Delete their notifications and the record of the digests they were sent."""
    db.session.execute(delete(Notification).where(Notification.recipient_id == user.id))
    db.session.execute(delete(DigestRun).where(DigestRun.user_id == user.id))
