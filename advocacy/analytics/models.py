"""Analytics settings an admin chooses (one row): the content supply target and staleness."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.extensions import db
from advocacy.models_base import UTCDateTime, utcnow

DEFAULT_SUPPLY_TARGET = 3.5  # approved items per 100 employees per week, what practitioners use
DEFAULT_STALE_DAYS = 7


class AnalyticsSettings(db.Model):
    """The organisation's analytics settings (a single row, created on first need)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    supply_target: Mapped[float] = mapped_column(Float, default=DEFAULT_SUPPLY_TARGET)
    stale_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_STALE_DAYS)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
