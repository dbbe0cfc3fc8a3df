"""Feeds tables: content and its captions, audience, topics and audit trail; compliance
(blocked terms, disclosure, policy versions and acknowledgements); RSS/Atom sources; and sharing
(tracked links and recorded share intents)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.accounts.models import User
from advocacy.extensions import db
from advocacy.media.models import StoredImage
from advocacy.models_base import UTCDateTime, utcnow

TITLE_MAX = 200
URL_MAX = 2000
SUMMARY_MAX = 2000
CAPTION_MAX = 3000
CAMPAIGN_MAX = 80
TOPIC_MAX = 40
NOTE_MAX = 1000
TERM_MAX = 100
DISCLOSURE_MAX = 60
AUDIENCE_VALUE_MAX = 120


class ContentKind(enum.StrEnum):
    """What a piece of content is; announcements are for employees only."""

    LINK = "link"
    CULTURE_STORY = "culture_story"
    JOB_OPENING = "job_opening"
    ANNOUNCEMENT = "announcement"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    ContentKind.LINK: "Link or article",
    ContentKind.CULTURE_STORY: "Culture story",
    ContentKind.JOB_OPENING: "Job opening",
    ContentKind.ANNOUNCEMENT: "Announcement (internal)",
}


class ContentState(enum.StrEnum):
    """Where content is in its life. Approved content is *scheduled* until its publish-at and
    *published* from then until its expire-at, when the periodic job marks it expired."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    ARCHIVED = "archived"


class Network(enum.StrEnum):
    """Where an employee shares. `link` is the employee's tracked link copied by hand."""

    LINKEDIN = "linkedin"
    X = "x"
    FACEBOOK = "facebook"
    XING = "xing"
    EMAIL = "email"
    LINK = "link"

    @property
    def label(self) -> str:
        return NETWORK_LABELS[self]


NETWORK_LABELS = {
    Network.LINKEDIN: "LinkedIn",
    Network.X: "X",
    Network.FACEBOOK: "Facebook",
    Network.XING: "Xing",
    Network.EMAIL: "E-mail",
    Network.LINK: "Copied link",
}
# Networks that take suggested captions (a copied link has none of its own).
CAPTION_NETWORKS = (Network.LINKEDIN, Network.X, Network.FACEBOOK, Network.XING, Network.EMAIL)


def location_key(location: str) -> str:
    """How a location is kept in an audience and matched: whitespace collapsed, lower case, so
    "London,  United Kingdom" and "london, united kingdom" are one place (and one index key)."""
    return " ".join((location or "").split()).lower()


class AudienceDimension(enum.StrEnum):
    TEAM = "team"
    LOCATION = "location"
    LANGUAGE = "language"


