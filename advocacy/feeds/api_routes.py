"""The feed in the JSON API: content and its workflow, the caller's feed, shares, sources and
the social media policy."""

from __future__ import annotations

from flask import abort
from marshmallow import Schema, fields, validate

from advocacy.feeds import compliance, content, editing, feed, sharing, sources, workflow
from advocacy.feeds.content_input import ContentInput
from advocacy.feeds.models import ContentKind, ContentState
from advocacy.feeds.pages import state_label
from advocacy.web.api import ApiBlueprint, Id, PageArgs, admin_only, api_user, page_of, paginate

bp = ApiBlueprint("feeds_api", __name__, description="Content, the feed, sharing and sources")


class CaptionSchema(Schema):
    network = fields.String(required=True, validate=validate.Length(max=30))
    text = fields.String(required=True)


class AudienceSchema(Schema):
    """Empty lists mean everyone; within a list any value matches, lists combine with AND."""

    teams = fields.List(Id(), load_default=list)
    locations = fields.List(fields.String(), load_default=list)
    languages = fields.List(fields.String(), load_default=list)


class ContentInSchema(Schema):
    kind = fields.String(
        load_default=ContentKind.LINK.value, validate=validate.OneOf([k.value for k in ContentKind])
    )
    title = fields.String(required=True)
    destination_url = fields.String(load_default="")
    summary = fields.String(load_default="")
    image_url = fields.String(load_default="")
    topics = fields.List(fields.String(), load_default=list)
    campaign = fields.String(load_default="")
    captions = fields.List(fields.Nested(CaptionSchema), load_default=list)
    captions_editable = fields.Boolean(load_default=False)
    internal_only = fields.Boolean(load_default=False)
    audience = fields.Nested(AudienceSchema, load_default=dict)
    publish_at = fields.AwareDateTime(allow_none=True, load_default=None)
    expire_at = fields.AwareDateTime(allow_none=True, load_default=None)


class ContentPatchSchema(ContentInSchema):
    """Only the fields sent change; `audience` and `captions`, when sent, are replaced whole."""


class ContentSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf([s.value for s in ContentState]))
    status = fields.Function(
        lambda item: state_label(item),
        metadata={"description": "The state as shown: approved is `scheduled` or `published`."},
    )
    title = fields.String(required=True)
    destination_url = fields.String(required=True)
    summary = fields.String(required=True)
    image_url = fields.String(required=True)
    topics = fields.Function(lambda item: [t.name for t in item.topics])
    campaign = fields.String(required=True)
    captions = fields.List(fields.Nested(CaptionSchema), required=True)
    captions_editable = fields.Boolean(required=True)
    internal_only = fields.Boolean(required=True)
    audience = fields.Function(
        lambda item: {
            "teams": sorted(item.audience_team_ids),
            "locations": item.audience_values("location"),
            "languages": item.audience_values("language"),
        }
    )
    publish_at = fields.DateTime(allow_none=True)
    expire_at = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    author_id = fields.Integer(allow_none=True)
    source_id = fields.Integer(allow_none=True)
    review_note = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class ContentListArgs(PageArgs):
    state = fields.String(validate=validate.OneOf([s.value for s in ContentState]))
    kind = fields.String(validate=validate.OneOf([k.value for k in ContentKind]))
    mine = fields.Boolean(load_default=False, metadata={"description": "Only what I authored"})


class ReviewSchema(Schema):
    note = fields.String(load_default="", metadata={"description": "Required to reject."})


class FeedArgs(Schema):
    cursor = fields.String(validate=validate.Length(max=60))
    per_page = fields.Integer(
        load_default=feed.PAGE_SIZE, validate=validate.Range(1, feed.PAGE_MAX)
    )
    topic = fields.String(load_default="", validate=validate.Length(max=40))
    kind = fields.String(
        load_default="", validate=validate.OneOf(["", *[k.value for k in ContentKind]])
    )
    unshared = fields.Boolean(load_default=False)
    my_topics = fields.Boolean(load_default=False)


class FeedItemSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    destination_url = fields.String(required=True)
    image_url = fields.String(required=True)
    topics = fields.List(fields.String(), required=True)
    internal_only = fields.Boolean(required=True)
    publish_at = fields.DateTime(required=True)
    expire_at = fields.DateTime(allow_none=True)
    shared_by_me = fields.Boolean(required=True)


