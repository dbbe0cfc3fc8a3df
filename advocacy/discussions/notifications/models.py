"""Notification tables: in-app notifications, each person's discussion preferences (handle,
e-mail switches, digest schedule, quiet hours, last seen) and the digest runs already sent."""

from __future__ import annotations

import enum
from datetime import datetime, time

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.accounts.models import User
from advocacy.extensions import db
from advocacy.models_base import UTCDateTime, utcnow

HANDLE_MAX = 30


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


class DigestFrequency(enum.StrEnum):
    OFF = "off"
    DAILY = "daily"
    WEEKLY = "weekly"


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


class MemberProfile(db.Model):
    """A person's discussion settings, created on first need with a handle for @mentions."""

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    handle: Mapped[str] = mapped_column(String(HANDLE_MAX), unique=True)
    email_mention: Mapped[bool] = mapped_column(Boolean, default=True)
    email_reply: Mapped[bool] = mapped_column(Boolean, default=True)
    email_assignment: Mapped[bool] = mapped_column(Boolean, default=True)
    email_announcement: Mapped[bool] = mapped_column(Boolean, default=True)
    digest: Mapped[str] = mapped_column(String(8), default=DigestFrequency.DAILY.value)
    digest_hour: Mapped[int] = mapped_column(Integer, default=8)
    digest_weekday: Mapped[int] = mapped_column(Integer, default=0)  # Monday
    quiet_start: Mapped[time | None] = mapped_column(Time)
    quiet_end: Mapped[time | None] = mapped_column(Time)
    # The zone next_digest_at was computed in: a profile whose owner moved is recomputed.
    digest_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    next_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    def wants_email(self, kind: str) -> bool:
        """Whether this person asked for an immediate e-mail of this kind."""
        return kind in EMAILED_KINDS and bool(getattr(self, f"email_{kind}"))


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
