"""The dashboard's figures in the JSON API (scoped like the dashboard)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from advocacy.analytics import dashboard
from advocacy.leaderboard.reach.api_routes import RangeArgs
from advocacy.web.api import ApiBlueprint, api_user

bp = ApiBlueprint("analytics_api", __name__, description="Analytics dashboard figures")


class BreakdownArgs(RangeArgs):
    by = fields.String(required=True, validate=validate.OneOf(dashboard.DIMENSIONS))
    within = fields.String(
        load_default=None,
        metadata={"description": "Drill-down: `<dimension>:<key>` of a row of another breakdown."},
    )


class WeekSchema(Schema):
    start = fields.Date(required=True)
    human_clicks = fields.Integer(required=True)
    conversions = fields.Integer(required=True)
    shares = fields.Integer(required=True)
    active_advocates = fields.Integer(required=True)


class MonthSchema(Schema):
    month = fields.String(required=True)
    active_advocates = fields.Integer(required=True)
    employees = fields.Integer(required=True)
    share = fields.Float(required=True, metadata={"description": "Percent."})


class FunnelStepSchema(Schema):
    step = fields.String(required=True)
    people = fields.Integer(required=True)


class SummarySchema(Schema):
    from_ = fields.Date(data_key="from", attribute="start", required=True)
    to = fields.Date(attribute="end", required=True)
    everything = fields.Boolean(required=True, metadata={"description": "False: your teams only."})
    weeks = fields.List(fields.Nested(WeekSchema), required=True)
    months = fields.List(fields.Nested(MonthSchema), required=True)
    funnel = fields.List(fields.Nested(FunnelStepSchema), required=True)


class BreakdownRowSchema(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    human_clicks = fields.Integer(required=True)
    unique_visitors = fields.Integer(required=True)
    conversions = fields.Integer(required=True)


class BreakdownSchema(Schema):
    by = fields.String(required=True)
    from_ = fields.Date(data_key="from", attribute="start", required=True)
    to = fields.Date(attribute="end", required=True)
    items = fields.List(fields.Nested(BreakdownRowSchema), required=True)


def _scope(args):
    start, end = dashboard.default_range(args["from_"], args["to"])
    return dashboard.audience_of(api_user()), start, end


@bp.get("/analytics/summary")
@bp.arguments(RangeArgs, location="query")
@bp.response(200, SummarySchema)
@bp.problems(403)
def summary(args):
    """Weekly trends, active advocates per month and the participation funnel."""
    audience, start, end = _scope(args)
    return {
        "start": start,
        "end": end,
        "everything": audience.everything,
        "weeks": dashboard.weekly_trends(audience, start, end),
        "months": dashboard.monthly_active_share(audience, start, end),
        "funnel": dashboard.participation_funnel(audience, start, end),
    }


@bp.get("/analytics/breakdown")
@bp.arguments(BreakdownArgs, location="query")
@bp.response(200, BreakdownSchema)
@bp.problems(403)
def breakdown(args):
    """Human clicks, unique visitors and conversions by team, network, content, campaign or
    location, optionally inside one row of another breakdown (`within`)."""
    audience, start, end = _scope(args)
    within = None
    if args["within"]:
        dimension, _, key = args["within"].partition(":")
        within = (dimension, key)
    items = dashboard.breakdown(audience, args["by"], start, end, within)
    return {"by": args["by"], "start": start, "end": end, "items": items}
