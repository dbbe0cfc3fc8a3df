"""Flags and the moderation queue: readers report posts with a reason; the space's moderators
(and admins) see open flags and dismiss them or delete the post."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from advocacy.accounts.models import TeamMembership, User
from advocacy.discussions import access
from advocacy.discussions.models import FLAG_REASON_MAX, Flag, Post, Space, SpaceMember, Thread
from advocacy.discussions.threads import delete_post, delete_thread
from advocacy.errors import Conflict, Forbidden, NotFound, ValidationFailed
from advocacy.extensions import db
from advocacy.models_base import utcnow


def flag_post(reporter: User, post: Post, reason: str) -> Flag:
    """Report a post to the space's moderators; one open flag per person and post."""
    access.check_can_read(reporter, post.thread.space)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.field("reason", "Say what is wrong with this post.")
    if len(reason) > FLAG_REASON_MAX:
        raise ValidationFailed.field("reason", f"Use at most {FLAG_REASON_MAX} characters.")
    existing = db.session.scalar(
        select(Flag.id).where(
            Flag.post_id == post.id, Flag.reporter_id == reporter.id, Flag.resolved_at.is_(None)
        )
    )
    if existing is not None:
        raise Conflict("You have already flagged this post; the moderators will look at it.")
    flag = Flag(post_id=post.id, reporter_id=reporter.id, reason=reason)
    db.session.add(flag)
    db.session.commit()
    return flag


def moderated_space_ids(user: User):
    """A select of the spaces whose flags the user handles (all of them for admins)."""
    if user.is_admin:
        return access.visible_space_ids(user)
    return select(Space.id).where(
        Space.id.in_(
            select(SpaceMember.space_id).where(
                SpaceMember.user_id == user.id, SpaceMember.role.in_(access.MODERATING_ROLES)
            )
        )
        | Space.team_id.in_(
            select(TeamMembership.team_id).where(
                TeamMembership.user_id == user.id, TeamMembership.is_leader.is_(True)
            )
        )
    )


def moderates_something(user: User) -> bool:
    """Whether the user moderates at least one space (admins moderate them all)."""
    if user.is_admin:
        return True
    return bool(
        db.session.scalar(select(func.count()).select_from(moderated_space_ids(user).subquery()))
    )


def check_moderates_something(user: User) -> None:
    """Forbidden unless the user moderates at least one space (or is an admin)."""
    if not moderates_something(user):
        raise Forbidden("The moderation queue is for the moderators of a space.")


def _open_flags_query(user: User):
    return (
        select(Flag)
        .join(Post, Post.id == Flag.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Flag.resolved_at.is_(None), Thread.space_id.in_(moderated_space_ids(user)))
    )


def open_flags(user: User) -> list[Flag]:
    """Open flags in the spaces the user moderates, oldest first."""
    return list(
        db.session.scalars(
            _open_flags_query(user)
            .options(
                selectinload(Flag.reporter),
                selectinload(Flag.post).selectinload(Post.author),
                selectinload(Flag.post).selectinload(Post.thread).selectinload(Thread.space),
            )
            .order_by(Flag.created_at, Flag.id)
        )
    )


def count_open_flags(user: User) -> int:
    """How many flags wait for this moderator."""
    query = _open_flags_query(user).with_only_columns(func.count(Flag.id))
    return db.session.scalar(query) or 0


def resolve_flag(acting: User, flag_id: int, action: str) -> Flag:
    """Dismiss a flag, or delete the flagged post (every open flag on it is then resolved)."""
    flag = db.session.get(Flag, flag_id)
    if flag is None or not access.can_see_space(acting, flag.post.thread.space):
        raise NotFound("No such flag.")
    access.check_can_moderate(acting, flag.post.thread.space)
    if action not in ("dismiss", "delete"):
        raise ValidationFailed.field("action", "Choose dismiss or delete.")
    if flag.resolved_at is not None:
        raise Conflict("This flag was already handled.")
    post = flag.post
    if action == "delete" and not post.deleted:
        if post.is_opening:
            delete_thread(acting, post.thread)
        else:
            delete_post(acting, post)
    # Deleting the post settles every open flag on it; dismissing settles only this one.
    settled = Flag.post_id == post.id if action == "delete" else Flag.id == flag.id
    db.session.execute(
        update(Flag)
        .where(settled, Flag.resolved_at.is_(None))
        .values(
            resolved_at=utcnow(),
            resolved_by_id=acting.id,
            resolution="deleted" if action == "delete" else "dismissed",
        )
    )
    db.session.commit()
    return flag
