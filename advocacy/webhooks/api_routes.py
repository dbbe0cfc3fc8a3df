"""Webhooks in the JSON API (admins only): subscriptions, their delivery log, a test delivery."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from advocacy.web.api import ApiBlueprint, Id, PageArgs, admin_only, api_user, page_of, paginate
from advocacy.webhooks import outbox, subscriptions
from advocacy.webhooks.events import EVENT_TYPES
from advocacy.webhooks.models import DeliveryState, TargetKind

bp = ApiBlueprint("webhooks_api", __name__, description="Outbound webhooks (admins)")


class SubscriptionInSchema(Schema):
    name = fields.String(required=True)
    url = fields.String(
        required=True, metadata={"description": "http(s); redirects are not followed."}
    )
    kind = fields.String(
        load_default=TargetKind.WEBHOOK.value,
        validate=validate.OneOf([k.value for k in TargetKind]),
        metadata={"description": "webhook (signed events), slack or teams (chat posts)"},
    )
    events = fields.List(
        fields.String(validate=validate.OneOf(list(EVENT_TYPES))),
        load_default=list,
        metadata={"description": "Ignored for chat targets (they get content.published)."},
    )
    space_ids = fields.List(
        Id(),
        load_default=list,
        metadata={
            "description": "Private or secret spaces whose events (thread.created) it may get."
        },
    )


class SubscriptionSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    url = fields.String(required=True)
    events = fields.List(fields.String(), required=True)
    space_ids = fields.List(fields.Integer(), required=True)
    active = fields.Boolean(required=True)
    disabled_reason = fields.String(required=True)
    consecutive_failures = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    last_success_at = fields.DateTime(allow_none=True)
    last_failure_at = fields.DateTime(allow_none=True)


class CreatedSubscriptionSchema(SubscriptionSchema):
    secret = fields.String(
        required=True,
        metadata={
            "description": "The signing secret (whsec_...), returned only now; empty for chat."
        },
    )


class DeliverySchema(Schema):
    id = fields.Integer(required=True)
    event_type = fields.Function(lambda d: d.event.type, required=True)
    message_id = fields.Function(lambda d: d.event.uid, required=True)
    state = fields.String(required=True, validate=validate.OneOf([s.value for s in DeliveryState]))
    attempts = fields.Integer(required=True)
    status_code = fields.Integer(allow_none=True)
    duration_ms = fields.Integer(allow_none=True)
    error = fields.String(required=True)
    response_excerpt = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    last_attempt_at = fields.DateTime(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)


@bp.get("/webhooks")
@admin_only("manage webhooks")
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(SubscriptionSchema))
@bp.problems(403)
def list_webhooks(args):
    """Every subscription, newest first."""
    return paginate(subscriptions.subscriptions_query(), args["page"], args["per_page"])


@bp.post("/webhooks")
@admin_only("manage webhooks")
@bp.arguments(SubscriptionInSchema)
@bp.response(201, CreatedSubscriptionSchema)
@bp.problems(403, 422)
def create_webhook(data):
    """Subscribe a URL to events; the answer holds the signing secret, shown only this once."""
    subscription, _secret = subscriptions.create_subscription(
        subscriptions.SubscriptionInput(**data), api_user()
    )
    return subscription  # CreatedSubscriptionSchema is the only one that dumps `secret`


@bp.get("/webhooks/<int:subscription_id>")
@admin_only("manage webhooks")
@bp.response(200, SubscriptionSchema)
@bp.problems(403, 404)
def get_webhook(subscription_id: int):
    """One subscription."""
    return subscriptions.get_subscription(subscription_id)


@bp.delete("/webhooks/<int:subscription_id>")
@admin_only("manage webhooks")
@bp.response(204)
@bp.problems(403, 404)
def delete_webhook(subscription_id: int):
    """Remove a subscription and its delivery log."""
    subscriptions.delete_subscription(subscriptions.get_subscription(subscription_id), api_user())


@bp.post("/webhooks/<int:subscription_id>/secret")
@admin_only("manage webhooks")
@bp.response(200, CreatedSubscriptionSchema)
@bp.problems(403, 404, 409)
def replace_webhook_secret(subscription_id: int):
    """Sign with a new secret from now on; the answer holds it, shown only this once."""
    subscription = subscriptions.get_subscription(subscription_id)
    subscriptions.replace_secret(subscription, api_user())
    return subscription


@bp.get("/webhooks/<int:subscription_id>/deliveries")
@admin_only("manage webhooks")
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(DeliverySchema))
@bp.problems(403, 404)
def list_deliveries(args, subscription_id: int):
    """The delivery log, newest first: state, attempts, last status, duration, excerpt."""
    subscription = subscriptions.get_subscription(subscription_id)
    return paginate(subscriptions.deliveries_query(subscription), args["page"], args["per_page"])


@bp.post("/webhooks/<int:subscription_id>/test")
@admin_only("manage webhooks")
@bp.response(202, DeliverySchema)
@bp.problems(403, 404)
def test_webhook(subscription_id: int):
    """Send a `webhook.test` event now (one attempt); poll the delivery log for its result."""
    return outbox.record_test_event(subscriptions.get_subscription(subscription_id))
