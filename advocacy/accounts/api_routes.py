"""Accounts in the JSON API: me, users, teams and team members."""

from __future__ import annotations

from flask import abort
from marshmallow import Schema, fields, validate

from advocacy.accounts import service, teams
from advocacy.accounts.models import NAME_MAX, Role
from advocacy.web.api import ApiBlueprint, Id, PageArgs, admin_only, api_user, page_of, paginate

bp = ApiBlueprint("accounts_api", __name__, description="People and teams")


class TeamRefSchema(Schema):
    """One of a user's team memberships."""

    id = fields.Integer(required=True, attribute="team.id")
    name = fields.String(required=True, attribute="team.name")
    is_leader = fields.Boolean(required=True)


class UserSchema(Schema):
    id = fields.Integer(required=True)
    email = fields.Email(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    job_title = fields.String(required=True)
    department = fields.String(required=True)
    location = fields.String(required=True)
    timezone = fields.String(required=True)
    languages = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)
    teams = fields.List(fields.Nested(TeamRefSchema), dump_only=True, attribute="memberships")


class UserListArgs(PageArgs):
    q = fields.String(
        load_default="",
        validate=validate.Length(max=NAME_MAX),
        metadata={"description": "Name or e-mail fragment"},
    )


class MemberSchema(Schema):
    """One of a team's memberships."""

    user_id = fields.Integer(required=True)
    display_name = fields.String(required=True, attribute="user.display_name")
    is_leader = fields.Boolean(required=True)


class TeamSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=NAME_MAX))
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    members = fields.List(fields.Nested(MemberSchema), dump_only=True, attribute="memberships")


class AddMemberSchema(Schema):
    user_id = Id(required=True)
    is_leader = fields.Boolean(load_default=False)


@bp.get("/me")
@bp.response(200, UserSchema)
def me():
    """The token's owner."""
    return api_user()


@bp.get("/users")
@bp.arguments(UserListArgs, location="query")
@bp.response(200, page_of(UserSchema))
def list_users(args):
    """Everyone in the organisation (deactivated people included, flagged `active: false`)."""
    return paginate(service.list_users(args["q"]), args["page"], args["per_page"])


@bp.get("/teams")
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(TeamSchema))
def list_teams(args):
    """All teams with their members."""
    return paginate(teams.list_teams(), args["page"], args["per_page"])


@bp.post("/teams")
@admin_only("create teams")
@bp.arguments(TeamSchema)
@bp.response(201, TeamSchema)
@bp.problems(403, 409)
def create_team(data):
    """Create a team (admins only)."""
    return teams.create_team(data["name"], data["description"])


@bp.post("/teams/<int:team_id>/members")
@bp.arguments(AddMemberSchema)
@bp.response(200, TeamSchema)
@bp.problems(403, 404, 409)
def add_team_member(data, team_id: int):
    """Add someone to a team, or change whether they lead it (admins and the team's leaders)."""
    team = teams.get_team(team_id)
    if not teams.can_manage_team(api_user(), team):
        abort(403, "Only admins and this team's leaders manage its members.")
    teams.add_team_member(team, service.get_user(data["user_id"]), data["is_leader"])
    return team
