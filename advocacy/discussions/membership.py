"""Space membership: joining public spaces, requests to join private ones, invitations and
roles by moderators, leaving, and who the members and moderators are."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from advocacy.accounts.models import TeamMembership, User
from advocacy.discussions import access
from advocacy.discussions.models import JoinRequest, Space, SpaceMember, SpaceRole
from advocacy.discussions.signals import join_requested, member_added
from advocacy.errors import Conflict, Forbidden, NotFound, ValidationFailed
from advocacy.extensions import db

JOIN_MESSAGE_MAX = 500


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
    join_requested.send(space, user=user)
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
        member_added.send(space, user=user, acting=acting)
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
