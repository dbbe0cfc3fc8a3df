"""Reach in the JSON API: the caller's reach, reach grouped by employee, team, network, content
or day, and the signed server-to-server conversions endpoint."""

from __future__ import annotations

import json
from dataclasses import asdict

from flask import current_app, request
from marshmallow import Schema, ValidationError, fields, validate

from advocacy.errors import ValidationFailed
from advocacy.extensions import limiter
from advocacy.leaderboard.reach import conversions, metrics
from advocacy.leaderboard.reach.metrics import GroupBy
from advocacy.web.api import ApiBlueprint, api_user, public_api

bp = ApiBlueprint("reach_api", __name__, description="Reach of tracked links and conversions")


class RangeArgs(Schema):
    from_ = fields.Date(
        data_key="from",
        load_default=None,
        metadata={"description": "First day (organisation's days); default 29 days before `to`."},
    )
    to = fields.Date(load_default=None, metadata={"description": "Last day; default today."})


class ReachArgs(RangeArgs):
    group_by = fields.String(required=True, validate=validate.OneOf([g.value for g in GroupBy]))


class ReachRowSchema(Schema):
    key = fields.String(allow_none=True, required=True)
    label = fields.String(required=True)
    raw_hits = fields.Integer(required=True)
    bot_hits = fields.Integer(required=True)
    human_clicks = fields.Integer(required=True)
    unique_visitors = fields.Integer(required=True, metadata={"description": "Daily, summed."})
    conversions = fields.Integer(required=True)
    potential_reach = fields.Integer(
        required=True, metadata={"description": "Declared followers of the sharers: potential."}
    )
    earned_media = fields.Float(required=True)


class ReachReportSchema(Schema):
    group_by = fields.String(required=True)
    from_ = fields.Date(data_key="from", attribute="start", required=True)
    to = fields.Date(attribute="end", required=True)
    currency = fields.String(required=True)
    totals = fields.Nested(ReachRowSchema, required=True)
    items = fields.List(fields.Nested(ReachRowSchema), attribute="rows", required=True)


class ConversionInSchema(Schema):
    ref = fields.String(required=True, metadata={"description": "The tracked code (adv_ref)."})
    type = fields.String(required=True, metadata={"description": "signup, lead, application…"})
    external_id = fields.String(required=True, metadata={"description": "Your id: idempotency."})
    occurred_at = fields.AwareDateTime(load_default=None)


class ConversionSchema(Schema):
    id = fields.Integer(required=True)
    ref = fields.String(required=True)
    type = fields.String(required=True)
    external_id = fields.String(required=True)
    occurred_at = fields.DateTime(required=True)
    duplicate = fields.Boolean(required=True)


@bp.get("/reach/me")
@bp.arguments(RangeArgs, location="query")
@bp.response(200, ReachReportSchema)
def my_reach(args):
    """Your own reach per day over the range, with totals."""
    user = api_user()
    report = metrics.reach_report(user, "day", args["from_"], args["to"], only_user_id=user.id)
    return {**asdict(report), "rows": metrics.daily_series(report)}


@bp.get("/reach")
@bp.arguments(ReachArgs, location="query")
@bp.response(200, ReachReportSchema)
@bp.problems(403)
def reach_by(args):
    """Reach grouped by employee, team, network, content or day (what you may see)."""
    return metrics.reach_report(api_user(), args["group_by"], args["from_"], args["to"])


@bp.post("/conversions")
@public_api
@bp.doc(
    requestBody={
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConversionIn"}}},
    }
)
@bp.response(201, ConversionSchema)
@bp.alt_response(200, schema=ConversionSchema, description="Already recorded: counted once.")
@bp.problems(401, 422, 429)
@limiter.limit(lambda: current_app.config["RATELIMIT_CONVERSIONS"])
def record_conversion():
    """Record a conversion (signed server-to-server call, no token)

    Sign with `X-Advocacy-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`
    under the conversions secret; 401 when missing, wrong or older than 5 minutes. A repeated
    (type, external_id) answers 200 with the conversion already recorded, counted once. Each
    calling address may send RATELIMIT_CONVERSIONS (429 with Retry-After beyond that)."""
    body = request.get_data()
    conversions.check_signature(body, request.headers.get(conversions.SIGNATURE_HEADER, ""))
    data = load_signed_body(body, ConversionInSchema(), "conversion")
    conversion, created = conversions.record_conversion(
        data["ref"], data["type"], data["external_id"], data["occurred_at"]
    )
    answer = {
        "id": conversion.id,
        "ref": data["ref"],
        "type": conversion.type,
        "external_id": conversion.external_id,
        "occurred_at": conversion.occurred_at,
        "duplicate": not created,
    }
    return answer, 201 if created else 200


def load_signed_body(body: bytes, schema: Schema, what: str) -> dict:
    """A signed report's fields, read after the signature check (which needs the raw body);
    shared by conversions and referral stage reports."""
    try:
        data = json.loads(body or b"null")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ValidationFailed("Send a JSON object.", {"body": ["Send a JSON object."]})
    try:
        return schema.load(data)
    except ValidationError as error:
        messages = {
            name: list(m) if isinstance(m, list) else [str(m)] for name, m in error.messages.items()
        }
        raise ValidationFailed(f"Some {what} fields are not valid.", messages) from None
