"""Discussions in the JSON API: spaces, members, threads, posts, reactions, answers and
assignment. The same access rules as the pages: a secret space is 404 to
non-members, a private one 403."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from advocacy.accounts.service import get_user
from advocacy.discussions import access, membership, qa, reading, spaces, threads
from advocacy.discussions.models import (
    BODY_MAX,
    REACTIONS,
    SPACE_DESCRIPTION_MAX,
    SPACE_NAME_MAX,
    TITLE_MAX,
    Thread,
    ThreadKind,
    Visibility,
)
from advocacy.errors import NotFound
from advocacy.web.api import ApiBlueprint, Id, PageArgs, api_user, page_of, paginate

bp = ApiBlueprint("discussions_api", __name__, description="Spaces and threads")


class PersonRefSchema(Schema):
    id = fields.Integer(required=True)
    display_name = fields.String(required=True)


class SpaceSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=SPACE_NAME_MAX))
    description = fields.String(
        load_default="", validate=validate.Length(max=SPACE_DESCRIPTION_MAX)
    )
    visibility = fields.String(
        load_default="public", validate=validate.OneOf([v.value for v in Visibility])
    )
    official = fields.Boolean(load_default=False)
    team_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class SpaceMemberArgs(Schema):
    user_id = Id(required=True)
    role = fields.String(
        load_default="member", validate=validate.OneOf(["owner", "moderator", "member"])
    )


class SpaceMemberSchema(Schema):
    user_id = fields.Integer(required=True, attribute="user.id")
    display_name = fields.String(required=True, attribute="user.display_name")
    role = fields.String(required=True)
    via_team = fields.Boolean(required=True)


class ReactionSchema(Schema):
    emoji = fields.String(required=True)
    count = fields.Integer(required=True)
    mine = fields.Boolean(required=True)


class PostSchema(Schema):
    id = fields.Integer(required=True)
    thread_id = fields.Integer(required=True)
    author = fields.Nested(PersonRefSchema, allow_none=True, required=True)
    is_opening = fields.Boolean(required=True)
    body = fields.String(required=True, attribute="body_source")
    body_html = fields.String(required=True)
    quote_of_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    edited_at = fields.DateTime(allow_none=True)
    deleted = fields.Boolean(required=True)
    reactions = fields.List(fields.Nested(ReactionSchema))


class ThreadSchema(Schema):
    id = fields.Integer(required=True)
    space_id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    tags = fields.List(fields.String(), required=True)
    author = fields.Nested(PersonRefSchema, allow_none=True, required=True)
    pinned = fields.Boolean(required=True)
    closed = fields.Boolean(required=True)
    deleted = fields.Boolean(required=True)
    reply_count = fields.Integer(required=True)
    accepted_post_id = fields.Integer(allow_none=True, required=True)
    assignee = fields.Nested(PersonRefSchema, allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    last_activity_at = fields.DateTime(required=True)


class ThreadDetailSchema(ThreadSchema):
    posts = fields.List(
        fields.Nested(PostSchema),
        required=True,
        metadata={"description": "The opening post, then the replies, oldest first."},
    )


class NewThreadSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=TITLE_MAX))
    body = fields.String(required=True, validate=validate.Length(min=1, max=BODY_MAX))
    kind = fields.String(
        load_default="discussion", validate=validate.OneOf([k.value for k in ThreadKind])
    )
    tags = fields.List(fields.String(validate=validate.Length(max=30)), load_default=list)


class ThreadPatchSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=TITLE_MAX))
    tags = fields.List(fields.String(validate=validate.Length(max=30)))
    pinned = fields.Boolean()
    closed = fields.Boolean()


class NewPostSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=BODY_MAX))
    quote_of_id = Id(load_default=None, allow_none=True)


class PostPatchSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=BODY_MAX))


class ReactionArgs(Schema):
    emoji = fields.String(required=True, validate=validate.OneOf(REACTIONS))


class ReactionResultSchema(Schema):
    added = fields.Boolean(required=True)
    reactions = fields.List(fields.Nested(ReactionSchema), required=True)


class AcceptArgs(Schema):
    post_id = Id(required=True, allow_none=True, metadata={"description": "null un-accepts"})


class AssignArgs(Schema):
    assignee_id = Id(required=True, allow_none=True, metadata={"description": "null unassigns"})


def _post_dump(post, reactions) -> dict:
    return {
        "id": post.id,
        "thread_id": post.thread_id,
        "author": post.author,
        "is_opening": post.is_opening,
        "body_source": post.body_source if not post.deleted else "",
        "body_html": post.body_html if not post.deleted else "",
        "quote_of_id": post.quote_of_id,
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "deleted": post.deleted,
        "reactions": reactions.get(post.id, []),
    }


def _thread_detail(thread: Thread) -> dict:
    user = api_user()
    posts = reading.thread_posts(thread)
    reactions = reading.reaction_counts(user, [p.id for p in posts])
    detail = {name: getattr(thread, name) for name in ThreadSchema._declared_fields}
    detail["posts"] = [_post_dump(p, reactions) for p in posts]
    return detail


@bp.get("/spaces")
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(SpaceSchema))
def list_spaces(args):
    """The spaces the token's owner may know of (secret ones only where they belong)."""
    return paginate(spaces.list_spaces_query(api_user()), args["page"], args["per_page"])


