"""Writing threads and posts: start, reply, edit (with history), delete and restore, pin, close,
tags. Notifications fan out in a job after the commit, so posting stays fast."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import func, select

from advocacy.accounts.models import User
from advocacy.discussions import access
from advocacy.discussions.markdown import mentioned_handles, render_markdown
from advocacy.discussions.models import (
    BODY_MAX,
    TAG_MAX,
    TAGS_PER_THREAD,
    TITLE_MAX,
    Post,
    PostRevision,
    Space,
    Thread,
    ThreadFollow,
    ThreadKind,
    ThreadRead,
    ThreadTag,
)
from advocacy.discussions.profiles import resolve_mentions
from advocacy.discussions.signals import post_written, thread_created
from advocacy.errors import Conflict, Forbidden, NotFound, ValidationFailed
from advocacy.extensions import db
from advocacy.media.images import image_path, stored_image
from advocacy.models_base import utcnow

TAG_RULE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def check_title(title: str) -> str:
    """A thread title, trimmed, or ValidationFailed."""
    title = " ".join((title or "").split())
    if not title:
        raise ValidationFailed.field("title", "Give the thread a title.")
    if len(title) > TITLE_MAX:
        raise ValidationFailed.field("title", f"Use at most {TITLE_MAX} characters.")
    return title


def check_body(body: str, field: str = "body") -> str:
    """A post's Markdown, or ValidationFailed when empty or too long."""
    body = (body or "").strip()
    if not body:
        raise ValidationFailed.field(field, "Write something first.")
    if len(body) > BODY_MAX:
        raise ValidationFailed.field(field, f"Use at most {BODY_MAX:,} characters.")
    if "\x00" in body:
        raise ValidationFailed.field(field, "The text contains a null character.")
    return body


def check_tags(tags: Iterable[str] | str | None) -> list[str]:
    """Lower-case tags (letters, digits, dashes; `#` dropped), at most five, or ValidationFailed
    (none given: no tags)."""
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.replace(" ", ",").split(",")
    cleaned: list[str] = []
    for raw in tags:
        tag = raw.strip().lstrip("#").lower()
        if not tag:
            continue
        if len(tag) > TAG_MAX or not TAG_RULE.match(tag):
            raise ValidationFailed.field(
                "tags",
                f"{raw[:40]!r} is not a tag: use letters, digits and dashes (at most {TAG_MAX}).",
            )
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > TAGS_PER_THREAD:
        raise ValidationFailed.field("tags", f"Use at most {TAGS_PER_THREAD} tags.")
    return cleaned


def check_kind(kind: str) -> str:
    """A thread kind, or ValidationFailed."""
    if kind not in {k.value for k in ThreadKind}:
        raise ValidationFailed.field("kind", "Choose a discussion, a question or an announcement.")
    return kind


def render_post_body(source: str) -> str:
    """Sanitised HTML of a post's Markdown, with its @mentions linked and its images served
    from here (fetched once: a reader's browser never calls the host an image names)."""
    return render_markdown(
        source, resolve_mentions(mentioned_handles(source)).targets, image_src=_local_image
    )


def _local_image(url: str) -> str | None:
    return image_path(stored_image(url)) or None


def _follow(user: User, thread: Thread) -> None:
    """Authors and repliers follow a thread, unless they unfollowed it before."""
    existing = db.session.scalar(
        select(ThreadFollow).where(
            ThreadFollow.thread_id == thread.id, ThreadFollow.user_id == user.id
        )
    )
    if existing is None:
        db.session.add(ThreadFollow(thread_id=thread.id, user_id=user.id, following=True))


def _mark_read_up_to(user: User, thread: Thread, post_id: int) -> None:
    marker = db.session.scalar(
        select(ThreadRead).where(ThreadRead.thread_id == thread.id, ThreadRead.user_id == user.id)
    )
    if marker is None:
        db.session.add(ThreadRead(thread_id=thread.id, user_id=user.id, last_read_post_id=post_id))
    elif marker.last_read_post_id < post_id:
        marker.last_read_post_id, marker.read_at = post_id, utcnow()