content_topic = Table(
    "content_topic",
    db.metadata,
    Column("content_id", ForeignKey("content.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Topic(db.Model):
    """A subject content is tagged with and employees subscribe to; `slug` is its lower-case key."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(TOPIC_MAX))
    slug: Mapped[str] = mapped_column(String(TOPIC_MAX), unique=True)


class Content(db.Model):
    """Something employees may share (or, when internal only, read)."""

    __table_args__ = (
        # The feed: approved content in its window, newest first (keyset on publish_at, id).
        Index("ix_content_state_publish_at_id", "state", "publish_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default=ContentKind.LINK.value)
    state: Mapped[str] = mapped_column(String(16), default=ContentState.DRAFT.value)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    destination_url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    image_url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    # image_url fetched once and served from here (media.images); None until it is asked for
    image_id: Mapped[int | None] = mapped_column(ForeignKey("stored_image.id", ondelete="SET NULL"))
    # The destination's link preview (Open Graph), read once (feeds/previews.py): the site's
    # name for the card, and when it was read (None: not yet).
    site_name: Mapped[str] = mapped_column(String(120), default="")
    preview_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    campaign: Mapped[str] = mapped_column(String(CAMPAIGN_MAX), default="")
    captions_editable: Mapped[bool] = mapped_column(Boolean, default=False)
    internal_only: Mapped[bool] = mapped_column(Boolean, default=False)
    # Which audience dimensions have values, kept by `sync_audience_flags`: content for everyone
    # (most of it) then needs no look-up in content_audience when the feed is read.
    targets_teams: Mapped[bool] = mapped_column(Boolean, default=False)
    targets_locations: Mapped[bool] = mapped_column(Boolean, default=False)
    targets_languages: Mapped[bool] = mapped_column(Boolean, default=False)
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expire_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("source.id", ondelete="SET NULL"), index=True
    )
    review_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    source: Mapped[Source | None] = relationship(foreign_keys=[source_id])
    image: Mapped[StoredImage | None] = relationship(lazy="joined")  # without its bytes
    captions: Mapped[list[ContentCaption]] = relationship(
        back_populates="content",
        cascade="all, delete-orphan",
        order_by="(ContentCaption.network, ContentCaption.position)",
    )
    audience: Mapped[list[ContentAudience]] = relationship(
        back_populates="content", cascade="all, delete-orphan"
    )
    topics: Mapped[list[Topic]] = relationship(secondary=content_topic, order_by=Topic.slug)
    events: Mapped[list[ContentEvent]] = relationship(
        back_populates="content",
        cascade="all, delete-orphan",
        order_by="(ContentEvent.at, ContentEvent.id)",
    )

    @property
    def card_summary(self) -> str:
        """The summary for a card: without a repeat of the title (sources often open with it),
        and nothing when that is all it says."""
        summary = " ".join(self.summary.split())
        title = " ".join(self.title.split())
        if summary.casefold().startswith(title.casefold()):
            summary = summary[len(title) :].lstrip(" .:-–—|").strip()
        return summary if len(summary) >= 12 else ""

    @property
    def kind_label(self) -> str:
        return ContentKind(self.kind).label

    def audience_values(self, dimension: AudienceDimension) -> list[str]:
        """The audience's values in one dimension (team ids are kept as decimal strings)."""
        return sorted(a.value for a in self.audience if a.dimension == dimension)

    @property
    def audience_team_ids(self) -> set[int]:
        return {int(v) for v in self.audience_values(AudienceDimension.TEAM)}

    def sync_audience_flags(self) -> None:
        """Set the targets_* flags from the audience rows (call after changing them)."""
        dimensions = {str(a.dimension) for a in self.audience}  # enum members hash by name
        self.targets_teams = AudienceDimension.TEAM.value in dimensions
        self.targets_locations = AudienceDimension.LOCATION.value in dimensions
        self.targets_languages = AudienceDimension.LANGUAGE.value in dimensions

    def is_live(self, now: datetime) -> bool:
        """Approved and inside its share window at `now`."""
        return (
            self.state == ContentState.APPROVED
            and self.publish_at is not None
            and self.publish_at <= now
            and (self.expire_at is None or self.expire_at > now)
        )

    def captions_for(self, network: str) -> list[str]:
        return [c.text for c in self.captions if c.network == network]


class ContentCaption(db.Model):
    """One suggested caption for one network; several per network are variants."""

    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[int] = mapped_column(
        ForeignKey("content.id", ondelete="CASCADE"), index=True
    )
    network: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)

    content: Mapped[Content] = relationship(back_populates="captions")


class ContentAudience(db.Model):
    """One value of the audience: a team (by id), a location or a language code."""

    __table_args__ = (
        UniqueConstraint("content_id", "dimension", "value"),
        # The feed asks "which content is aimed at team 7?": by value first.
        Index("ix_content_audience_dimension_value", "dimension", "value", "content_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"))
    dimension: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(AUDIENCE_VALUE_MAX))

    content: Mapped[Content] = relationship(back_populates="audience")


class ContentEvent(db.Model):
    """The audit trail: who moved content from which state to which, when, and why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[int] = mapped_column(
        ForeignKey("content.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    content: Mapped[Content] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class TopicSubscription(db.Model):
    """An employee follows a topic."""

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    topic: Mapped[Topic] = relationship()


# --- compliance -----------------------------------------------------------------------------


class BlockedTerm(db.Model):
    """A word or phrase no caption may contain (matched whole-word, case-insensitively)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(TERM_MAX), unique=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ComplianceSettings(db.Model):
    """The organisation's sharing rules (one row): the disclosure appended to every caption."""

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure: Mapped[str] = mapped_column(String(DISCLOSURE_MAX), default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PolicyVersion(db.Model):
    """One published version of the social media policy; the highest version is in force."""

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PolicyAcknowledgement(db.Model):
    """An employee accepted one policy version."""

    __table_args__ = (UniqueConstraint("user_id", "policy_version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    policy_version_id: Mapped[int] = mapped_column(
        ForeignKey("policy_version.id", ondelete="CASCADE"), index=True
    )
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- sources --------------------------------------------------------------------------------


class Source(db.Model):
    """An RSS or Atom feed whose new entries become submitted content for curators."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(TITLE_MAX))
    url: Mapped[str] = mapped_column(String(URL_MAX))
    content_kind: Mapped[str] = mapped_column(String(20), default=ContentKind.LINK.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    etag: Mapped[str] = mapped_column(String(255), default="")
    last_modified: Mapped[str] = mapped_column(String(64), default="")
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    failure_count: Mapped[int] = mapped_column(Integer, default=0)
    next_fetch_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def failing(self) -> bool:
        return bool(self.last_error)


class SourceEntry(db.Model):
    """An entry already seen in a source. Entry ids and links can be long: they are compared
    by their SHA-256, which keeps the indexes small."""

    __table_args__ = (UniqueConstraint("source_id", "entry_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    entry_key: Mapped[str] = mapped_column(String(64))  # SHA-256 of the entry id (or link)
    url_hash: Mapped[str] = mapped_column(String(64), default="", index=True)
    url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    content_id: Mapped[int | None] = mapped_column(ForeignKey("content.id", ondelete="SET NULL"))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- sharing --------------------------------------------------------------------------------


class TrackedLink(db.Model):
    """An employee's own link to one content item on one network: `/r/<code>`."""

    __table_args__ = (UniqueConstraint("user_id", "content_id", "network"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    content_id: Mapped[int] = mapped_column(
        ForeignKey("content.id", ondelete="CASCADE"), index=True
    )
    network: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    content: Mapped[Content] = relationship()
    user: Mapped[User] = relationship()


class Share(db.Model):
    """A recorded share intent; `verified_at` is set when the first human click arrives."""

    __table_args__ = (Index("ix_share_user_id_content_id", "user_id", "content_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tracked_link_id: Mapped[int] = mapped_column(
        ForeignKey("tracked_link.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    content_id: Mapped[int] = mapped_column(
        ForeignKey("content.id", ondelete="CASCADE"), index=True
    )
    network: Mapped[str] = mapped_column(String(16))
    caption: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tracked_link: Mapped[TrackedLink] = relationship()
