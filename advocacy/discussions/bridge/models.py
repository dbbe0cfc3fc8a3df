"""Tables of the bridge between discussions and the advocacy feed: posts proposed as shareable
content, and the one "discuss internally" thread of a content item."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.discussions.models import Post, Thread
from advocacy.extensions import db
from advocacy.feeds.models import Content
from advocacy.models_base import UTCDateTime, utcnow


class ContentProposal(db.Model):
    """A post (a thread's opening post, or a reply) proposed as shareable content: the link back
    from the content the curators review to the post it came from. A post is proposed once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), unique=True)
    content_id: Mapped[int] = mapped_column(
        ForeignKey("content.id", ondelete="CASCADE"), unique=True
    )
    proposer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    post: Mapped[Post] = relationship()
    content: Mapped[Content] = relationship()


class ContentDiscussion(db.Model):
    """The thread where employees discuss a content item internally. The content id is the
    key: when two people open the discussion at once, the second insert fails and both land in
    the same thread."""

    content_id: Mapped[int] = mapped_column(
        ForeignKey("content.id", ondelete="CASCADE"), primary_key=True
    )
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    thread: Mapped[Thread] = relationship()
