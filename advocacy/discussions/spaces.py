"""Spaces: creating and listing them, membership (join, requests, invitations, roles), follows,
visits, and one space per team."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from advocacy.accounts.models import Team, TeamMembership, User
from advocacy.discussions import access
from advocacy.discussions.models import (
    SPACE_DESCRIPTION_MAX,
    SPACE_NAME_MAX,
    JoinRequest,
    Space,
    SpaceFollow,
    SpaceMember,
    SpaceRole,
    SpaceVisit,
    Thread,
    Visibility,
)
from advocacy.discussions.notification_models import NotificationKind
from advocacy.discussions.notifications import notify
from advocacy.errors import Conflict, Forbidden, NotFound, ValidationFailed
from advocacy.extensions import db
from advocacy.models_base import utcnow

JOIN_MESSAGE_MAX = 500


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
    clash = select(Space.id).where(func.lower(Space.name) == name.lower())
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


# --- membership ---------------------------------------------------------------------------


def join_space(user: User, space: Space) -> SpaceMember:
    """Join a public space at once; private spaces take a request, secret ones an invitation."""
    if not access.can_see_space(user, space):
        raise NotFound("No such space.")
    if access.is_member(user, space):
        raise Conflict(f"You are already a member of {space.name}.")
    if not space.is_public:
        raise Forbidden(f"{space.name} is private: ask to join and a moderator will decide.")
    member = SpaceMember(space_id=space.id, user_id=user.id, role=SpaceRole.MEMBER.value)
    db.session.add(member)
    db.session.commit()
    return member


def request_to_join(user: User, space: Space, message: str = "") -> JoinRequest:
    """Ask the moderators of a private space to let the user in; they are notified."""
    if not access.can_see_space(user, space):
        raise NotFound("No such space.")
    if access.is_member(user, space):
        raise Conflict(f"You are already a member of {space.name}.")
    if space.is_public:
        raise Conflict(f"{space.name} is public: join it directly.")
    message = (message or "").strip()
    if len(message) > JOIN_MESSAGE_MAX:
        raise ValidationFailed.field("message", f"Use at most {JOIN_MESSAGE_MAX} characters.")
    existing = db.session.scalar(
        select(JoinRequest).where(JoinRequest.space_id == space.id, JoinRequest.user_id == user.id)
    )
    if existing is not None:
        raise Conflict("You have already asked to join; the moderators will decide.")
    join_request = JoinRequest(space_id=space.id, user_id=user.id, message=message)
    db.session.add(join_request)
    notify(moderator_ids(space), NotificationKind.JOIN_REQUEST, actor=user, space=space)
    db.session.commit()
    return join_request


def pending_request(user: User, space: Space) -> JoinRequest | None:
    """The user's open request to join, if any."""
    return db.session.scalar(
        select(JoinRequest).where(JoinRequest.space_id == space.id, JoinRequest.user_id == user.id)
    )


def join_requests(space: Space) -> list[JoinRequest]:
    """Open requests to join, oldest first."""
    return list(
        db.session.scalars(
            select(JoinRequest)
            .where(JoinRequest.space_id == space.id)
            .options(selectinload(JoinRequest.user))
            .order_by(JoinRequest.created_at, JoinRequest.id)
        )
    )


def add_member(acting: User, space: Space, user: User, role: str = "member") -> SpaceMember:
    """Invite someone in (or change their role) as a moderator; only owners make owners."""
    access.check_can_moderate(acting, space)
    if role not in {r.value for r in SpaceRole}:
        raise ValidationFailed.field("role", "Choose owner, moderator or member.")
    if role == SpaceRole.OWNER and not (
        acting.is_admin or access.space_role(acting, space) == SpaceRole.OWNER
    ):
        raise Forbidden("Only owners make other people owners.")
    if not user.active:
        raise Conflict(f"{user.display_name} is deactivated.")
    member = db.session.scalar(
        select(SpaceMember).where(SpaceMember.space_id == space.id, SpaceMember.user_id == user.id)
    )
    is_new = member is None
    if is_new:
        member = SpaceMember(space_id=space.id, user_id=user.id)
        db.session.add(member)
    elif member.role == SpaceRole.OWNER and role != SpaceRole.OWNER:
        _keep_an_owner(space, user)
    member.role = role
    db.session.execute(
        delete(JoinRequest).where(JoinRequest.space_id == space.id, JoinRequest.user_id == user.id)
    )
    if is_new:
        notify([user.id], NotificationKind.JOINED, actor=acting, space=space)
    db.session.commit()
    return member


