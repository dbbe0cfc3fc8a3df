"""Discussion tables: spaces and their members, threads, posts, revisions, reactions, flags,
acknowledgements, follows and read markers.

Deletion is soft everywhere (`deleted_at`): search and digests filter on it, moderators restore.
"""

from __future__ import annotations

import enum
from datetime import datetime, time

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.accounts.models import Team, User
from advocacy.extensions import db
from advocacy.models_base import UTCDateTime, utcnow

SPACE_NAME_MAX = 80
SPACE_DESCRIPTION_MAX = 500
TITLE_MAX = 200
BODY_MAX = 20_000
TAG_MAX = 30
TAGS_PER_THREAD = 5
FLAG_REASON_MAX = 500
REACTIONS = ("👍", "❤️", "🎉", "😄", "🤔", "👀")


class Visibility(enum.StrEnum):
    """Who may see a space: everyone, members only (listed), members only (unlisted)."""

    PUBLIC = "public"
    PRIVATE = "private"
    SECRET = "secret"  # noqa: S105 - a visibility, not a password


class SpaceRole(enum.StrEnum):
    """A member's role in one space; owners and moderators moderate."""

    OWNER = "owner"
    MODERATOR = "moderator"
    MEMBER = "member"


class ThreadKind(enum.StrEnum):
    """A plain discussion, a question (accepts an answer), or an announcement (acknowledged)."""

    DISCUSSION = "discussion"
    QUESTION = "question"
    ANNOUNCEMENT = "announcement"


class Space(db.Model):
    """A place for threads. A team's space lets the team's members in without a member row."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(SPACE_NAME_MAX), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(16), default=Visibility.PUBLIC.value)
    official: Mapped[bool] = mapped_column(Boolean, default=False)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="SET NULL"), unique=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team | None] = relationship()

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC

    @property
    def is_secret(self) -> bool:
        return self.visibility == Visibility.SECRET


class SpaceMember(db.Model):
    """An explicit member of a space (team members of a team space need no row)."""

    __table_args__ = (UniqueConstraint("space_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default=SpaceRole.MEMBER.value)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    space: Mapped[Space] = relationship()
    user: Mapped[User] = relationship()


class JoinRequest(db.Model):
    """A request to join a private space, decided by its moderators."""

    __table_args__ = (UniqueConstraint("space_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class Thread(db.Model):
    """A conversation in a space; its body is its opening post. `link_kind`/`link_id` point at an
    item elsewhere in the product (e.g. approved content discussed internally)."""

    __table_args__ = (
        Index("ix_thread_space_activity", "space_id", "last_activity_at"),
        Index("ix_thread_link", "link_kind", "link_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    kind: Mapped[str] = mapped_column(String(16), default=ThreadKind.DISCUSSION.value, index=True)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Plain integers, not foreign keys: post already points at thread, and posts are only
    # soft-deleted, so these never dangle while the thread exists.
    accepted_post_id: Mapped[int | None] = mapped_column(Integer)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    last_post_id: Mapped[int | None] = mapped_column(Integer)
    link_kind: Mapped[str | None] = mapped_column(String(32))
    link_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    space: Mapped[Space] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    tag_rows: Mapped[list[ThreadTag]] = relationship(
        cascade="all, delete-orphan", order_by="ThreadTag.tag"
    )
    # Read-only: the opening post, for loading threads with their bodies in one query (search).
    opening: Mapped[Post | None] = relationship(
        primaryjoin="and_(Post.thread_id == Thread.id, Post.is_opening.is_(True))",
        viewonly=True,
        uselist=False,
    )

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]

    @property
    def is_question(self) -> bool:
        return self.kind == ThreadKind.QUESTION

    @property
    def is_announcement(self) -> bool:
        return self.kind == ThreadKind.ANNOUNCEMENT

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None


class ThreadTag(db.Model):
    """One tag of a thread, one row each so tags can be filtered and searched."""

    __table_args__ = (UniqueConstraint("thread_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(TAG_MAX), index=True)


class Post(db.Model):
    """The opening post or a reply. The Markdown source is kept; its sanitised HTML is rendered
    once on write (and on edit) so reading never parses Markdown."""

    __table_args__ = (Index("ix_post_thread_id_id", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    is_opening: Mapped[bool] = mapped_column(Boolean, default=False)
    quote_of_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="SET NULL"))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    thread: Mapped[Thread] = relationship(foreign_keys=[thread_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None


class PostRevision(db.Model):
    """What a post (and, for an opening post, its thread's title) said before an edit."""

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    title: Mapped[str | None] = mapped_column(String(TITLE_MAX))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    editor: Mapped[User | None] = relationship()


class Reaction(db.Model):
    """One person's emoji on a post; pressing it again takes it back."""

    __table_args__ = (UniqueConstraint("post_id", "user_id", "emoji"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    emoji: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Flag(db.Model):
    """A reader's report of a post; open until a moderator resolves it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    resolution: Mapped[str] = mapped_column(String(16), default="")

    post: Mapped[Post] = relationship()
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])


class Acknowledgement(db.Model):
    """A reader confirming they read an announcement."""

    __table_args__ = (UniqueConstraint("thread_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class ThreadFollow(db.Model):
    """Following a thread; `following=False` records an explicit unfollow, which beats the
    automatic follow of authors and repliers."""

    __table_args__ = (UniqueConstraint("thread_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    following: Mapped[bool] = mapped_column(Boolean, default=True)


class SpaceFollow(db.Model):
    """Following a space: new threads there notify the follower."""

    __table_args__ = (UniqueConstraint("space_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)


class ThreadRead(db.Model):
    """How far someone has read a thread: replies after `last_read_post_id` are new to them."""

    __table_args__ = (UniqueConstraint("user_id", "thread_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    last_read_post_id: Mapped[int] = mapped_column(Integer, default=0)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SpaceVisit(db.Model):
    """When someone last opened a space: threads started after it are new to them."""

    __table_args__ = (UniqueConstraint("user_id", "space_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    space_id: Mapped[int] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"))
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


HANDLE_MAX = 30


class DigestFrequency(enum.StrEnum):
    OFF = "off"
    DAILY = "daily"
    WEEKLY = "weekly"


class MemberProfile(db.Model):
    """A person's discussion settings, created on first need with a handle for @mentions: the
    handle and last visit are the core's; the e-mail switches, digest schedule and quiet hours
    are read and written by notifications."""

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
