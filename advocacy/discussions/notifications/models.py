"""Notification tables: in-app notifications and the digest runs already sent (each person's
e-mail switches and digest schedule live on their MemberProfile, in the discussions core)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.accounts.models import User
from advocacy.extensions import db
from advocacy.models_base import UTCDateTime, utcnow


class NotificationKind(enum.StrEnum):
    """Why someone is notified. The first four can also be e-mailed at once."""

    MENTION = "mention"
    REPLY = "reply"
    ASSIGNMENT = "assignment"
    ANNOUNCEMENT = "announcement"
    NEW_THREAD = "new_thread"
    ACCEPTED = "accepted"
    JOIN_REQUEST = "join_request"
    JOINED = "joined"


EMAILED_KINDS = (
    NotificationKind.MENTION,
    NotificationKind.REPLY,
    NotificationKind.ASSIGNMENT,
    NotificationKind.ANNOUNCEMENT,
)


class Notification(db.Model):
    """Something that happened for one recipient. `email_due_at` is set when it should also be
    e-mailed (at once, or when the recipient's quiet hours end); `emailed_at` once it was."""

    __table_args__ = (
        Index("ix_notification_recipient_unread", "recipient_id", "read_at"),
        Index("ix_notification_email_due", "email_due_at", "emailed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    space_id: Mapped[int | None] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient: Mapped[User] = relationship(foreign_keys=[recipient_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    space = relationship("Space")
    thread = relationship("Thread")
    post = relationship("Post")


class DigestRun(db.Model):
    """One digest due time handled for one person: the row is the idempotency key, written and
    committed before the e-mail leaves, so a retried job never sends twice."""

    __table_args__ = (UniqueConstraint("user_id", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(16), default="sent")
    items: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
