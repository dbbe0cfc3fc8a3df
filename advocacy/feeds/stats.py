"""Figures about the feed that other features read (analytics), without touching its tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.feeds.models import ContentEvent


def approval_times(since: datetime, until: datetime) -> list[datetime]:
    """When content was approved in (since, until], one time per approval."""
    query = select(ContentEvent.at).where(
        ContentEvent.action == "approved", ContentEvent.at > since, ContentEvent.at <= until
    )
    return list(db.session.scalars(query))


def last_approval_at(until: datetime) -> datetime | None:
    """The latest approval up to `until`, if any."""
    query = select(func.max(ContentEvent.at)).where(
        ContentEvent.action == "approved", ContentEvent.at <= until
    )
    return db.session.scalar(query)
