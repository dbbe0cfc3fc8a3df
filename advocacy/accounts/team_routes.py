"""Team pages: every signed-in user sees teams and members; admins and leaders manage members."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user

from advocacy.accounts import administration, service, teams
from advocacy.accounts.auth import admin_required
from advocacy.accounts.forms import AddMemberForm, TeamForm
from advocacy.errors import Conflict, ValidationFailed
from advocacy.web.forms import apply_errors
from advocacy.web.htmx import fragment_or_redirect, render

bp = Blueprint("teams", __name__, url_prefix="/teams")


def _teams_page(status: int = 200, form=None):
    return render(
        "accounts/teams.html",
        "accounts/_team_create.html",
        status=status,
        teams=administration.all_teams(),
        form=form or TeamForm(formdata=None),
    )


@bp.get("/")
def index():
    """Every team, with its leaders and size."""
    return _teams_page()


@bp.post("/")
@admin_required
def create():
    """Create a team (admins)."""
    form = TeamForm()
    status = 422
    if form.validate_on_submit():
        try:
            team = teams.create_team(form.name.data, form.description.data or "")
        except (ValidationFailed, Conflict) as error:
            apply_errors(form, error)
            status = error.status
        else:
            flash(f"The team {team.name} is created.", "success")
            return redirect(url_for("teams.team", team_id=team.id), code=303)
    return _teams_page(status, form)


def _team_page(team, status: int = 200, form=None, trigger: str | None = None):
    return render(
        "accounts/team.html",
        "accounts/_team_members.html",
        status=status,
        trigger=trigger,
        team=team,
        members=administration.team_members(team),
        can_manage=teams.can_manage_team(current_user, team),
        member_form=form or AddMemberForm(formdata=None),
    )


@bp.get("/<int:team_id>")
def team(team_id: int):
    """A team's members, leaders first."""
    return _team_page(teams.get_team(team_id))


def _managed_team(team_id: int):
    team = teams.get_team(team_id)
    if not teams.can_manage_team(current_user, team):
        abort(403)
    return team


def _after_change(team, message: str):
    flash(message, "success")
    return fragment_or_redirect(
        lambda: _team_page(team, trigger="teamChanged"), url_for("teams.team", team_id=team.id)
    )


@bp.post("/<int:team_id>/members")
def add_member(team_id: int):
    """Add someone to the team by e-mail (admins and the team's leaders)."""
    team, form = _managed_team(team_id), AddMemberForm()
    if not form.validate_on_submit():
        return _team_page(team, 422, form)
    try:
        membership = administration.add_member_by_email(
            team, form.email.data, form.leader.data, current_user
        )
    except (ValidationFailed, Conflict) as error:
        apply_errors(form, error)
        return _team_page(team, error.status, form)
    return _after_change(team, f"{membership.user.display_name} is in {team.name}.")


@bp.post("/<int:team_id>/members/<int:user_id>/leader")
def toggle_leader(team_id: int, user_id: int):
    """Make a member a leader of the team, or no longer one."""
    team = _managed_team(team_id)
    membership = administration.membership_of(team, user_id)
    if membership is None:
        abort(404)
    teams.add_team_member(team, membership.user, leader=not membership.is_leader)
    verb = "now leads" if membership.is_leader else "no longer leads"
    return _after_change(team, f"{membership.user.display_name} {verb} {team.name}.")


@bp.post("/<int:team_id>/members/<int:user_id>/remove")
def remove_member(team_id: int, user_id: int):
    """Take someone out of the team."""
    team = _managed_team(team_id)
    person = service.get_user(user_id)
    teams.remove_team_member(team, person)
    return _after_change(team, f"{person.display_name} is no longer in {team.name}.")
