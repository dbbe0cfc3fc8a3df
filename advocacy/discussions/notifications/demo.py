"""The notifications part of `flask seed-demo`, after the discussions' own step: a notification
for every mention, reply to a thread's author and assignment in the demo threads, most of the
older ones already read."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from advocacy.demo import DemoOrganisation
from advocacy.discussions.models import MemberProfile, Post, Thread
from advocacy.discussions.notifications.models import Notification, NotificationKind
from advocacy.extensions import db
from advocacy.models_base import utcnow

READ_AFTER = timedelta(days=3)  # older notifications were read five hours after they came


def seed_notifications(demo: DemoOrganisation) -> None:
    """Notify as the demo's posts would have: mentions, replies, assignments."""
    by_handle = dict(db.session.execute(select(MemberProfile.handle, MemberProfile.user_id)).all())
    for post in db.session.scalars(select(Post).options(selectinload(Post.thread))).all():
        thread = post.thread
        mentioned = [by_handle[w[1:].rstrip(".,!")] for w in post.body_source.split()
                     if w.startswith("@") and w[1:].rstrip(".,!") in by_handle]  # fmt: skip
        recipients = [(uid, NotificationKind.MENTION) for uid in mentioned]
        if not post.is_opening and thread.author_id not in (post.author_id, None):
            recipients.append((thread.author_id, NotificationKind.REPLY))
        for recipient, kind in recipients:
            if recipient == post.author_id:
                continue
            old = post.created_at < utcnow() - READ_AFTER
            read_at = post.created_at + timedelta(hours=5) if old else None
            db.session.add(Notification(
                recipient_id=recipient, kind=kind.value, actor_id=post.author_id,
                space_id=thread.space_id, thread_id=thread.id, post_id=post.id,
                created_at=post.created_at, read_at=read_at,
            ))  # fmt: skip
    for thread in db.session.scalars(select(Thread).where(Thread.assignee_id.is_not(None))):
        db.session.add(Notification(
            recipient_id=thread.assignee_id, kind=NotificationKind.ASSIGNMENT.value,
            actor_id=thread.author_id, space_id=thread.space_id, thread_id=thread.id,
            created_at=thread.assigned_at,
        ))  # fmt: skip
    db.session.commit()
