"""Referrals in the JSON API: the list, the funnel, and the signed stage-report endpoint the
applicant-tracking system calls (signed like conversions)."""

from __future__ import annotations

from flask import request
from marshmallow import Schema, fields, validate

from advocacy.leaderboard.reach import conversions
from advocacy.leaderboard.reach.api_routes import RangeArgs, load_signed_body
from advocacy.recruiting import referrals, reports
from advocacy.recruiting.models import Referral, Stage
from advocacy.web.api import ApiBlueprint, PageArgs, api_user, page_of, paginate, public_api

bp = ApiBlueprint("recruiting_api", __name__, description="Referrals of candidates")


class ReferralListArgs(PageArgs):
    stage = fields.String(load_default=None, validate=validate.OneOf([s.value for s in Stage]))


class ReferralSchema(Schema):
    id = fields.Integer(required=True)
    external_id = fields.String(required=True)
    stage = fields.String(required=True)
    opening_id = fields.Integer(attribute="content_id", required=True)
    opening_title = fields.Function(lambda r: r.content.title, required=True)
    employee_id = fields.Integer(attribute="user_id", required=True)
    employee_name = fields.Function(lambda r: r.user.display_name, required=True)
    network = fields.String(required=True)
    applied_at = fields.DateTime(required=True)
    stage_changed_at = fields.DateTime(required=True)
    hired_at = fields.DateTime(allow_none=True, required=True)


class StageInSchema(Schema):
    external_id = fields.String(required=True, metadata={"description": "The application's id."})
    stage = fields.String(
        required=True, metadata={"description": ", ".join(referrals.REPORTABLE_STAGES)}
    )
    occurred_at = fields.AwareDateTime(load_default=None)
    ref = fields.String(
        load_default=None,
        metadata={
            "description": "The tracked code, to open the referral if the application "
            "report has not arrived yet."
        },
    )
    correct = fields.Boolean(
        load_default=False,
        metadata={"description": "Set the stage as given even backwards or after hired/rejected."},
    )


class StageResultSchema(Schema):
    referral = fields.Nested(ReferralSchema, required=True)
    changed = fields.Boolean(required=True)
    previous_stage = fields.String(required=True)
    note = fields.String(required=True)


class FunnelArgs(RangeArgs):
    by = fields.String(load_default="opening", validate=validate.OneOf(["opening", "employee"]))


class FunnelRowSchema(Schema):
    key = fields.Integer(allow_none=True, required=True)
    label = fields.String(required=True)
    clicks = fields.Integer(required=True)
    applications = fields.Integer(required=True)
    hires = fields.Integer(required=True)


class FunnelSchema(Schema):
    from_ = fields.Date(data_key="from", attribute="start", required=True)
    to = fields.Date(attribute="end", required=True)
    totals = fields.Nested(FunnelRowSchema, required=True)
    items = fields.List(fields.Nested(FunnelRowSchema), attribute="rows", required=True)


@bp.get("/referrals")
@bp.arguments(ReferralListArgs, location="query")
@bp.response(200, page_of(ReferralSchema))
def list_referrals(args):
    """Referrals you may see (yours; your teams' as a leader; all as curator or admin)."""
    query = reports.referrals_query(api_user())
    if args["stage"]:
        query = query.where(Referral.stage == args["stage"])
    return paginate(query, args["page"], args["per_page"])


@bp.get("/referrals/funnel")
@bp.arguments(FunnelArgs, location="query")
@bp.response(200, FunnelSchema)
def referral_funnel(args):
    """Clicks -> applications -> hires per opening or per employee over the range."""
    return reports.funnel(api_user(), args["by"], args["from_"], args["to"])


@bp.post("/referrals/stage")
@public_api
@bp.doc(
    requestBody={
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/StageIn"}}},
    }
)
@bp.response(200, StageResultSchema)
@bp.problems(401, 404, 422)
def report_stage():
    """Report a candidate's new stage (signed server-to-server call, no token)

    Signed exactly like `POST /conversions`. Idempotent and order-tolerant: the same stage again,
    or a stage behind the current one, changes nothing (`changed: false` with a note); hired and
    rejected are final unless `correct` is true. 404 when the external id is unknown and no
    `ref` is sent."""
    body = request.get_data()
    conversions.check_signature(body, request.headers.get(conversions.SIGNATURE_HEADER, ""))
    data = load_signed_body(body, StageInSchema(), "stage")
    result = referrals.update_stage(
        data["external_id"], data["stage"], data["occurred_at"], data["ref"], data["correct"]
    )
    return {
        "referral": result.referral,
        "changed": result.changed,
        "previous_stage": result.previous,
        "note": result.note,
    }
