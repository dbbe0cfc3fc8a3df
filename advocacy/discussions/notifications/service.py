"""In-app notifications and their immediate e-mails.

Rules:
- Nobody is notified about their own action, nor about a space they cannot read (a mention in
  a secret space notifies no outsider), nor twice for the same post and reason.
- Mentions, replies to threads I follow, assignments and announcements may also be e-mailed at
  once, each switchable. During the recipient's quiet hours the e-mail waits until they end
  (a periodic job sends what is due); if they read it in the app meanwhile, no e-mail is sent.
- Replies are e-mailed only to the thread's author; other followers get them in the app.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from advocacy.accounts.models import User
from advocacy.discussions import access
from advocacy.discussions.markdown import mentioned_handles
from advocacy.discussions.models import (
    MemberProfile,
    Post,
    Space,
    SpaceFollow,
    Thread,
    ThreadFollow,
    ThreadRead,
)
from advocacy.discussions.notifications.models import EMAILED_KINDS, Notification, NotificationKind
from advocacy.discussions.notifications.preferences import quiet_until
from advocacy.discussions.profiles import profiles_by_user, resolve_mentions, zone_named
from advocacy.extensions import db
from advocacy.jobs import enqueue
from advocacy.models_base import utcnow

EMAIL_BATCH = 100


def notify(
    recipient_ids: Iterable[int],
    kind: str,
    actor: User | None = None,
    space: Space | None = None,
    thread: Thread | None = None,
    post: Post | None = None,
) -> list[Notification]:
    """Add notifications (flushed; the caller commits) for those recipients who may read the
    space and were not already notified of this, and queue the e-mails that are due."""
    space = space or (thread.space if thread is not None else None)
    wanted = set(recipient_ids) - ({actor.id} if actor is not None else set())
    if space is not None:
        wanted = access.readers_among(space, wanted)
    else:
        wanted = set(
            db.session.scalars(select(User.id).where(User.id.in_(wanted), User.active.is_(True)))
        )
    if not wanted:
        return []
    if post is not None:  # a retried job or an edit never notifies twice for one post
        wanted -= set(
            db.session.scalars(
                select(Notification.recipient_id).where(
                    Notification.kind == kind,
                    Notification.post_id == post.id,
                    Notification.recipient_id.in_(wanted),
                )
            )
        )
        if not wanted:
            return []
    now = utcnow()
    profiles = profiles_by_user(wanted)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted)))}
    created, due_now = [], []
    for recipient_id in sorted(wanted):
        notification = Notification(
            recipient_id=recipient_id,
            kind=kind,
            actor_id=actor.id if actor is not None else None,
            space_id=space.id if space is not None else None,
            thread_id=thread.id if thread is not None else None,
            post_id=post.id if post is not None else None,
            created_at=now,
        )
        profile = profiles.get(recipient_id)
        emailed = profile is not None and wants_email(profile, kind)
        if kind == NotificationKind.REPLY and thread is not None:
            emailed = emailed and thread.author_id == recipient_id
        if emailed:
            zone = zone_named(users[recipient_id].timezone)
            notification.email_due_at = quiet_until(profile, zone, now) or now
        db.session.add(notification)
        created.append(notification)
    db.session.flush()
    due_now = [n.id for n in created if n.email_due_at is not None and n.email_due_at <= now]
    for start in range(0, len(due_now), EMAIL_BATCH):
        enqueue(
            "advocacy.discussions.notifications.jobs.send_notification_emails",
            due_now[start : start + EMAIL_BATCH],
            queue="mail",
        )
    return created


def wants_email(profile: MemberProfile, kind: str) -> bool:
    """Whether this person asked for an immediate e-mail of this kind."""
    return kind in EMAILED_KINDS and bool(getattr(profile, f"email_{kind}"))


def thread_follower_ids(thread: Thread) -> set[int]:
    """People following the thread (authors and repliers follow until they unfollow)."""
    return set(
        db.session.scalars(
            select(ThreadFollow.user_id).where(
                ThreadFollow.thread_id == thread.id, ThreadFollow.following.is_(True)
            )
        )
    )


def _read_past(thread: Thread, post: Post) -> set[int]:
    """People who have already read the thread past this post (e.g. they replied after it
    before the notification job ran): telling them is noise."""
    return set(
        db.session.scalars(
            select(ThreadRead.user_id).where(
                ThreadRead.thread_id == thread.id, ThreadRead.last_read_post_id >= post.id
            )
        )
    )


def space_follower_ids(space: Space) -> set[int]:
    """People following the space."""
    return set(
        db.session.scalars(select(SpaceFollow.user_id).where(SpaceFollow.space_id == space.id))
    )


# --- reading them -------------------------------------------------------------------------


def _seen_by(user: User, unread_only: bool):
    """The user's notifications, without those about spaces they can no longer read (whose
    thread titles they must not see any more)."""
    query = select(Notification).where(
        Notification.recipient_id == user.id,
        Notification.space_id.is_(None) | Notification.space_id.in_(access.visible_space_ids(user)),
    )
    return query.where(Notification.read_at.is_(None)) if unread_only else query


def unread_count(user: User) -> int:
    """How many notifications the user has not read (among those they may still see)."""
    subquery = _seen_by(user, unread_only=True).subquery()
    return db.session.scalar(select(func.count()).select_from(subquery)) or 0


def notifications_query(user: User, unread_only: bool = False):
    """A select of the user's notifications, newest first, with what they point at loaded."""
    return (
        _seen_by(user, unread_only)
        .options(
            selectinload(Notification.actor),
            selectinload(Notification.thread),
            selectinload(Notification.space),
        )
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark some (or, with `ids` None, all) of the user's notifications read; returns how many."""
    statement = (
        update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    if ids is not None:
        statement = statement.where(Notification.id.in_(list(ids)))
    changed = db.session.execute(statement).rowcount
    db.session.commit()
    return changed


def mark_thread_notifications_read(user: User, thread: Thread) -> None:
    """Reading a thread reads its notifications (flushed; the caller commits)."""
    db.session.execute(
        update(Notification)
        .where(
            Notification.recipient_id == user.id,
            Notification.thread_id == thread.id,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )


# --- e-mails ------------------------------------------------------------------------------


def claim_email(notification_id: int, now: datetime) -> Notification | None:
    """Mark a due, unsent, unread notification e-mailed and commit, so a retried job cannot send
    it twice; None when there is nothing (more) to send."""
    claimed = db.session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.emailed_at.is_(None),
            Notification.read_at.is_(None),
            Notification.email_due_at.is_not(None),
            Notification.email_due_at <= now,
        )
        .values(emailed_at=now)
    ).rowcount
    db.session.commit()
    return db.session.get(Notification, notification_id) if claimed else None


def release_email(notification_id: int) -> None:
    """Undo a claim after the e-mail failed, so the retry sends it."""
    db.session.rollback()
    db.session.execute(
        update(Notification).where(Notification.id == notification_id).values(emailed_at=None)
    )
    db.session.commit()


def due_email_ids(now: datetime, limit: int = 1000) -> list[int]:
    """Notifications whose e-mail is due (e.g. quiet hours just ended) and not sent yet."""
    return list(
        db.session.scalars(
            select(Notification.id)
            .where(
                Notification.email_due_at.is_not(None),
                Notification.email_due_at <= now,
                Notification.emailed_at.is_(None),
                Notification.read_at.is_(None),
            )
            .order_by(Notification.id)
            .limit(limit)
        )
    )


def still_visible(notification: Notification) -> bool:
    """Whether the recipient may still read what the notification is about."""
    user = notification.recipient
    if not user.active:
        return False
    if notification.space is not None and not access.can_see_space(user, notification.space):
        return False
    thread = notification.thread
    if thread is not None and (thread.deleted or not access.can_read_space(user, thread.space)):
        return False
    return notification.post is None or not notification.post.deleted


# --- what happened, in words ----------------------------------------------------------------

SENTENCES = {
    NotificationKind.MENTION: "{actor} mentioned you in “{thread}”",
    NotificationKind.REPLY: "{actor} replied to “{thread}”",
    NotificationKind.ASSIGNMENT: "{actor} asked you to answer “{thread}”",
    NotificationKind.ANNOUNCEMENT: "{actor} posted an announcement: “{thread}”",
    NotificationKind.NEW_THREAD: "{actor} started “{thread}” in {space}",
    NotificationKind.ACCEPTED: "{actor} accepted your answer to “{thread}”",
    NotificationKind.JOIN_REQUEST: "{actor} asked to join {space}",
    NotificationKind.JOINED: "{actor} added you to {space}",
}


def sentence(notification: Notification) -> str:
    """The notification as one plain sentence (escaped by whatever displays it)."""
    return SENTENCES.get(notification.kind, "{actor}: {thread}").format(
        actor=notification.actor.display_name if notification.actor else "Someone",
        thread=notification.thread.title if notification.thread else "",
        space=notification.space.name if notification.space else "",
    )


def notify_about_post(post: Post) -> None:
    """Notify everyone a new or edited post concerns: the people and teams it mentions, the
    thread's followers (a reply), the space's followers (a new thread) or its whole audience (an
    announcement). Safe to run twice: nobody is notified twice for one post and reason."""
    thread = post.thread
    if post.deleted or thread.deleted:
        return
    space, author = thread.space, post.author
    mentioned = resolve_mentions(mentioned_handles(post.body_source)).user_ids
    notify(mentioned, NotificationKind.MENTION, actor=author, thread=thread, post=post)
    if post.is_opening and thread.is_announcement:
        notify(
            access.audience_ids(space) - mentioned,
            NotificationKind.ANNOUNCEMENT,
            actor=author,
            thread=thread,
            post=post,
        )
    elif post.is_opening:
        notify(
            space_follower_ids(space) - mentioned,
            NotificationKind.NEW_THREAD,
            actor=author,
            thread=thread,
            post=post,
        )
    else:
        notify(
            thread_follower_ids(thread) - mentioned - _read_past(thread, post),
            NotificationKind.REPLY,
            actor=author,
            thread=thread,
            post=post,
        )
    db.session.commit()
