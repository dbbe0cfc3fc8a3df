"""Teams: creating them, their members and leaders, and who may manage them."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from advocacy.accounts.models import NAME_MAX, Team, TeamMembership, User
from advocacy.accounts.signals import team_created
from advocacy.accounts.validation import check_text
from advocacy.errors import Conflict, NotFound, ValidationFailed
from advocacy.extensions import db


def get_team(team_id: int) -> Team:
    """A team by id, or NotFound."""
    team = db.session.get(Team, team_id)
    if team is None:
        raise NotFound("No such team.")
    return team


def ensure_team(name: str) -> Team:
    """The team with this name, added (not committed) when missing."""
    team = db.session.scalar(select(Team).where(func.lower(Team.name) == name.strip().lower()))
    if team is None:
        team = Team(name=name.strip())
        db.session.add(team)
        db.session.flush()
        team_created.send(team)
    return team


def create_team(name: str, description: str = "") -> Team:
    """Create a team with a unique name."""
    errors: dict[str, list[str]] = {}
    name = check_text(errors, "name", name, NAME_MAX, True)
    description = check_text(errors, "description", description, 2000)
    if errors:
        raise ValidationFailed("The team could not be created.", errors)
    # Both sides: SQLite's lower() folds ASCII only.
    same_name = or_(Team.name == name, func.lower(Team.name) == name.lower())
    if db.session.scalar(select(Team.id).where(same_name)):
        raise Conflict(f"A team called {name} already exists.", {"name": ["Already in use."]})
    team = Team(name=name, description=description)
    db.session.add(team)
    db.session.flush()
    team_created.send(team)
    db.session.commit()
    return team


def list_teams():
    """A select of teams by name, with members loaded."""
    return select(Team).options(selectinload(Team.memberships)).order_by(func.lower(Team.name))


def can_manage_team(user: User, team: Team) -> bool:
    """Admins manage every team; leaders manage their own."""
    return user.is_admin or team.id in user.led_team_ids


def add_team_member(team: Team, user: User, leader: bool = False) -> TeamMembership:
    """Put a user in a team (or change whether they lead it)."""
    if not user.active:
        raise Conflict(f"{user.display_name} is deactivated and cannot join teams.")
    membership = db.session.scalar(
        select(TeamMembership).where(
            TeamMembership.team_id == team.id, TeamMembership.user_id == user.id
        )
    )
    if membership is None:
        membership = TeamMembership(team=team, user=user)
        db.session.add(membership)
    membership.is_leader = leader
    db.session.commit()
    return membership


def remove_team_member(team: Team, user: User) -> None:
    """Take a user out of a team."""
    membership = db.session.scalar(
        select(TeamMembership).where(
            TeamMembership.team_id == team.id, TeamMembership.user_id == user.id
        )
    )
    if membership is None:
        raise NotFound(f"{user.display_name} is not in {team.name}.")
    db.session.delete(membership)
    db.session.commit()
