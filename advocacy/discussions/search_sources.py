"""Discussions in search: threads, replies and spaces as documents, and who may see them.

The rules (the same as the pages', from `access`):
- A thread's document is its title, tags and opening post; a reply is a document of its own
  (`post`), its thread's title shown but not indexed with it, so that a thread's title words find
  the thread, not each of its replies. Deleted threads and deleted replies (a moderator deleting
  a flagged post too) and the replies of a deleted thread are not in the index.
- Threads and replies carry their space: readers find them only in spaces whose content they may
  read (`access.visible_space_ids`: public spaces, their own, all for admins), checked in the
  index's filter at query time and against the database when results are shown.
- Spaces are found by name and description by whoever may know they exist: public and private
  spaces by everyone (a private space is listed to all), secret ones by their members only.
- Thread states for `status:`: `open` or `closed`; a question with an accepted answer is
  `solved`; a question without one is `unanswered` (the same rule as the unanswered list).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask
from sqlalchemy import inspect, select
from sqlalchemy.orm import selectinload

from advocacy.accounts.models import User
from advocacy.discussions import access
from advocacy.discussions.models import (
    MemberProfile,
    Post,
    Space,
    Thread,
    ThreadKind,
    ThreadTag,
    Visibility,
)
from advocacy.extensions import db
from advocacy.search import (
    DocumentType,
    SearchDocument,
    document_key,
    match_key,
    path_for,
    plain_text,
    register_source,
    set_visible_spaces_provider,
    watch,
)

THREAD_ATTRIBUTES = (
    "title",
    "kind",
    "closed",
    "accepted_post_id",
    "space_id",
    "author_id",
    "deleted_at",
    "last_activity_at",
)
POST_ATTRIBUTES = ("body_html", "deleted_at", "author_id", "thread_id")
SPACE_ATTRIBUTES = ("name", "description", "visibility")


# --- documents ---------------------------------------------------------------------------------


def _handle(user_id: int | None) -> str:
    if user_id is None:
        return ""
    return db.session.scalar(select(MemberProfile.handle).where(MemberProfile.user_id == user_id))


def _author(user: User | None) -> dict:
    if user is None:
        return {}
    return {
        "author_id": user.id,
        "author_name": user.display_name,
        "author_handle": _handle(user.id) or "",
    }


def _space(space: Space) -> dict:
    return {"space_id": space.id, "space_name": space.name, "space_slug": match_key(space.name)}


def thread_statuses(thread: Thread) -> tuple[str, ...]:
    """The thread's states for `status:` (see the module's rules)."""
    statuses = ["closed" if thread.closed else "open"]
    if thread.kind == ThreadKind.QUESTION:
        statuses.append("solved" if thread.accepted_post_id else "unanswered")
    return tuple(statuses)


def thread_document(thread: Thread) -> SearchDocument | None:
    """A thread's document, or None when it is deleted."""
    if thread.deleted or thread.opening is None:
        return None
    return SearchDocument(
        key=document_key(DocumentType.THREAD, thread.id),
        type=DocumentType.THREAD,
        title=thread.title,
        body=plain_text(thread.opening.body_html),
        tags=tuple(thread.tags),
        statuses=thread_statuses(thread),
        created_at=thread.created_at,
        updated_at=thread.last_activity_at,
        url=path_for("threads.view", thread_id=thread.id),
        **_author(thread.author),
        **_space(thread.space),
    )


def post_document(post: Post) -> SearchDocument | None:
    """A reply's document, or None for an opening post (its thread's document holds it) and for
    a deleted reply or one in a deleted thread."""
    if post.is_opening or post.deleted or post.thread.deleted:
        return None
    return SearchDocument(
        key=document_key(DocumentType.POST, post.id),
        type=DocumentType.POST,
        title="",  # shown: its thread's title (post_titles), never indexed with the reply
        body=plain_text(post.body_html),
        created_at=post.created_at,
        updated_at=post.edited_at or post.created_at,
        url=path_for("posts.permalink", post_id=post.id),
        **_author(post.author),
        **_space(post.thread.space),
    )


def space_document(space: Space) -> SearchDocument:
    """A space's document. A secret space is "in itself", so only those who may read it (its
    members, admins) find it; other spaces are outside every space, found by all."""
    secret = space.visibility == Visibility.SECRET
    return SearchDocument(
        key=document_key(DocumentType.SPACE, space.id),
        type=DocumentType.SPACE,
        title=space.name,
        body=space.description,
        created_at=space.created_at,
        url=path_for("spaces.view", space_id=space.id),
        **(_space(space) if secret else {}),
    )


def threads_query():
    return select(Thread).options(
        selectinload(Thread.opening),
        selectinload(Thread.tag_rows),
        selectinload(Thread.author),
        selectinload(Thread.space),
    )


def posts_query():
    return select(Post).options(
        selectinload(Post.author), selectinload(Post.thread).selectinload(Thread.space)
    )


# --- what a reader may see, checked against the database when results are shown -------------------


