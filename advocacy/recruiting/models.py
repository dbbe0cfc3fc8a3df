"""Referral tables: one row per candidate who applied through an employee's tracked link."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.accounts.models import User
from advocacy.extensions import db
from advocacy.feeds.models import Content
from advocacy.leaderboard.reach.models import EXTERNAL_ID_MAX
from advocacy.models_base import UTCDateTime, utcnow


class Stage(enum.StrEnum):
    """A candidate's stage. The pipeline only moves forward (see recruiting/referrals.py)."""

    APPLIED = "applied"
    INTERVIEWED = "interviewed"
    OFFERED = "offered"
    HIRED = "hired"
    REJECTED = "rejected"

    @property
    def rank(self) -> int:
        return STAGE_RANKS[self]

    @property
    def terminal(self) -> bool:
        return self in (Stage.HIRED, Stage.REJECTED)


# Forward order; rejected ends the pipeline from any open stage, so it ranks with hired.
STAGE_RANKS = {
    Stage.APPLIED: 0,
    Stage.INTERVIEWED: 1,
    Stage.OFFERED: 2,
    Stage.HIRED: 3,
    Stage.REJECTED: 3,
}


class Referral(db.Model):
    """A candidate's application through a tracked link, credited to the link's owner, with the
    stage the applicant-tracking system last reported. Keyed by the ATS's external id."""

    __table_args__ = (
        Index("ix_referral_user_applied", "user_id", "applied_on"),
        Index("ix_referral_content_applied", "content_id", "applied_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(EXTERNAL_ID_MAX), unique=True)
    conversion_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversion.id", ondelete="SET NULL"), unique=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    content_id: Mapped[int] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(16))
    team_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    stage: Mapped[str] = mapped_column(String(16), default=Stage.APPLIED.value)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    applied_on: Mapped[date] = mapped_column(Date)  # organisation-local day of the application
    stage_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    hired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hired_on: Mapped[date | None] = mapped_column(Date, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
    content: Mapped[Content] = relationship()
