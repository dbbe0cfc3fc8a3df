"""Administration use-cases the admin and team pages need on top of the accounts service."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from advocacy.accounts.models import Invitation, Team, TeamMembership, User
from advocacy.accounts.service import Profile, find_user_by_email, list_users
from advocacy.accounts.teams import add_team_member, can_manage_team, list_teams
from advocacy.accounts.tokens import invite_user
from advocacy.accounts.validation import normalise_email
from advocacy.errors import Forbidden, ValidationFailed
from advocacy.extensions import db
from advocacy.jobs import enqueue


def search_users(search: str = "") -> list[User]:
    """Users whose name or e-mail contains `search`, deactivated ones included."""
    return list(db.session.scalars(list_users(search[:100])))


def all_teams() -> list[Team]:
    """Every team by name, with its memberships loaded."""
    return list(db.session.scalars(list_teams()))


def team_names() -> list[str]:
    """Every team's name, for choosing teams in a form."""
    return list(db.session.scalars(select(Team.name).order_by(func.lower(Team.name))))


def invite_and_notify(
    email: str, profile: Profile, role: str, teams: Iterable[str], invited_by: User
) -> Invitation:
    """Create an invited user and queue the invitation e-mail (sent after the commit)."""
    invitation, secret = invite_user(email, profile, role, teams, invited_by)
    # invite_user has committed; reading the id opens a new transaction, so enqueue() would hold
    # the job for a later commit. Committing here releases it at once.
    enqueue("advocacy.accounts.jobs.send_invitation", invitation.id, secret, queue="mail")
    db.session.commit()
    return invitation


def team_members(team: Team) -> list[TeamMembership]:
    """A team's memberships: leaders first, then by name."""
    return sorted(
        team.memberships, key=lambda m: (not m.is_leader, m.user.display_name.lower(), m.user_id)
    )


def check_can_manage(user: User, team: Team) -> None:
    """Forbidden unless `user` is an admin or one of the team's leaders."""
    if not can_manage_team(user, team):
        raise Forbidden(f"Only admins and the leaders of {team.name} can change its members.")


def add_member_by_email(team: Team, email: str, leader: bool, acting: User) -> TeamMembership:
    """Put the user with this e-mail in the team, as the acting admin or team leader."""
    check_can_manage(acting, team)
    user = find_user_by_email(normalise_email(email))
    if user is None:
        raise ValidationFailed.field("email", "Nobody has this e-mail address. Invite them first.")
    return add_team_member(team, user, leader)


def membership_of(team: Team, user_id: int) -> TeamMembership | None:
    """The team's membership of this user, if any."""
    return next((m for m in team.memberships if m.user_id == user_id), None)