def _user(reader) -> User | None:
    return db.session.get(User, reader.user_id) if reader.user_id is not None else None


def visible_threads(reader, ids: list[int]) -> set[int]:
    """Live threads among `ids` in spaces the reader may read."""
    user = _user(reader)
    if user is None:
        return set()
    query = select(Thread.id).where(
        Thread.id.in_(ids),
        Thread.deleted_at.is_(None),
        Thread.space_id.in_(access.visible_space_ids(user)),
    )
    return set(db.session.scalars(query))


def visible_posts(reader, ids: list[int]) -> set[int]:
    """Live replies among `ids`, in live threads, in spaces the reader may read."""
    user = _user(reader)
    if user is None:
        return set()
    query = (
        select(Post.id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(
            Post.id.in_(ids),
            Post.deleted_at.is_(None),
            Thread.deleted_at.is_(None),
            Thread.space_id.in_(access.visible_space_ids(user)),
        )
    )
    return set(db.session.scalars(query))


def visible_spaces(reader, ids: list[int]) -> set[int]:
    """Spaces among `ids` the reader may know of (secret ones: members and admins)."""
    user = _user(reader)
    if user is None:
        return set()
    query = select(Space.id).where(Space.id.in_(ids), Space.id.in_(access.listed_space_ids(user)))
    return set(db.session.scalars(query))


def post_titles(ids: list[int]) -> dict[int, str]:
    """What a reply shows as its title: "Re: " and its thread's current title."""
    rows = db.session.execute(
        select(Post.id, Thread.title)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.id.in_(ids))
    )
    return {post_id: f"Re: {title}" for post_id, title in rows}


def readable_space_ids(user: User) -> list[int]:
    """The spaces whose content `user` may read, for search's query-time filter."""
    return list(db.session.scalars(access.visible_space_ids(user)))


# --- which documents a change alters --------------------------------------------------------------


def _keys(doc_type: str, ids: Iterable[int]) -> list[str]:
    return [document_key(doc_type, i) for i in ids]


def _reply_keys(thread_ids: list[int]) -> list[str]:
    with db.session.no_autoflush:
        ids = db.session.scalars(
            select(Post.id).where(Post.thread_id.in_(thread_ids), Post.is_opening.is_(False))
        )
        return _keys(DocumentType.POST, ids)


def keys_of_thread(thread: Thread) -> list[str]:
    """A thread's document; its replies' too when it was deleted, restored or moved."""
    keys = [document_key(DocumentType.THREAD, thread.id)]
    state = inspect(thread)
    if not state.pending and any(
        state.attrs[name].history.has_changes() for name in ("deleted_at", "space_id")
    ):
        keys += _reply_keys([thread.id])
    return keys


def keys_of_post(post: Post) -> list[str]:
    """An opening post is its thread's body."""
    if post.is_opening:
        return [document_key(DocumentType.THREAD, post.thread_id)]
    return [document_key(DocumentType.POST, post.id)]


def keys_of_space(space: Space) -> list[str]:
    """A renamed space renames the `in:` of everything in it."""
    with db.session.no_autoflush:
        thread_ids = list(db.session.scalars(select(Thread.id).where(Thread.space_id == space.id)))
    return _keys(DocumentType.THREAD, thread_ids) + _reply_keys(thread_ids)


def keys_of_author(user_id: int) -> list[str]:
    """Everything a person wrote (their name or handle changed: `@name` must follow)."""
    with db.session.no_autoflush:
        threads = db.session.scalars(select(Thread.id).where(Thread.author_id == user_id))
        posts = db.session.scalars(
            select(Post.id).where(Post.author_id == user_id, Post.is_opening.is_(False))
        )
        return _keys(DocumentType.THREAD, threads) + _keys(DocumentType.POST, posts)


def register(app: Flask) -> None:
    """Make threads, replies and spaces searchable, and tell search who reads which space."""
    register_source(
        app,
        DocumentType.THREAD,
        Thread,
        thread_document,
        query=threads_query,
        recheck=visible_threads,
        attributes=THREAD_ATTRIBUTES,
    )
    register_source(
        app,
        DocumentType.POST,
        Post,
        post_document,
        query=posts_query,
        recheck=visible_posts,
        titles=post_titles,
        attributes=POST_ATTRIBUTES,
    )
    register_source(
        app,
        DocumentType.SPACE,
        Space,
        space_document,
        recheck=visible_spaces,
        attributes=SPACE_ATTRIBUTES,
    )
    set_visible_spaces_provider(app, readable_space_ids)
    watch(app, Thread, keys_of_thread, attributes=("deleted_at", "space_id"))
    watch(app, Post, keys_of_post, attributes=("body_html", "deleted_at"))
    watch(app, ThreadTag, lambda tag: [document_key(DocumentType.THREAD, tag.thread_id)])
    watch(app, Space, keys_of_space, attributes=("name",))
    watch(app, User, lambda user: keys_of_author(user.id), attributes=("display_name",))
    watch(app, MemberProfile, lambda p: keys_of_author(p.user_id), attributes=("handle",))
