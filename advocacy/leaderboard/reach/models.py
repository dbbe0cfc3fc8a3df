"""Reach tables: raw tracked-link hits, daily rollups per employee and per team, conversions,
declared follower counts, the earned-media values, and the daily salts of visitor keys."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.extensions import db
from advocacy.models_base import UTCDateTime, utcnow

EVENT_ID_MAX = 32
CONVERSION_TYPE_MAX = 32
EXTERNAL_ID_MAX = 128
DOMAIN_MAX = 253


class HitKind(enum.StrEnum):
    """What a hit on a tracked link counted as (the rules are in tracking.py and ingest.py)."""

    HUMAN = "human"  # a click: a person, not the sharer, first time on this link in 24 h
    REPEAT = "repeat"  # the same visitor again on the same link within 24 h
    SELF = "self"  # the sharer following their own link
    BOT = "bot"  # a HEAD request, a crawler or a link-preview fetcher


class ClickEvent(db.Model):
    """One hit on a tracked link, kept whatever it counted as. Attribution (owner, content,
    network, campaign, the owner's teams) is frozen at ingest time; no IP is ever stored."""

    __table_args__ = (
        # The ingest asks "which counted clicks did these visitors make lately?" per batch.
        Index("ix_click_event_visitor_at", "visitor_key", "occurred_at"),
        Index("ix_click_event_user_day", "user_id", "local_day"),
        Index("ix_click_event_content_day", "content_id", "local_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(EVENT_ID_MAX), unique=True)
    tracked_link_id: Mapped[int] = mapped_column(ForeignKey("tracked_link.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    content_id: Mapped[int] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(16))
    campaign: Mapped[str] = mapped_column(String(80), default="")
    team_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    kind: Mapped[str] = mapped_column(String(8))
    # HMAC of IP + user agent under the day's salt; salts are deleted after two days.
    visitor_key: Mapped[str] = mapped_column(String(32), default="")
    referrer_domain: Mapped[str] = mapped_column(String(DOMAIN_MAX), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    local_day: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class _Counters:
    """The counters every rollup has."""

    raw_hits: Mapped[int] = mapped_column(Integer, default=0)
    bot_hits: Mapped[int] = mapped_column(Integer, default=0)
    human_clicks: Mapped[int] = mapped_column(Integer, default=0)
    unique_visitors: Mapped[int] = mapped_column(Integer, default=0)
    conversions: Mapped[int] = mapped_column(Integer, default=0)


class ReachDaily(_Counters, db.Model):
    """Reach of one employee's links for one content item on one network, per local day."""

    __table_args__ = (
        UniqueConstraint("local_day", "user_id", "content_id", "network", "campaign"),
        Index("ix_reach_daily_user_day", "user_id", "local_day"),
        Index("ix_reach_daily_content_day", "content_id", "local_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    local_day: Mapped[date] = mapped_column(Date)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    content_id: Mapped[int] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(16))
    campaign: Mapped[str] = mapped_column(String(80), default="")


class TeamReachDaily(_Counters, db.Model):
    """Reach credited to a team (each team the sharer was in at the time), per local day."""

    __table_args__ = (UniqueConstraint("local_day", "team_id", "network"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    local_day: Mapped[date] = mapped_column(Date)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    network: Mapped[str] = mapped_column(String(16))


class Conversion(db.Model):
    """A downstream outcome (signup, lead, application...) reported by the destination's site
    for a tracked link; (type, external_id) is unique so a repeated report counts once."""

    __table_args__ = (UniqueConstraint("type", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(CONVERSION_TYPE_MAX))
    external_id: Mapped[str] = mapped_column(String(EXTERNAL_ID_MAX))
    tracked_link_id: Mapped[int] = mapped_column(
        ForeignKey("tracked_link.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(16))
    campaign: Mapped[str] = mapped_column(String(80), default="")
    team_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    local_day: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeclaredAudience(db.Model):
    """How many followers an employee says they have on a network: their *potential* reach."""

    __table_args__ = (UniqueConstraint("user_id", "network"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(16))
    followers: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReachSettings(db.Model):
    """The organisation's reach settings (one row): earned-media values and the secret that
    signs conversion reports (CONVERSIONS_SECRET in the environment wins over it)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    click_value: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False), default=0)
    conversion_value: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False), default=0)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    conversions_secret: Mapped[str] = mapped_column(String(128), default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class VisitorSalt(db.Model):
    """The random salt of visitor keys for one UTC day; rows older than two days are deleted,
    after which nobody (us included) can tell whose hits the old keys were."""

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
