"""Each employee's feed: live content aimed at them, newest first, with filters, topic
subscriptions and keyset pagination for infinite scroll.

Targeting rule: an empty audience means everyone. Otherwise the audience has up to three
dimensions (teams, locations, languages); within each dimension that has values the employee
must match at least one of them, and every such dimension must match (AND across dimensions,
OR within one). Locations match case-insensitively; a language matches the employee's code or
its primary part (an employee speaking "en-gb" matches content for "en").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, exists, func, not_, or_, select
from sqlalchemy.orm import selectinload

from advocacy.accounts.models import User
from advocacy.errors import NotFound, ValidationFailed
from advocacy.extensions import db
from advocacy.feeds.models import (
    AudienceDimension,
    Content,
    ContentAudience,
    ContentKind,
    ContentState,
    Share,
    Topic,
    TopicSubscription,
    content_topic,
    location_key,
)
from advocacy.models_base import utcnow
from advocacy.web.input_guard import is_storable

PAGE_SIZE = 20
PAGE_MAX = 100  # like every API list (web.api.MAX_PER_PAGE)


# --- targeting --------------------------------------------------------------------------------


def user_audience_values(user: User) -> dict[AudienceDimension, set[str]]:
    """The values a user matches in each audience dimension."""
    languages = set()
    for code in user.languages or ():
        code = code.lower()
        languages.update({code, code.split("-", 1)[0]})
    location = location_key(user.location)
    return {
        AudienceDimension.TEAM: {str(team_id) for team_id in user.team_ids},
        AudienceDimension.LOCATION: {location} if location else set(),
        AudienceDimension.LANGUAGE: languages,
    }


def matches_audience(user: User, content: Content) -> bool:
    """The targeting rule in Python, for one item (the feed applies the same rule in SQL)."""
    mine = user_audience_values(user)
    for dimension in AudienceDimension:
        wanted = {a.value for a in content.audience if a.dimension == dimension}
        if wanted and not wanted & mine[dimension]:
            return False
    return True


FLAGS = {
    AudienceDimension.TEAM: Content.targets_teams,
    AudienceDimension.LOCATION: Content.targets_locations,
    AudienceDimension.LANGUAGE: Content.targets_languages,
}


def audience_clause(user: User):
    """The targeting rule as a SQL condition on Content. The targets_* flags spare content for
    everyone any sub-query; targeted content is matched through (dimension, value, content_id)."""
    conditions = []
    for dimension, values in user_audience_values(user).items():
        untargeted = FLAGS[dimension].is_(False)
        if not values:
            conditions.append(untargeted)
            continue
        matching = exists().where(
            ContentAudience.content_id == Content.id,
            ContentAudience.dimension == dimension,
            ContentAudience.value.in_(sorted(values)),
        )
        conditions.append(or_(untargeted, matching))
    return and_(*conditions)


def live_clause(now: datetime):
    """Approved and inside its share window at `now` (exact to the second, whatever the job)."""
    return and_(
        Content.state == ContentState.APPROVED,
        Content.publish_at <= now,
        or_(Content.expire_at.is_(None), Content.expire_at > now),
    )


# --- the feed ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedFilters:
    """What the employee narrowed the feed to."""

    topic: str = ""  # a topic slug
    kind: str = ""
    unshared: bool = False  # only what I have not shared yet
    my_topics: bool = False  # only topics I follow

    def validated(self) -> FeedFilters:
        """The same filters, or ValidationFailed for an unknown kind or an overlong topic."""
        if self.kind and self.kind not in {k.value for k in ContentKind}:
            raise ValidationFailed.field("kind", f"Unknown kind {self.kind[:30]!r}.")
        if len(self.topic) > 40 or not is_storable(self.topic):
            raise ValidationFailed.field("topic", "Unknown topic.")
        return self

    @property
    def active(self) -> bool:
        return bool(self.topic or self.kind or self.unshared or self.my_topics)


@dataclass
class FeedPage:
    """One page of the feed and the cursor of the next (None at the end)."""

    items: list[Content]
    next_cursor: str | None
    shared_ids: set[int]


def encode_cursor(content: Content) -> str:
    """The position after `content`: its publish time (microseconds) and id."""
    micros = int(content.publish_at.timestamp() * 1_000_000)
    return f"{micros}-{content.id}"


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The position a cursor names, or ValidationFailed for a tampered one."""
    try:
        micros, content_id = cursor.split("-", 1)
        at = datetime.fromtimestamp(int(micros) / 1_000_000, UTC)
        return at, int(content_id)
    except (ValueError, OverflowError, OSError):
        raise ValidationFailed.field("cursor", "This page position is not valid.") from None


