"""Retention of raw click events: rows older than CLICK_RETENTION_DAYS (default 90) are deleted
by a daily job, in batches so no transaction holds many locks or a long write lock on SQLite.
The daily rollups (per employee and per team), conversions and points are kept: every report
reads those, so pruning changes no figure."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from advocacy.extensions import db
from advocacy.leaderboard.reach.models import ClickEvent
from advocacy.models_base import utcnow

PRUNE_BATCH = 5000
MIN_RETENTION_DAYS = 2  # the ingest's de-duplication looks back 24 hours: never prune into it


def retention_days() -> int:
    """How many days raw click events are kept (at least MIN_RETENTION_DAYS)."""
    return max(MIN_RETENTION_DAYS, int(current_app.config.get("CLICK_RETENTION_DAYS") or 90))


def prune_click_events(batch_size: int = PRUNE_BATCH) -> int:
    """Delete raw click events older than the retention period; returns how many. Commits after
    each batch, so an interrupted run keeps its progress and the next run finishes it."""
    cutoff = utcnow() - timedelta(days=retention_days())
    deleted = 0
    while True:
        ids = list(
            db.session.scalars(
                select(ClickEvent.id)
                .where(ClickEvent.occurred_at < cutoff)
                .order_by(ClickEvent.id)
                .limit(batch_size)
            )
        )
        if not ids:
            return deleted
        db.session.execute(delete(ClickEvent).where(ClickEvent.id.in_(ids)))
        db.session.commit()
        deleted += len(ids)