@bp.post("/spaces")
@bp.arguments(SpaceSchema)
@bp.response(201, SpaceSchema)
@bp.problems(403, 409, 422)
def create_space(data):
    """Create a space; its creator owns it (official spaces: admins only)."""
    return spaces.create_space(
        api_user(), data["name"], data["description"], data["visibility"], data["official"]
    )


@bp.post("/spaces/<int:space_id>/members")
@bp.arguments(SpaceMemberArgs)
@bp.response(200, SpaceMemberSchema(many=True))
@bp.problems(403, 404, 409, 422)
def add_space_member(data, space_id: int):
    """Add someone to a space or change their role (its moderators); returns the members."""
    user = api_user()
    space = access.get_visible_space(user, space_id)
    access.check_can_moderate(user, space)
    membership.add_member(user, space, get_user(data["user_id"]), data["role"])
    return membership.members_of(space)


@bp.get("/spaces/<int:space_id>/threads")
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(ThreadSchema))
@bp.problems(403, 404)
def list_threads(args, space_id: int):
    """A space's live threads, pinned first, then by latest activity."""
    space = access.get_readable_space(api_user(), space_id)
    return paginate(reading.threads_query(space), args["page"], args["per_page"])


@bp.post("/spaces/<int:space_id>/threads")
@bp.arguments(NewThreadSchema)
@bp.response(201, ThreadDetailSchema)
@bp.problems(403, 404, 422)
def start_thread(data, space_id: int):
    """Start a thread (a question, a discussion or, for moderators, an announcement)."""
    user = api_user()
    space = access.get_readable_space(user, space_id)
    thread = threads.start_thread(
        user, space, data["title"], data["body"], data["kind"], data["tags"]
    )
    return _thread_detail(thread)


@bp.get("/threads/<int:thread_id>")
@bp.response(200, ThreadDetailSchema)
@bp.problems(403, 404)
def get_thread(thread_id: int):
    """A thread with all its posts (deleted replies are shown empty, flagged `deleted`)."""
    return _thread_detail(access.get_readable_thread(api_user(), thread_id))


@bp.patch("/threads/<int:thread_id>")
@bp.arguments(ThreadPatchSchema)
@bp.response(200, ThreadSchema)
@bp.problems(403, 404, 409, 422)
def update_thread(data, thread_id: int):
    """Change the title or tags (author, moderators); pin or close (moderators)."""
    user = api_user()
    thread = access.get_readable_thread(user, thread_id)
    return threads.update_thread(user, thread, **data)


@bp.delete("/threads/<int:thread_id>")
@bp.response(204)
@bp.problems(403, 404, 409)
def delete_thread(thread_id: int):
    """Soft-delete a thread (author, moderators)."""
    user = api_user()
    threads.delete_thread(user, access.get_readable_thread(user, thread_id))


@bp.post("/threads/<int:thread_id>/posts")
@bp.arguments(NewPostSchema)
@bp.response(201, PostSchema)
@bp.problems(403, 404, 409, 422)
def reply(data, thread_id: int):
    """Reply to a thread, optionally quoting one of its posts."""
    user = api_user()
    thread = access.get_readable_thread(user, thread_id)
    quote = threads.get_post(user, data["quote_of_id"]) if data["quote_of_id"] else None
    post = threads.reply(user, thread, data["body"], quote)
    return _post_dump(post, {})


@bp.patch("/posts/<int:post_id>")
@bp.arguments(PostPatchSchema)
@bp.response(200, PostSchema)
@bp.problems(403, 404, 409, 422)
def edit_post(data, post_id: int):
    """Edit a post (author, moderators); the earlier version is kept in its history."""
    user = api_user()
    post = threads.edit_post(user, threads.get_post(user, post_id), data["body"])
    return _post_dump(post, reading.reaction_counts(user, [post.id]))


@bp.delete("/posts/<int:post_id>")
@bp.response(204)
@bp.problems(403, 404, 409)
def delete_post(post_id: int):
    """Soft-delete a reply (author, moderators); the opening post goes with its thread."""
    user = api_user()
    threads.delete_post(user, threads.get_post(user, post_id))


@bp.post("/posts/<int:post_id>/reactions")
@bp.arguments(ReactionArgs)
@bp.response(200, ReactionResultSchema)
@bp.problems(403, 404, 409, 422)
def react(data, post_id: int):
    """Toggle an emoji on a post: pressing it again takes it back."""
    user = api_user()
    post = threads.get_post(user, post_id)
    added = reading.toggle_reaction(user, post, data["emoji"])
    return {"added": added, "reactions": reading.post_reactions(user, post)}


@bp.post("/threads/<int:thread_id>/accept")
@bp.arguments(AcceptArgs)
@bp.response(200, ThreadSchema)
@bp.problems(403, 404, 409, 422)
def accept(data, thread_id: int):
    """Accept a reply as the question's answer (its author, moderators)."""
    user = api_user()
    return qa.accept_answer(user, access.get_readable_thread(user, thread_id), data["post_id"])


@bp.post("/threads/<int:thread_id>/assign")
@bp.arguments(AssignArgs)
@bp.response(200, ThreadSchema)
@bp.problems(403, 404, 409, 422)
def assign(data, thread_id: int):
    """Ask a colleague who can read the space to answer a question; they are notified."""
    user = api_user()
    thread = access.get_readable_thread(user, thread_id)
    assignee = None
    if data["assignee_id"] is not None:
        try:
            assignee = get_user(data["assignee_id"])
        except NotFound:
            raise NotFound("No such person to assign.") from None
    return qa.assign_question(user, thread, assignee)