def feed_page(
    user: User,
    filters: FeedFilters = FeedFilters(),  # noqa: B008 - frozen, so a shared default is safe
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    now: datetime | None = None,
) -> FeedPage:
    """A page of the user's feed: live, targeted at them, filtered, newest first."""
    now = now or utcnow()
    limit = max(1, min(limit, PAGE_MAX))
    query = select(Content).where(live_clause(now), audience_clause(user))
    if filters.kind:
        query = query.where(Content.kind == filters.kind)
    if filters.topic:
        query = query.where(
            exists().where(
                content_topic.c.content_id == Content.id,
                content_topic.c.topic_id == Topic.id,
                Topic.slug == filters.topic,
            )
        )
    if filters.my_topics:
        query = query.where(
            exists().where(
                content_topic.c.content_id == Content.id,
                content_topic.c.topic_id == TopicSubscription.topic_id,
                TopicSubscription.user_id == user.id,
            )
        )
    if filters.unshared:
        query = query.where(
            not_(exists().where(Share.content_id == Content.id, Share.user_id == user.id))
        )
    if cursor:
        at, last_id = decode_cursor(cursor)
        query = query.where(
            or_(Content.publish_at < at, and_(Content.publish_at == at, Content.id < last_id))
        )
    query = (
        query.order_by(Content.publish_at.desc(), Content.id.desc())
        .limit(limit + 1)
        .options(selectinload(Content.topics))
    )
    items = list(db.session.scalars(query))
    more = len(items) > limit
    items = items[:limit]
    shared = set()
    if items:
        shared = set(
            db.session.scalars(
                select(Share.content_id)
                .where(Share.user_id == user.id, Share.content_id.in_([c.id for c in items]))
                .distinct()
            )
        )
    return FeedPage(items, encode_cursor(items[-1]) if more else None, shared)


# --- topics and subscriptions -------------------------------------------------------------------


def list_topics(limit: int = 200) -> list[Topic]:
    """Topics that live content uses, most used first (then by name)."""
    uses = func.count(content_topic.c.content_id)
    query = (
        select(Topic)
        .join(content_topic, content_topic.c.topic_id == Topic.id)
        .join(Content, Content.id == content_topic.c.content_id)
        .where(Content.state == ContentState.APPROVED)
        .group_by(Topic.id)
        .order_by(uses.desc(), Topic.slug)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def all_topics(limit: int = 200) -> list[Topic]:
    """Every topic by name (cheap: for the feed's filter, shown on every page load)."""
    return list(db.session.scalars(select(Topic).order_by(Topic.slug).limit(limit)))


def subscribed_topics(user: User) -> list[Topic]:
    """The topics a user follows, by name."""
    return list(
        db.session.scalars(
            select(Topic)
            .join(TopicSubscription, TopicSubscription.topic_id == Topic.id)
            .where(TopicSubscription.user_id == user.id)
            .order_by(Topic.slug)
        )
    )


def get_topic(slug: str) -> Topic:
    """A topic by its slug, or NotFound."""
    topic = db.session.scalar(select(Topic).where(Topic.slug == slug.lower()))
    if topic is None:
        raise NotFound("No such topic.")
    return topic


def subscribe(user: User, slug: str) -> Topic:
    """Follow a topic (following twice changes nothing)."""
    topic = get_topic(slug)
    if db.session.get(TopicSubscription, (user.id, topic.id)) is None:
        db.session.add(TopicSubscription(user_id=user.id, topic_id=topic.id))
        db.session.commit()
    return topic


def unsubscribe(user: User, slug: str) -> Topic:
    """Stop following a topic (a topic not followed is fine)."""
    topic = get_topic(slug)
    subscription = db.session.get(TopicSubscription, (user.id, topic.id))
    if subscription is not None:
        db.session.delete(subscription)
        db.session.commit()
    return topic
