"""Points and standings in the JSON API: the leaderboard, point values, corrections."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from advocacy.accounts.service import get_user
from advocacy.leaderboard.points import ledger, rules
from advocacy.leaderboard.points.boards import DEFAULT_LIMIT, MAX_LIMIT, board_query, leaderboard
from advocacy.leaderboard.points.periods import PeriodKind
from advocacy.web.api import ApiBlueprint, admin_only, api_user

bp = ApiBlueprint("points_api", __name__, description="Leaderboards, point values, corrections")


class LeaderboardArgs(Schema):
    period = fields.String(
        load_default="week", validate=validate.OneOf([k.value for k in PeriodKind])
    )
    from_ = fields.Date(data_key="from", load_default=None, metadata={"description": "custom"})
    to = fields.Date(load_default=None, metadata={"description": "custom: last day, inclusive"})
    scope = fields.String(load_default="people", validate=validate.OneOf(["people", "teams"]))
    team = fields.Integer(load_default=None)
    location = fields.String(load_default="", validate=validate.Length(max=120))
    network = fields.String(load_default="")
    rank_by = fields.String(load_default="average", validate=validate.OneOf(["average", "total"]))
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT))


class PersonRowSchema(Schema):
    rank = fields.Integer(required=True)
    points = fields.Integer(required=True)
    name = fields.String(required=True)
    anonymous = fields.Boolean(required=True)
    user_id = fields.Integer(allow_none=True, metadata={"description": "null when anonymous"})
    is_me = fields.Boolean(required=True)


class TeamRowSchema(Schema):
    rank = fields.Integer(required=True)
    team_id = fields.Integer(required=True)
    name = fields.String(required=True)
    points = fields.Integer(required=True)
    active_members = fields.Integer(required=True)
    average = fields.Float(required=True)
    is_mine = fields.Boolean(required=True)


class LeaderboardSchema(Schema):
    period = fields.String(required=True)
    start = fields.Date(allow_none=True, metadata={"description": "first local day"})
    end = fields.Date(allow_none=True, metadata={"description": "last local day"})
    scope = fields.String(required=True)
    people = fields.List(fields.Nested(PersonRowSchema), required=True)
    teams = fields.List(fields.Nested(TeamRowSchema), required=True)
    me = fields.Nested(PersonRowSchema, allow_none=True)
    ranked_count = fields.Integer(required=True)
    withheld = fields.Integer(
        required=True,
        metadata={"description": "Anonymous colleagues left out: fewer than 5 people ranked."},
    )


class RulesSchema(Schema):
    share_intent = fields.Integer(required=True, strict=True)
    verified_share = fields.Integer(required=True, strict=True)
    human_click = fields.Integer(required=True, strict=True)
    conversion = fields.Integer(required=True, strict=True)
    hire = fields.Integer(
        strict=True,
        load_default=None,
        metadata={"description": "Points for a referred candidate's hire; kept if absent."},
    )
    daily_cap = fields.Integer(required=True, strict=True)
    version = fields.Integer(dump_only=True, allow_none=True)
    effective_from = fields.DateTime(dump_only=True, allow_none=True)


class AdjustmentInSchema(Schema):
    user_id = fields.Integer(required=True)
    points = fields.Integer(required=True, strict=True)
    reason = fields.String(required=True)
    day = fields.Date(load_default=None, metadata={"description": "today if absent"})
    idempotency_key = fields.String(
        load_default=None,
        validate=validate.Length(1, 80),
        metadata={"description": "a retried request with the same key is recorded once"},
    )


class AdjustmentSchema(Schema):
    id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    points = fields.Integer(required=True)
    reason = fields.String(required=True)
    local_day = fields.Date(required=True)
    created_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)


@bp.get("/leaderboard")
@bp.arguments(LeaderboardArgs, location="query")
@bp.response(200, LeaderboardSchema)
@bp.problems(422)
def get_leaderboard(args):
    """Standings for a period, of people or teams; `me` is the caller's own row."""
    query = board_query(
        period=args["period"],
        start=args["from_"],
        end=args["to"],
        scope=args["scope"],
        team=args["team"],
        location=args["location"],
        network=args["network"],
        rank_by=args["rank_by"],
        limit=args["limit"],
    )
    board = leaderboard(query, api_user())
    return {
        "period": query.period.kind.value,
        "start": query.period.start,
        "end": query.period.end,
        "scope": query.scope,
        "people": board.people,
        "teams": board.teams,
        "me": board.me,
        "ranked_count": board.ranked_count,
        "withheld": board.withheld,
    }


@bp.get("/points/rules")
@bp.response(200, RulesSchema)
def get_rules():
    """The point values in force now."""
    return rules.current_rules()


@bp.put("/points/rules")
@admin_only("manage points")
@bp.arguments(RulesSchema)
@bp.response(200, RulesSchema)
@bp.problems(403, 422)
def put_rules(data):
    """New point values, in force from now on (admins)."""
    return rules.set_rules(data, api_user())


@bp.post("/points/adjustments")
@admin_only("manage points")
@bp.arguments(AdjustmentInSchema)
@bp.response(201, AdjustmentSchema)
@bp.problems(403, 404, 422)
def post_adjustment(data):
    """Correct an employee's points with a reason (admins; audited)."""
    user = get_user(data["user_id"])
    return ledger.adjust_points(
        user,
        data["points"],
        data["reason"],
        api_user(),
        day=data["day"],
        key=data["idempotency_key"] and f"{api_user().id}:{data['idempotency_key']}",
    )