def start_thread(
    author: User,
    space: Space,
    title: str,
    body: str,
    kind: str = ThreadKind.DISCUSSION.value,
    tags: Iterable[str] | str = (),
    link: tuple[str, int] | None = None,
    *,
    commit: bool = True,
) -> Thread:
    """Start a thread (its body is the opening post). Other features call this too, e.g. to open
    a "discuss internally" thread linked to an item with `link=(kind, id)`; `commit=False`
    leaves it flushed, not committed, for a caller that commits it with rows of its own (its
    notifications go out with that commit, or never if it rolls back)."""
    access.check_can_read(author, space)
    if not access.can_start_thread(author, space):
        raise Forbidden(f"Only moderators start threads in {space.name}.")
    errors: dict[str, list[str]] = {}
    values = {}
    for name, check, value in (
        ("title", check_title, title),
        ("body", check_body, body),
        ("tags", check_tags, tags),
        ("kind", check_kind, kind),
    ):
        try:
            values[name] = check(value)
        except ValidationFailed as error:
            errors.update(error.errors)
    if errors:
        raise ValidationFailed("The thread could not be started.", errors)
    if values["kind"] == ThreadKind.ANNOUNCEMENT:
        # An announcement e-mails every reader. In a public space anyone may open, that is the
        # whole company: there it belongs to official spaces (made by admins). Private, secret
        # and team spaces reach their members only.
        if space.is_public and not space.official:
            raise Forbidden(
                "In a public space, announcements are for official spaces: they e-mail everyone in "
                "the organisation. Start a discussion here, or ask an admin for an official space."
            )
        if not access.can_moderate(author, space):
            raise Forbidden("Only moderators post announcements.")
    now = utcnow()
    thread = Thread(
        space_id=space.id,
        author_id=author.id,
        title=values["title"],
        kind=values["kind"],
        created_at=now,
        last_activity_at=now,
        link_kind=link[0] if link else None,
        link_id=link[1] if link else None,
    )
    thread.tag_rows = [ThreadTag(tag=tag) for tag in values["tags"]]
    db.session.add(thread)
    db.session.flush()
    post = Post(
        thread_id=thread.id,
        author_id=author.id,
        is_opening=True,
        body_source=values["body"],
        body_html=render_post_body(values["body"]),
        created_at=now,
    )
    db.session.add(post)
    db.session.flush()
    thread.last_post_id = post.id
    _follow(author, thread)
    _mark_read_up_to(author, thread, post.id)
    post_written.send(post)
    thread_created.send(thread)
    if commit:
        db.session.commit()
    return thread


def reply(author: User, thread: Thread, body: str, quote_of: Post | None = None) -> Post:
    """Reply to a thread (quoting a post of the same thread, if given)."""
    access.check_can_read(author, thread.space)
    if thread.deleted:
        raise NotFound("This thread was deleted.")
    if not access.can_reply(author, thread):
        raise Conflict("This thread is closed: only its moderators can reply.")
    body = check_body(body)
    if quote_of is not None and quote_of.thread_id != thread.id:
        raise ValidationFailed.field("quote_of", "Only posts of the same thread can be quoted.")
    now = utcnow()
    post = Post(
        thread_id=thread.id,
        author_id=author.id,
        body_source=body,
        body_html=render_post_body(body),
        quote_of_id=quote_of.id if quote_of is not None else None,
        created_at=now,
    )
    db.session.add(post)
    db.session.flush()
    thread.reply_count += 1
    thread.last_activity_at, thread.last_post_id = now, post.id
    _follow(author, thread)
    _mark_read_up_to(author, thread, post.id)
    post_written.send(post)
    db.session.commit()
    return post


def get_post(user: User, post_id: int) -> Post:
    """A post in a thread the user may read; NotFound or Forbidden otherwise."""
    post = db.session.get(Post, post_id)
    if post is None or not access.can_see_space(user, post.thread.space):
        raise NotFound("No such post.")  # a secret space's post is one that does not exist
    access.get_readable_thread(user, post.thread_id)
    return post


def quotable_post(thread: Thread, post_id: int | None) -> Post | None:
    """A live post of this thread to quote in a reply, if `post_id` names one."""
    post = db.session.get(Post, post_id) if post_id else None
    if post is None or post.thread_id != thread.id or post.deleted:
        return None
    return post


def can_edit(user: User, post: Post) -> bool:
    """Authors edit their own posts; moderators edit any."""
    return post.author_id == user.id or access.can_moderate(user, post.thread.space)


