"""What the bridge adds to other features' pages: to the feed's content pages and review queue,
through the feed's content panels, where a proposal came from (a link back to the post) and
"Discuss internally"; to thread pages, through the discussions' post extras, "Propose as content"
or a badge on posts already proposed. Each loader answers for a whole page in one query."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from advocacy.accounts.models import User
from advocacy.discussions import access
from advocacy.discussions.bridge.models import ContentDiscussion, ContentProposal
from advocacy.discussions.bridge.service import (
    DISCUSSED_STATES,
    content_space_name,
    discussion_refusal,
    proposed_post_ids,
)
from advocacy.discussions.links import IdLink
from advocacy.discussions.models import Post, Space, Thread, Visibility
from advocacy.discussions.post_extras import PostExtra
from advocacy.extensions import db
from advocacy.feeds import workflow
from advocacy.feeds.models import Content
from advocacy.feeds.panels import ContentPanel


@dataclass(frozen=True)
class ProposalOrigin:
    """The post a content item was proposed from, as much of it as the reader may know: the
    thread's title and the author to its readers, the space's name unless it is secret to them.
    The link back is always there; it opens for the space's readers only."""

    post_id: int
    readable: bool
    space_name: str | None
    thread_title: str | None
    author_name: str | None
    is_opening: bool
    removed: bool


def proposal_origins(reader: User, items: list[Content]) -> dict[int, ProposalOrigin]:
    """Per content id, where it was proposed from; shown to the space's readers and to the
    content's reviewers and author (others have no use for a link they cannot open)."""
    readable = Space.id.in_(access.visible_space_ids(reader)).label("readable")
    rows = db.session.execute(
        select(
            ContentProposal.content_id,
            Post.id,
            Post.is_opening,
            Post.deleted_at,
            Thread.title,
            Thread.deleted_at,
            Space.name,
            Space.visibility,
            User.display_name,
            readable,
        )
        .join(Post, Post.id == ContentProposal.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Space, Space.id == Thread.space_id)
        .outerjoin(User, User.id == Post.author_id)
        .where(ContentProposal.content_id.in_([item.id for item in items]))
    ).all()
    by_id = {item.id: item for item in items}
    origins = {}
    for (
        content_id,
        post_id,
        is_opening,
        post_deleted,
        title,
        thread_deleted,
        space_name,
        visibility,
        author,
        can_read,
    ) in rows:
        can_read = bool(can_read)
        if not (can_read or _reviews_or_wrote(reader, by_id[content_id])):
            continue
        origins[content_id] = ProposalOrigin(
            post_id=post_id,
            readable=can_read,
            space_name=space_name if can_read or visibility != Visibility.SECRET else None,
            thread_title=title if can_read else None,
            author_name=author if can_read else None,
            is_opening=is_opening,
            removed=can_read and (post_deleted is not None or thread_deleted is not None),
        )
    return origins


def _reviews_or_wrote(reader: User, item: Content) -> bool:
    if reader.is_curator or workflow.is_author(reader, item):
        return True
    return workflow.can_approve(reader, item)


@dataclass(frozen=True)
class DiscussionPanel:
    """A content item's internal discussion: its thread, or how to start one (or why not)."""

    thread: Thread | None
    space_name: str
    refusal: str | None = None
    removed: bool = False


def content_discussions(reader: User, items: list[Content]) -> dict[int, DiscussionPanel]:
    """Per content id: its live discussion thread with the reply count, the button to start it,
    or why it has none. Content that was never approved shows nothing."""
    started = dict(
        db.session.execute(
            select(ContentDiscussion.content_id, Thread)
            .join(Thread, Thread.id == ContentDiscussion.thread_id)
            .where(ContentDiscussion.content_id.in_([item.id for item in items]))
            .options(joinedload(Thread.space))
        ).all()
    )
    space_name = content_space_name()
    panels = {}
    for item in items:
        thread = started.get(item.id)
        if thread is not None:
            removed = thread.deleted
            panels[item.id] = DiscussionPanel(
                None if removed else thread, thread.space.name, removed=removed
            )
        elif item.state in DISCUSSED_STATES:
            panels[item.id] = DiscussionPanel(None, space_name, refusal=discussion_refusal(item))
    return panels


PANELS = (
    ContentPanel(
        "discussions.proposal",
        proposal_origins,
        page_template="discussions/_content_origin.html",
        queue_template="discussions/_queue_origin.html",
    ),
    ContentPanel(
        "discussions.discussion",
        content_discussions,
        page_template="discussions/_content_discussion.html",
    ),
)


PROPOSED = PostExtra(badge="proposed as content")


def post_proposals(reader: User, posts: list[Post]) -> dict[int, PostExtra]:
    """On a thread page: a badge on posts already proposed as content, else the way to propose
    them (the thread itself for its opening post)."""
    proposed = proposed_post_ids([post.id for post in posts])
    propose = IdLink("bridge.propose_form", "post_id")
    return {
        post.id: PROPOSED
        if post.id in proposed
        else PostExtra(
            action_label="Propose the thread as content"
            if post.is_opening
            else "Propose as content",
            action_href=propose(post.id),
        )
        for post in posts
    }
