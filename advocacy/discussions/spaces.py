"""Spaces: creating, renaming and listing them, follows and visits, and one space per team
(membership is in membership.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from advocacy.accounts.models import Team, User
from advocacy.discussions import access
from advocacy.discussions.models import (
    SPACE_DESCRIPTION_MAX,
    SPACE_NAME_MAX,
    Post,
    Space,
    SpaceFollow,
    SpaceMember,
    SpaceRole,
    SpaceVisit,
    Thread,
    Visibility,
)
from advocacy.errors import Conflict, Forbidden, ValidationFailed
from advocacy.extensions import db
from advocacy.models_base import utcnow


def _check_space_fields(name: str, description: str, exclude_id: int | None = None) -> tuple:
    errors: dict[str, list[str]] = {}
    name, description = (name or "").strip(), (description or "").strip()
    if not name:
        errors["name"] = ["Give the space a name."]
    elif len(name) > SPACE_NAME_MAX:
        errors["name"] = [f"Use at most {SPACE_NAME_MAX} characters."]
    if len(description) > SPACE_DESCRIPTION_MAX:
        errors["description"] = [f"Use at most {SPACE_DESCRIPTION_MAX} characters."]
    if errors:
        raise ValidationFailed("The space is not valid.", errors)
    # Both sides: SQLite's lower() folds ASCII only, so "Élan" would not meet "élan" otherwise.
    clash = select(Space.id).where(or_(Space.name == name, func.lower(Space.name) == name.lower()))
    if exclude_id is not None:
        clash = clash.where(Space.id != exclude_id)
    if db.session.scalar(clash) is not None:
        raise Conflict(f"A space called {name} already exists.", {"name": ["Already in use."]})
    return name, description


def create_space(
    creator: User, name: str, description: str = "", visibility: str = "public", official=False
) -> Space:
    """Create a space; its creator owns it. Only admins create official spaces."""
    if visibility not in {v.value for v in Visibility}:
        raise ValidationFailed.field("visibility", "Choose public, private or secret.")
    if official and not creator.is_admin:
        raise Forbidden("Only admins create official spaces.")
    name, description = _check_space_fields(name, description)
    space = Space(
        name=name,
        description=description,
        visibility=visibility,
        official=bool(official),
        created_by_id=creator.id,
    )
    db.session.add(space)
    db.session.flush()
    db.session.add(SpaceMember(space_id=space.id, user_id=creator.id, role=SpaceRole.OWNER.value))
    db.session.commit()
    return space


def update_space(acting: User, space: Space, name: str, description: str) -> Space:
    """Rename a space or change its description (its moderators)."""
    access.check_can_moderate(acting, space)
    space.name, space.description = _check_space_fields(name, description, space.id)
    db.session.commit()
    return space


@dataclass
class SpaceSummary:
    """A space as a list shows it to one reader."""

    space: Space
    role: str | None
    can_read: bool
    threads: int
    new_threads: int
    following: bool
    latest_post: Post | None = None  # the space's last word (None when unreadable or empty)


def list_spaces(user: User) -> list[SpaceSummary]:
    """Every space the user may know of, with their role, thread counts and what is new."""
    spaces = list(
        db.session.scalars(
            select(Space)
            .where(Space.id.in_(access.listed_space_ids(user)))
            .order_by(func.lower(Space.name))
        )
    )
    member_of = set(db.session.scalars(access.member_space_ids(user)))
    roles = dict(
        db.session.execute(
            select(SpaceMember.space_id, SpaceMember.role).where(SpaceMember.user_id == user.id)
        ).all()
    )
    led = user.led_team_ids
    totals = dict(
        db.session.execute(
            select(Thread.space_id, func.count())
            .where(Thread.deleted_at.is_(None))
            .group_by(Thread.space_id)
        ).all()
    )
    new = dict(
        db.session.execute(
            select(Thread.space_id, func.count())
            .outerjoin(
                SpaceVisit,
                (SpaceVisit.space_id == Thread.space_id) & (SpaceVisit.user_id == user.id),
            )
            .where(
                Thread.deleted_at.is_(None),
                (SpaceVisit.visited_at.is_(None)) | (Thread.created_at > SpaceVisit.visited_at),
            )
            .group_by(Thread.space_id)
        ).all()
    )
    followed = set(
        db.session.scalars(select(SpaceFollow.space_id).where(SpaceFollow.user_id == user.id))
    )
    newest = (
        select(func.max(Post.id))
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.deleted_at.is_(None), Thread.deleted_at.is_(None))
        .where(Thread.space_id.in_([space.id for space in spaces]))
        .group_by(Thread.space_id)
    )
    latest = {
        post.thread.space_id: post
        for post in db.session.scalars(
            select(Post)
            .where(Post.id.in_(newest))
            .options(selectinload(Post.author), selectinload(Post.thread))
        )
    }
    summaries = []
    for space in spaces:
        role = roles.get(space.id)
        if role is None and space.id in member_of:
            role = SpaceRole.MODERATOR.value if space.team_id in led else SpaceRole.MEMBER.value
        readable = space.is_public or user.is_admin or role is not None
        summaries.append(
            SpaceSummary(
                space=space,
                role=role,
                can_read=readable,
                threads=totals.get(space.id, 0) if readable else 0,
                new_threads=new.get(space.id, 0) if readable else 0,
                following=space.id in followed,
                latest_post=latest.get(space.id) if readable else None,
            )
        )
    return summaries


def list_spaces_query(user: User):
    """A select of the spaces the user may know of, by name (for the API)."""
    return (
        select(Space)
        .where(Space.id.in_(access.listed_space_ids(user)))
        .order_by(func.lower(Space.name), Space.id)
    )


# --- follows and visits -------------------------------------------------------------------


def restricted_spaces() -> list[Space]:
    """Private and secret spaces, by name: what an admin may scope a webhook to."""
    return list(
        db.session.scalars(
            select(Space)
            .where(Space.visibility != Visibility.PUBLIC.value)
            .order_by(func.lower(Space.name), Space.id)
        )
    )


def set_space_follow(user: User, space: Space, following: bool) -> None:
    """Follow a space (new threads notify me) or stop following it."""
    access.check_can_read(user, space)
    row = db.session.scalar(
        select(SpaceFollow).where(SpaceFollow.space_id == space.id, SpaceFollow.user_id == user.id)
    )
    if following and row is None:
        db.session.add(SpaceFollow(space_id=space.id, user_id=user.id))
    elif not following and row is not None:
        db.session.delete(row)
    db.session.commit()


def is_following_space(user: User, space: Space) -> bool:
    """Does the user follow the space?"""
    return (
        db.session.scalar(
            select(SpaceFollow.id).where(
                SpaceFollow.space_id == space.id, SpaceFollow.user_id == user.id
            )
        )
        is not None
    )


def record_visit(user: User, space: Space) -> None:
    """Remember that the user has seen the space's threads as of now."""
    visit = db.session.scalar(
        select(SpaceVisit).where(SpaceVisit.space_id == space.id, SpaceVisit.user_id == user.id)
    )
    if visit is None:
        db.session.add(SpaceVisit(space_id=space.id, user_id=user.id, visited_at=utcnow()))
    else:
        visit.visited_at = utcnow()
    db.session.commit()


# --- team spaces --------------------------------------------------------------------------


def ensure_team_space(team: Team) -> Space:
    """The team's private space, added (flushed, not committed) when it has none."""
    space = db.session.scalar(select(Space).where(Space.team_id == team.id))
    if space is not None:
        return space
    name = team.name[:SPACE_NAME_MAX]
    if db.session.scalar(select(Space.id).where(func.lower(Space.name) == name.lower())):
        name = f"{team.name[: SPACE_NAME_MAX - 7]} (team)"
    space = Space(
        name=name,
        description=f"The {team.name} team's own space.",
        visibility=Visibility.PRIVATE.value,
        team_id=team.id,
    )
    db.session.add(space)
    db.session.flush()
    return space


def ensure_team_spaces() -> int:
    """Give every team without a space its own; returns how many were created (committed)."""
    teams = list(
        db.session.scalars(
            select(Team).where(
                ~Team.id.in_(select(Space.team_id).where(Space.team_id.is_not(None)))
            )
        )
    )
    for team in teams:
        ensure_team_space(team)
    db.session.commit()
    return len(teams)