def edit_post(acting: User, post: Post, body: str, title: str | None = None) -> Post:
    """Change a post (and, for an opening post, its thread's title), keeping the old version."""
    if not can_edit(acting, post):
        raise Forbidden("Only the author and moderators edit this post.")
    if post.deleted:
        raise Conflict("Restore the post before editing it.")
    thread = post.thread
    errors: dict[str, list[str]] = {}
    try:
        body = check_body(body)
    except ValidationFailed as error:
        errors.update(error.errors)
    if title is not None and post.is_opening:
        try:
            title = check_title(title)
        except ValidationFailed as error:
            errors.update(error.errors)
    if errors:
        raise ValidationFailed("The post could not be saved.", errors)
    new_title = title if (title is not None and post.is_opening) else thread.title
    if body == post.body_source and new_title == thread.title:
        return post
    db.session.add(
        PostRevision(
            post_id=post.id,
            editor_id=acting.id,
            title=thread.title if post.is_opening else None,
            body_source=post.body_source,
            body_html=post.body_html,
        )
    )
    post.body_source, post.body_html = body, render_post_body(body)
    post.edited_at = utcnow()
    thread.title = new_title
    post_written.send(post)  # people newly mentioned are notified; the others are not
    db.session.commit()
    return post


def revisions(post: Post) -> list[PostRevision]:
    """A post's earlier versions, newest first."""
    return list(
        db.session.scalars(
            select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .order_by(PostRevision.created_at.desc(), PostRevision.id.desc())
        )
    )


def delete_post(acting: User, post: Post) -> Post:
    """Soft-delete a reply (its author or a moderator); moderators can restore it."""
    if not can_edit(acting, post):
        raise Forbidden("Only the author and moderators delete this post.")
    if post.is_opening:
        raise Conflict("This post opens the thread: delete the thread instead.")
    if post.deleted:
        raise Conflict("This post is already deleted.")
    post.deleted_at, post.deleted_by_id = utcnow(), acting.id
    post.thread.reply_count = max(0, post.thread.reply_count - 1)
    if post.thread.accepted_post_id == post.id:
        post.thread.accepted_post_id = None
    db.session.commit()
    return post


def restore_post(acting: User, post: Post) -> Post:
    """Bring a deleted post back (moderators)."""
    access.check_can_moderate(acting, post.thread.space)
    if not post.deleted:
        raise Conflict("This post is not deleted.")
    post.deleted_at = post.deleted_by_id = None
    post.thread.reply_count += 1
    db.session.commit()
    return post


def delete_thread(acting: User, thread: Thread) -> Thread:
    """Soft-delete a thread (its author or a moderator)."""
    if thread.author_id != acting.id and not access.can_moderate(acting, thread.space):
        raise Forbidden("Only the author and moderators delete this thread.")
    if thread.deleted:
        raise Conflict("This thread is already deleted.")
    thread.deleted_at = utcnow()
    db.session.commit()
    return thread


def restore_thread(acting: User, thread: Thread) -> Thread:
    """Bring a deleted thread back (moderators)."""
    access.check_can_moderate(acting, thread.space)
    if not thread.deleted:
        raise Conflict("This thread is not deleted.")
    thread.deleted_at = None
    db.session.commit()
    return thread


def update_thread(
    acting: User,
    thread: Thread,
    title: str | None = None,
    tags: Iterable[str] | str | None = None,
    pinned: bool | None = None,
    closed: bool | None = None,
) -> Thread:
    """Change a thread's title or tags (author or moderator), pin or close it (moderators)."""
    moderator = access.can_moderate(acting, thread.space)
    if (pinned is not None or closed is not None) and not moderator:
        raise Forbidden("Only moderators pin and close threads.")
    if (title is not None or tags is not None) and not (moderator or thread.author_id == acting.id):
        raise Forbidden("Only the author and moderators edit this thread.")
    if thread.deleted:
        raise Conflict("Restore the thread before changing it.")
    if tags is not None:
        thread.tag_rows = [ThreadTag(tag=tag) for tag in check_tags(tags)]
    if pinned is not None:
        thread.pinned = pinned
    if closed is not None:
        thread.closed = closed
    if title is not None and check_title(title) != thread.title:
        opening = opening_post(thread)
        edit_post(acting, opening, opening.body_source, title)
    db.session.commit()
    return thread


def opening_post(thread: Thread) -> Post:
    """The post that opens a thread."""
    return db.session.scalar(
        select(Post).where(Post.thread_id == thread.id, Post.is_opening.is_(True))
    )


def threads_linked_to(kind: str, item_id: int) -> list[Thread]:
    """Live threads that discuss an item elsewhere in the product (e.g. a piece of content)."""
    return list(
        db.session.scalars(
            select(Thread).where(
                Thread.link_kind == kind, Thread.link_id == item_id, Thread.deleted_at.is_(None)
            )
        )
    )


def count_posts(thread: Thread) -> int:
    """Live posts of a thread, the opening one included."""
    return db.session.scalar(
        select(func.count()).where(Post.thread_id == thread.id, Post.deleted_at.is_(None))
    )