class FeedSchema(Schema):
    items = fields.List(fields.Nested(FeedItemSchema), required=True)
    next_cursor = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "Pass as `cursor`; null at the end."},
    )


class ShareInSchema(Schema):
    network = fields.String(
        required=True, metadata={"description": "linkedin, x, facebook, xing, email or link"}
    )
    caption = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "Your own caption, when the content allows editing."},
    )


class ShareSchema(Schema):
    id = fields.Integer(required=True)
    network = fields.String(required=True)
    tracked_url = fields.String(required=True)
    intent_url = fields.String(required=True)
    caption = fields.String(required=True, metadata={"description": "With the disclosure."})
    created_at = fields.DateTime(required=True)


class SourceSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True)
    url = fields.String(required=True)
    content_kind = fields.String(load_default=ContentKind.LINK.value)
    active = fields.Boolean(dump_only=True)
    last_fetched_at = fields.DateTime(dump_only=True, allow_none=True)
    last_success_at = fields.DateTime(dump_only=True, allow_none=True)
    last_error = fields.String(dump_only=True)
    failure_count = fields.Integer(dump_only=True)
    next_fetch_at = fields.DateTime(dump_only=True)


class PolicySchema(Schema):
    version = fields.Integer(dump_only=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    published_at = fields.DateTime(dump_only=True)
    acknowledged = fields.Boolean(dump_only=True)


class AcknowledgeSchema(Schema):
    version = fields.Integer(
        required=True, metadata={"description": "The version read; it must be the one in force."}
    )


def _input(data: dict) -> dict:
    """API fields to ContentInput fields."""
    values = dict(data)
    if "captions" in values:
        captions: dict[str, list[str]] = {}
        for caption in values.pop("captions"):
            captions.setdefault(caption["network"], []).append(caption["text"])
        values["captions"] = captions
    if "audience" in values:
        audience = values.pop("audience")
        values.update(
            teams=audience.get("teams", []),
            locations=audience.get("locations", []),
            languages=audience.get("languages", []),
        )
    return values


@bp.get("/content")
@bp.arguments(ContentListArgs, location="query")
@bp.response(200, page_of(ContentSchema))
def list_content(args):
    """Content the caller may see: all of it for curators; otherwise what they wrote, what they
    may review, and what is live in their feed."""
    query = workflow.visible_content_query(
        api_user(), state=args.get("state"), kind=args.get("kind"), mine=args["mine"]
    )
    return paginate(query, args["page"], args["per_page"])


@bp.post("/content")
@bp.arguments(ContentInSchema)
@bp.response(201, ContentSchema)
def create_content(data):
    """Suggest content: it starts as a draft; submit it for review."""
    return content.create_content(ContentInput(**_input(data)), api_user())


@bp.get("/content/<int:content_id>")
@bp.response(200, ContentSchema)
@bp.problems(404)
def get_content(content_id: int):
    """One content item."""
    return workflow.get_visible_content(content_id, api_user())


@bp.patch("/content/<int:content_id>")
@bp.arguments(ContentPatchSchema(partial=True))
@bp.response(200, ContentSchema)
@bp.problems(403, 404, 409)
def update_content(data, content_id: int):
    """Change some fields (the others keep their values)."""
    item = workflow.get_visible_content(content_id, api_user())
    return editing.update_content(item, content.merged_input(item, _input(data)), api_user())


def _transition(content_id: int, action: str, note: str = ""):
    item = workflow.get_visible_content(content_id, api_user())
    return workflow.transition(item, action, api_user(), note)


@bp.post("/content/<int:content_id>/submit")
@bp.response(200, ContentSchema)
@bp.problems(403, 404, 409)
def submit_content(content_id: int):
    """Submit a draft for review."""
    return _transition(content_id, "submit")


@bp.post("/content/<int:content_id>/approve")
@bp.arguments(ReviewSchema, required=False)
@bp.response(200, ContentSchema)
@bp.problems(403, 404, 409)
def approve_content(data, content_id: int):
    """Approve submitted content (curators, admins, leaders of all its teams)."""
    return _transition(content_id, "approve", data.get("note", ""))


@bp.post("/content/<int:content_id>/reject")
@bp.arguments(ReviewSchema)
@bp.response(200, ContentSchema)
@bp.problems(403, 404, 409)
def reject_content(data, content_id: int):
    """Reject submitted content with a note for the author."""
    return _transition(content_id, "reject", data.get("note", ""))


@bp.post("/content/<int:content_id>/archive")
@bp.response(200, ContentSchema)
@bp.problems(403, 404, 409)
def archive_content(content_id: int):
    """Take content out of the feed for good."""
    return _transition(content_id, "archive")


@bp.get("/feed")
@bp.arguments(FeedArgs, location="query")
@bp.response(200, FeedSchema)
def get_feed(args):
    """The caller's feed: live content aimed at them, newest first, `cursor`-paginated."""
    filters = feed.FeedFilters(
        topic=args["topic"].lower(),
        kind=args["kind"],
        unshared=args["unshared"],
        my_topics=args["my_topics"],
    ).validated()
    page = feed.feed_page(api_user(), filters, args.get("cursor"), args["per_page"])
    items = [
        {
            "id": item.id,
            "kind": item.kind,
            "title": item.title,
            "summary": item.summary,
            "destination_url": item.destination_url,
            "image_url": item.image_url,
            "topics": [t.name for t in item.topics],
            "internal_only": item.internal_only,
            "publish_at": item.publish_at,
            "expire_at": item.expire_at,
            "shared_by_me": item.id in page.shared_ids,
        }
        for item in page.items
    ]
    return {"items": items, "next_cursor": page.next_cursor}


@bp.post("/content/<int:content_id>/shares")
@bp.arguments(ShareInSchema)
@bp.response(201, ShareSchema)
@bp.problems(404, 409)
def share_content(data, content_id: int):
    """Record a share intent: answers the tracked URL, the network's share-intent URL and the
    caption with the disclosure. Needs the current social media policy acknowledged."""
    item = workflow.get_visible_content(content_id, api_user())
    result = sharing.share_content(api_user(), item, data["network"], data.get("caption"))
    return {
        "id": result.share.id,
        "network": result.network,
        "tracked_url": result.tracked_url,
        "intent_url": result.intent_url,
        "caption": result.caption,
        "created_at": result.share.created_at,
    }


@bp.get("/sources")
@admin_only("manage content sources and the policy")
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(SourceSchema))
@bp.problems(403)
def list_sources(args):
    """RSS/Atom sources and their health (admins)."""
    return paginate(sources.sources_query(), args["page"], args["per_page"])


