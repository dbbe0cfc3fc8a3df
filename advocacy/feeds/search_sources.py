"""Content in search: what a reader's feed would show, findable by its words.

The rule (decided for issue 6, kept simple): only approved content is indexed, and a reader finds
it while it is inside its share window (publish-at ≤ now < expire-at, checked at query time) and
aimed at them by the feed's targeting rule; curators (and admins) find approved content whatever
its audience, as they may open it. Drafts, submitted, rejected, expired and archived content is
never found: authors have "My content" for their own. A document holds the title, the summary,
the suggested captions and the campaign; its tags are the topics (`tag:`).
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from advocacy.accounts.models import User
from advocacy.extensions import db
from advocacy.feeds.feed import audience_clause, live_clause
from advocacy.feeds.models import (
    AudienceDimension,
    Content,
    ContentAudience,
    ContentCaption,
    ContentState,
)
from advocacy.models_base import utcnow
from advocacy.search import (
    Audience,
    DocumentType,
    SearchDocument,
    document_key,
    path_for,
    register_source,
    set_sees_all_audiences_rule,
    watch,
)

# Changes to these alter a document (collections included: a topic added changes no column).
CONTENT_ATTRIBUTES = (
    "state",
    "title",
    "summary",
    "campaign",
    "publish_at",
    "expire_at",
    "author_id",
    "topics",
    "audience",
    "captions",
)


def content_document(content: Content) -> SearchDocument | None:
    """Approved content's document (its window and audience go with it); None otherwise."""
    if content.state != ContentState.APPROVED or content.publish_at is None:
        return None
    captions = list(dict.fromkeys(c.text for c in content.captions))
    author = content.author
    return SearchDocument(
        key=document_key(DocumentType.CONTENT, content.id),
        type=DocumentType.CONTENT,
        title=content.title,
        body=" ".join(part for part in (content.summary, *captions, content.campaign) if part),
        tags=tuple(topic.name for topic in content.topics),
        author_id=author.id if author else None,
        author_name=author.display_name if author else "",
        audience=Audience(
            teams=tuple(int(v) for v in content.audience_values(AudienceDimension.TEAM)),
            locations=tuple(content.audience_values(AudienceDimension.LOCATION)),
            languages=tuple(content.audience_values(AudienceDimension.LANGUAGE)),
        ),
        visible_from=content.publish_at,
        visible_until=content.expire_at,
        created_at=content.publish_at,
        url=path_for("feeds.content_page", content_id=content.id),
    )


def content_query():
    return select(Content).options(
        selectinload(Content.captions),
        selectinload(Content.audience),
        selectinload(Content.topics),
        selectinload(Content.author),
    )


def sees_all_audiences(user: User) -> bool:
    """Curators and admins open any approved content (workflow.can_view)."""
    return user.is_curator


def visible_content(reader, ids: list[int]) -> set[int]:
    """Content among `ids` that is live now and aimed at the reader (curators: any audience)."""
    user = db.session.get(User, reader.user_id) if reader.user_id is not None else None
    if user is None:
        return set()
    query = select(Content.id).where(Content.id.in_(ids), live_clause(utcnow()))
    if not sees_all_audiences(user):
        query = query.where(audience_clause(user))
    return set(db.session.scalars(query))


def register(app: Flask) -> None:
    """Make content searchable for the readers the feed shows it to."""
    register_source(
        app,
        DocumentType.CONTENT,
        Content,
        content_document,
        query=content_query,
        recheck=visible_content,
        attributes=CONTENT_ATTRIBUTES,
    )
    set_sees_all_audiences_rule(app, sees_all_audiences)
    watch(app, ContentCaption, lambda c: [document_key(DocumentType.CONTENT, c.content_id)])
    watch(app, ContentAudience, lambda a: [document_key(DocumentType.CONTENT, a.content_id)])
