"""Notifications in the JSON API: my notifications, and marking them read."""

from __future__ import annotations

from marshmallow import Schema, fields

from advocacy.discussions.api_routes import PersonRefSchema
from advocacy.discussions.notifications import service as notifications
from advocacy.web.api import ApiBlueprint, Id, PageArgs, api_user, page_of, paginate

bp = ApiBlueprint("notifications_api", __name__, description="Notifications")


class NotificationSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    text = fields.Function(lambda n: notifications.sentence(n), required=True)
    actor = fields.Nested(PersonRefSchema, allow_none=True, required=True)
    space_id = fields.Integer(allow_none=True, required=True)
    thread_id = fields.Integer(allow_none=True, required=True)
    post_id = fields.Integer(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(allow_none=True, required=True)


class NotificationListArgs(PageArgs):
    unread = fields.Boolean(load_default=False)


class MarkReadArgs(Schema):
    ids = fields.List(
        Id(),
        load_default=None,
        allow_none=True,
        metadata={"description": "Leave out to mark every notification read."},
    )


class MarkReadResultSchema(Schema):
    marked = fields.Integer(required=True)
    unread = fields.Integer(required=True)


@bp.get("/notifications")
@bp.arguments(NotificationListArgs, location="query")
@bp.response(200, page_of(NotificationSchema))
def list_notifications(args):
    """My notifications, newest first (`unread=true` for unread ones only)."""
    query = notifications.notifications_query(api_user(), args["unread"])
    return paginate(query, args["page"], args["per_page"])


@bp.post("/notifications/read")
@bp.arguments(MarkReadArgs)
@bp.response(200, MarkReadResultSchema)
def mark_notifications_read(data):
    """Mark some (`ids`) or all of my notifications read."""
    user = api_user()
    marked = notifications.mark_read(user, data["ids"])
    return {"marked": marked, "unread": notifications.unread_count(user)}
