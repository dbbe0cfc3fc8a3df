"""Reading discussions: thread lists with what is new, a thread's page of posts with reactions
in a bounded number of queries, read markers and reactions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import selectinload

from advocacy.accounts.models import User
from advocacy.discussions import access
from advocacy.discussions.models import (
    REACTIONS,
    Post,
    Reaction,
    Space,
    Thread,
    ThreadFollow,
    ThreadKind,
    ThreadRead,
    ThreadTag,
)
from advocacy.discussions.signals import thread_read
from advocacy.errors import Conflict, ValidationFailed
from advocacy.extensions import db
from advocacy.models_base import utcnow

THREADS_PER_PAGE = 30
POSTS_PER_PAGE = 50  # like the best forums, long threads load a page at a time
MAX_POSTS_PER_PAGE = 500
LAST_PAGE = 1_000_000  # any page past the end shows the last one
THREAD_FILTERS = ("all", "questions", "unanswered", "announcements")


@dataclass
class ThreadRow:
    """A thread in a list, with how much of it is new to the reader."""

    thread: Thread
    unread: bool
    new_replies: int
    latest_post: Post | None = None  # the last word: who wrote it, and when


def thread_list(
    user: User, space: Space, filter_by: str = "all", tag: str = "", page: int = 1
) -> tuple[list[ThreadRow], int]:
    """One page of a space's threads (pinned first, then latest activity) and the page count."""
    if filter_by not in THREAD_FILTERS:
        raise ValidationFailed.field("filter", f"Filter by one of: {', '.join(THREAD_FILTERS)}.")
    query = select(Thread).where(Thread.space_id == space.id)
    if not access.can_moderate(user, space):
        query = query.where(Thread.deleted_at.is_(None))
    if filter_by == "questions":
        query = query.where(Thread.kind == ThreadKind.QUESTION.value)
    elif filter_by == "unanswered":
        query = query.where(
            Thread.kind == ThreadKind.QUESTION.value, Thread.accepted_post_id.is_(None)
        )
    elif filter_by == "announcements":
        query = query.where(Thread.kind == ThreadKind.ANNOUNCEMENT.value)
    if tag:
        query = query.where(
            Thread.id.in_(select(ThreadTag.thread_id).where(ThreadTag.tag == tag.lower()))
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // THREADS_PER_PAGE))
    threads = list(
        db.session.scalars(
            query.options(selectinload(Thread.author), selectinload(Thread.tag_rows))
            .order_by(Thread.pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc())
            .limit(THREADS_PER_PAGE)
            .offset((min(page, pages) - 1) * THREADS_PER_PAGE)
        )
    )
    return unread_rows(user, threads), pages


def unread_rows(user: User, threads: list[Thread]) -> list[ThreadRow]:
    """Attach to each thread whether the reader has opened it and how many replies are new."""
    ids = [t.id for t in threads]
    markers = dict(
        db.session.execute(
            select(ThreadRead.thread_id, ThreadRead.last_read_post_id).where(
                ThreadRead.user_id == user.id, ThreadRead.thread_id.in_(ids)
            )
        ).all()
    )
    new_counts = dict(
        db.session.execute(
            select(Post.thread_id, func.count())
            .join(
                ThreadRead,
                and_(ThreadRead.thread_id == Post.thread_id, ThreadRead.user_id == user.id),
            )
            .where(
                Post.thread_id.in_(ids),
                Post.id > ThreadRead.last_read_post_id,
                Post.deleted_at.is_(None),
            )
            .group_by(Post.thread_id)
        ).all()
    )
    latest = latest_posts(ids)
    return [
        ThreadRow(
            thread=t,
            unread=t.id not in markers,
            new_replies=new_counts.get(t.id, 0),
            latest_post=latest.get(t.id),
        )
        for t in threads
    ]


def latest_posts(thread_ids: list[int]) -> dict[int, Post]:
    """Each thread's newest post that is not deleted (its author loaded), in two queries."""
    if not thread_ids:
        return {}
    newest = (
        select(func.max(Post.id))
        .where(Post.thread_id.in_(thread_ids), Post.deleted_at.is_(None))
        .group_by(Post.thread_id)
    )
    posts = db.session.scalars(
        select(Post).where(Post.id.in_(newest)).options(selectinload(Post.author))
    )
    return {post.thread_id: post for post in posts}


@dataclass
class ReactionCount:
    """One emoji under a post: how many, and whether the reader is among them."""

    emoji: str
    count: int
    mine: bool


@dataclass
class PostView:
    """A post as the thread page shows it."""

    post: Post
    reactions: list[ReactionCount] = field(default_factory=list)
    new: bool = False

    @property
    def buttons(self) -> list[ReactionCount]:
        """Every emoji of the set, in order, with its count (0 when unused)."""
        return reaction_buttons(self.reactions)


def reaction_buttons(reactions: list[ReactionCount]) -> list[ReactionCount]:
    """The whole emoji set in order, with the counts of those used."""
    used = {r.emoji: r for r in reactions}
    return [used.get(emoji) or ReactionCount(emoji, 0, False) for emoji in REACTIONS]


@dataclass
class ThreadPage:
    """Everything the thread page needs, loaded in a fixed number of queries."""

    thread: Thread
    opening: PostView
    accepted: PostView | None
    replies: list[PostView]
    page: int
    pages: int
    per_page: int
    first_unread_id: int | None


def thread_page(
    user: User, thread: Thread, page: int = 1, per_page: int = POSTS_PER_PAGE
) -> ThreadPage:
    """The opening post, the accepted answer (first) and one page of replies, oldest first.
    Moderators see deleted replies (to restore them); others see a placeholder."""
    per_page = max(1, min(per_page, MAX_POSTS_PER_PAGE))
    replies_query = select(Post).where(Post.thread_id == thread.id, Post.is_opening.is_(False))
    total = thread.reply_count + (
        db.session.scalar(
            select(func.count()).where(
                Post.thread_id == thread.id,
                Post.is_opening.is_(False),
                Post.deleted_at.is_not(None),
            )
        )
        or 0
    )
    pages = max(1, -(-total // per_page))
    page = max(1, min(page, pages))
    posts = list(
        db.session.scalars(
            replies_query.options(selectinload(Post.author))
            .order_by(Post.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    opening = db.session.scalar(
        select(Post)
        .where(Post.thread_id == thread.id, Post.is_opening.is_(True))
        .options(selectinload(Post.author))
    )
    accepted = None
    if thread.accepted_post_id:
        accepted = next(
            (p for p in posts if p.id == thread.accepted_post_id), None
        ) or db.session.get(Post, thread.accepted_post_id)
    everything = [opening, *posts] + ([accepted] if accepted is not None else [])
    reactions = reaction_counts(user, [p.id for p in everything])
    marker = db.session.scalar(
        select(ThreadRead.last_read_post_id).where(
            ThreadRead.thread_id == thread.id, ThreadRead.user_id == user.id
        )
    )
    last_read = marker if marker is not None else opening.id
    views = [PostView(p, reactions.get(p.id, []), new=p.id > last_read) for p in posts]
    first_unread = next((v.post.id for v in views if v.new), None)
    return ThreadPage(
        thread=thread,
        opening=PostView(opening, reactions.get(opening.id, [])),
        accepted=PostView(accepted, reactions.get(accepted.id, []))
        if accepted is not None
        else None,
        replies=views,
        page=page,
        pages=pages,
        per_page=per_page,
        first_unread_id=first_unread,
    )


def page_of_post(post: Post, per_page: int = POSTS_PER_PAGE) -> int:
    """The page of its thread a post is on (pages count deleted replies too, like thread_page)."""
    if post.is_opening:
        return 1
    before = db.session.scalar(
        select(func.count()).where(
            Post.thread_id == post.thread_id, Post.is_opening.is_(False), Post.id < post.id
        )
    )
    return (before or 0) // per_page + 1


def reaction_counts(user: User, post_ids: list[int]) -> dict[int, list[ReactionCount]]:
    """Per post: each emoji used, its count and whether the reader chose it (one query)."""
    if not post_ids:
        return {}
    rows = db.session.execute(
        select(
            Reaction.post_id,
            Reaction.emoji,
            func.count(),
            func.max(case((Reaction.user_id == user.id, 1), else_=0)),
        )
        .where(Reaction.post_id.in_(post_ids))
        .group_by(Reaction.post_id, Reaction.emoji)
    ).all()
    counts: dict[int, list[ReactionCount]] = defaultdict(list)
    for post_id, emoji, count, mine in rows:
        counts[post_id].append(ReactionCount(emoji, count, bool(mine)))
    for items in counts.values():
        items.sort(key=lambda r: REACTIONS.index(r.emoji) if r.emoji in REACTIONS else 99)
    return counts


def mark_read(user: User, thread: Thread, up_to_post_id: int | None = None) -> None:
    """Remember how far the reader has read (never backwards) and read the thread's
    notifications."""
    up_to = up_to_post_id or thread.last_post_id or 0
    marker = db.session.scalar(
        select(ThreadRead).where(ThreadRead.thread_id == thread.id, ThreadRead.user_id == user.id)
    )
    if marker is None:
        db.session.add(ThreadRead(thread_id=thread.id, user_id=user.id, last_read_post_id=up_to))
    elif marker.last_read_post_id < up_to:
        marker.last_read_post_id, marker.read_at = up_to, utcnow()
    thread_read.send(thread, user=user)
    db.session.commit()


def toggle_reaction(user: User, post: Post, emoji: str) -> bool:
    """Add the reader's emoji to a post, or take it back; True when it is now there."""
    if emoji not in REACTIONS:
        raise ValidationFailed.field("emoji", f"React with one of {' '.join(REACTIONS)}.")
    access.check_can_read(user, post.thread.space)
    if post.deleted:
        raise Conflict("This post was deleted.")
    existing = db.session.scalar(
        select(Reaction).where(
            Reaction.post_id == post.id, Reaction.user_id == user.id, Reaction.emoji == emoji
        )
    )
    if existing is not None:
        db.session.delete(existing)
    else:
        db.session.add(Reaction(post_id=post.id, user_id=user.id, emoji=emoji))
    db.session.commit()
    return existing is None


def post_reactions(user: User, post: Post) -> list[ReactionCount]:
    """The reactions under one post."""
    return reaction_counts(user, [post.id]).get(post.id, [])


def tags_in_space(space: Space, limit: int = 20) -> list[tuple[str, int]]:
    """The space's most used tags on live threads."""
    return [
        (tag, count)
        for tag, count in db.session.execute(
            select(ThreadTag.tag, func.count())
            .join(Thread, Thread.id == ThreadTag.thread_id)
            .where(Thread.space_id == space.id, Thread.deleted_at.is_(None))
            .group_by(ThreadTag.tag)
            .order_by(func.count().desc(), ThreadTag.tag)
            .limit(limit)
        )
    ]


def set_thread_follow(user: User, thread: Thread, following: bool) -> None:
    """Follow a thread (replies notify me) or unfollow it, even if I wrote in it."""
    row = db.session.scalar(
        select(ThreadFollow).where(
            ThreadFollow.thread_id == thread.id, ThreadFollow.user_id == user.id
        )
    )
    if row is None:
        db.session.add(ThreadFollow(thread_id=thread.id, user_id=user.id, following=following))
    else:
        row.following = following
    db.session.commit()


def is_following_thread(user: User, thread: Thread) -> bool:
    """Does the user follow the thread?"""
    return bool(
        db.session.scalar(
            select(ThreadFollow.following).where(
                ThreadFollow.thread_id == thread.id, ThreadFollow.user_id == user.id
            )
        )
    )


def posts_query(thread: Thread):
    """A select of a thread's posts, the opening one first, then replies oldest first."""
    return select(Post).where(Post.thread_id == thread.id).order_by(Post.is_opening.desc(), Post.id)


def threads_query(space: Space):
    """A select of a space's live threads, pinned first, then by latest activity."""
    return (
        select(Thread)
        .where(Thread.space_id == space.id, Thread.deleted_at.is_(None))
        .order_by(Thread.pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc())
    )


def thread_posts(thread: Thread) -> list[Post]:
    """Every post of a thread (opening first), with authors loaded."""
    return list(db.session.scalars(posts_query(thread).options(selectinload(Post.author))))
