"""Content use-cases: creating and editing content (content_input.py checks what authors enter),
its topics and audience, its history, and the choices forms offer."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from advocacy.accounts.models import Team, User
from advocacy.errors import NotFound
from advocacy.extensions import db
from advocacy.feeds.content_input import ContentInput
from advocacy.feeds.models import (
    AudienceDimension,
    Content,
    ContentAudience,
    ContentCaption,
    ContentEvent,
    ContentState,
    Topic,
    location_key,
)
from advocacy.feeds.previews import ask_for_preview
from advocacy.media.images import stored_image
from advocacy.models_base import utcnow

# --- reading --------------------------------------------------------------------------------


def get_content(content_id: int) -> Content:
    """A content item with its captions, audience and topics, or NotFound."""
    content = db.session.scalar(
        select(Content)
        .where(Content.id == content_id)
        .options(
            selectinload(Content.captions),
            selectinload(Content.audience),
            selectinload(Content.topics),
        )
    )
    if content is None:
        raise NotFound("No such content.")
    return content


def content_events(content: Content) -> list[ContentEvent]:
    """The content's audit trail, oldest first, with the actors loaded."""
    return list(
        db.session.scalars(
            select(ContentEvent)
            .where(ContentEvent.content_id == content.id)
            .options(selectinload(ContentEvent.actor))
            .order_by(ContentEvent.at, ContentEvent.id)
        )
    )


def content_to_input(content: Content) -> ContentInput:
    """The editable values of existing content (for edit forms and partial API updates)."""
    captions: dict[str, list[str]] = {}
    for caption in content.captions:
        captions.setdefault(caption.network, []).append(caption.text)
    return ContentInput(
        title=content.title,
        kind=content.kind,
        destination_url=content.destination_url,
        summary=content.summary,
        image_url=content.image_url,
        topics=[t.name for t in content.topics],
        campaign=content.campaign,
        captions=captions,
        captions_editable=content.captions_editable,
        internal_only=content.internal_only,
        teams=sorted(content.audience_team_ids),
        locations=content.audience_values(AudienceDimension.LOCATION),
        languages=content.audience_values(AudienceDimension.LANGUAGE),
        publish_at=content.publish_at,
        expire_at=content.expire_at,
    )


def merged_input(content: Content, changes: dict) -> ContentInput:
    """Existing content's values with some of them changed (PATCH)."""
    return replace(content_to_input(content), **changes)


def list_authored(user: User, limit: int = 100) -> list[Content]:
    """What a user suggested, most recently changed first."""
    return list(
        db.session.scalars(
            select(Content)
            .where(Content.author_id == user.id)
            .order_by(Content.updated_at.desc(), Content.id.desc())
            .limit(limit)
        )
    )


def team_choices() -> list[tuple[int, str]]:
    """Every team as (id, name), by name."""
    return list(db.session.execute(select(Team.id, Team.name).order_by(func.lower(Team.name))))


def location_choices() -> list[str]:
    """The locations employees have given, as they wrote them (audiences keep `location_key`)."""
    rows = db.session.scalars(
        select(User.location).where(User.active.is_(True), User.location != "").distinct()
    )
    return sorted(set(rows), key=str.lower)


def language_choices() -> list[str]:
    """The language codes employees speak, for targeting."""
    codes: set[str] = set()
    for languages in db.session.scalars(select(User.languages).where(User.active.is_(True))):
        codes.update(languages or [])
    return sorted(codes)


# --- writing --------------------------------------------------------------------------------


def apply_values(content: Content, values: dict) -> None:
    """Write validated values onto content (captions, topics and audience replaced whole)."""
    new_image = values["image_url"] != content.image_url or (
        values["image_url"] and content.image is None
    )
    for name in (
        "kind",
        "title",
        "destination_url",
        "summary",
        "image_url",
        "campaign",
        "captions_editable",
        "internal_only",
        "publish_at",
        "expire_at",
    ):
        setattr(content, name, values[name])
    content.captions = [
        ContentCaption(network=network, position=index, text=text)
        for network, variants in values["captions"].items()
        for index, text in enumerate(variants)
    ]
    content.topics = ensure_topics(values["topics"])
    wanted = {
        *((AudienceDimension.TEAM.value, str(team_id)) for team_id in values["teams"]),
        *((AudienceDimension.LOCATION.value, location_key(v)) for v in values["locations"]),
        *((AudienceDimension.LANGUAGE.value, v) for v in values["languages"]),
    }
    current = {(a.dimension, a.value): a for a in content.audience}
    content.audience = [
        current.get(key) or ContentAudience(dimension=key[0], value=key[1])
        for key in sorted(wanted)
    ]
    content.sync_audience_flags()
    if new_image:  # asked for last: its look-up flushes the content, complete by now
        content.image = stored_image(values["image_url"])


def ensure_topics(names: list[str]) -> list[Topic]:
    """The topics with these names, created when missing (matched case-insensitively)."""
    if not names:
        return []
    slugs = {name.lower(): name for name in names}
    existing = {
        topic.slug: topic
        for topic in db.session.scalars(select(Topic).where(Topic.slug.in_(list(slugs))))
    }
    topics = []
    for slug, name in slugs.items():
        topic = existing.get(slug)
        if topic is None:
            topic = Topic(name=name, slug=slug)
            db.session.add(topic)
        topics.append(topic)
    return topics


def record_event(
    content: Content, action: str, actor: User | None, from_state: str | None, note: str = ""
) -> ContentEvent:
    """Add an audit-trail row for what just happened to the content."""
    event = ContentEvent(
        content=content,
        actor_id=actor.id if actor else None,
        action=action,
        from_state=from_state,
        to_state=content.state,
        note=note,
        at=utcnow(),
    )
    db.session.add(event)
    return event


def create_content(data: ContentInput, author: User | None, *, commit: bool = True) -> Content:
    """Add a draft from validated input, with its first audit-trail row. `commit=False` leaves
    it in the session for a caller that adds rows of its own and commits them all together
    (e.g. submitting it at once, through `workflow.transition`)."""
    values = data.validated()
    content = Content(state=ContentState.DRAFT.value, author_id=author.id if author else None)
    db.session.add(content)
    apply_values(content, values)
    record_event(content, "created", author, None)
    ask_for_preview(content)
    if commit:
        db.session.commit()
    return content