@bp.post("/sources")
@admin_only("manage content sources and the policy")
@bp.arguments(SourceSchema)
@bp.response(201, SourceSchema)
@bp.problems(403, 409)
def add_source(data):
    """Register an RSS/Atom feed (admins)."""
    return sources.add_source(data["name"], data["url"], data["content_kind"], api_user())


def _policy_body(policy) -> dict:
    return {
        "version": policy.version,
        "title": policy.title,
        "body": policy.body,
        "published_at": policy.published_at,
        "acknowledged": not compliance.needs_acknowledgement(api_user(), policy),
    }


@bp.get("/policy")
@bp.response(200, PolicySchema)
@bp.problems(404)
def get_policy():
    """The social media policy in force, and whether the caller acknowledged it."""
    policy = compliance.current_policy()
    if policy is None:
        abort(404, "No social media policy is published.")
    return _policy_body(policy)


@bp.put("/policy")
@admin_only("manage content sources and the policy")
@bp.arguments(PolicySchema)
@bp.response(200, PolicySchema)
@bp.problems(403)
def publish_policy(data):
    """Publish a new version (admins); everyone acknowledges it before their next share."""
    return _policy_body(compliance.publish_policy(data["title"], data["body"], api_user()))


@bp.post("/policy/acknowledgement")
@bp.arguments(AcknowledgeSchema)
@bp.response(200, PolicySchema)
@bp.problems(404, 409)
def acknowledge_policy(data):
    """Acknowledge the version in force (409 when a newer one was published meanwhile)."""
    return _policy_body(compliance.acknowledge_policy(api_user(), data["version"]))