def decline_request(acting: User, space: Space, user_id: int) -> None:
    """Turn down a request to join."""
    access.check_can_moderate(acting, space)
    deleted = db.session.execute(
        delete(JoinRequest).where(JoinRequest.space_id == space.id, JoinRequest.user_id == user_id)
    )
    if not deleted.rowcount:
        raise NotFound("There is no such request.")
    db.session.commit()


def _keep_an_owner(space: Space, leaving: User) -> None:
    owners = db.session.scalar(
        select(func.count()).where(
            SpaceMember.space_id == space.id,
            SpaceMember.role == SpaceRole.OWNER.value,
            SpaceMember.user_id != leaving.id,
        )
    )
    if not owners and space.team_id is None:
        raise Conflict(f"{space.name} needs an owner: make someone else owner first.")


def remove_member(acting: User, space: Space, user: User) -> None:
    """Take someone out of a space (moderators), or leave it (anyone, for themself)."""
    if acting.id != user.id:
        access.check_can_moderate(acting, space)
    member = db.session.scalar(
        select(SpaceMember).where(SpaceMember.space_id == space.id, SpaceMember.user_id == user.id)
    )
    if member is None:
        if space.team_id is not None and space.team_id in user.team_ids:
            raise Conflict(f"{user.display_name} belongs to the team {space.team.name}.")
        raise NotFound(f"{user.display_name} is not a member of {space.name}.")
    if member.role == SpaceRole.OWNER:
        _keep_an_owner(space, user)
    db.session.delete(member)
    db.session.commit()


@dataclass
class MemberRow:
    """A member as the members page lists them."""

    user: User
    role: str
    via_team: bool


def members_of(space: Space) -> list[MemberRow]:
    """Members by role then name: explicit ones and, for a team space, the team's people."""
    rows: dict[int, MemberRow] = {}
    for member in db.session.scalars(
        select(SpaceMember)
        .where(SpaceMember.space_id == space.id)
        .options(selectinload(SpaceMember.user))
    ):
        rows[member.user_id] = MemberRow(member.user, member.role, False)
    if space.team_id is not None:
        for membership in db.session.scalars(
            select(TeamMembership)
            .where(TeamMembership.team_id == space.team_id)
            .options(selectinload(TeamMembership.user))
        ):
            if membership.user_id not in rows:
                role = SpaceRole.MODERATOR if membership.is_leader else SpaceRole.MEMBER
                rows[membership.user_id] = MemberRow(membership.user, role.value, True)
    order = {SpaceRole.OWNER: 0, SpaceRole.MODERATOR: 1, SpaceRole.MEMBER: 2}
    return sorted(
        rows.values(), key=lambda r: (order[SpaceRole(r.role)], r.user.display_name.lower())
    )


def moderator_ids(space: Space) -> set[int]:
    """Active owners and moderators of a space (team leaders for a team space)."""
    return {
        row.user.id for row in members_of(space) if row.role != SpaceRole.MEMBER and row.user.active
    }


# --- follows and visits -------------------------------------------------------------------


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


def member_user(space: Space, user_id: int) -> User:
    """The person to take out of a space, or NotFound."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such person.")
    return user


def requesting_user(space: Space, user_id: int) -> User:
    """The person who asked to join the space, or NotFound when they did not."""
    join_request = db.session.scalar(
        select(JoinRequest).where(JoinRequest.space_id == space.id, JoinRequest.user_id == user_id)
    )
    if join_request is None:
        raise NotFound("There is no such request.")
    return join_request.user
