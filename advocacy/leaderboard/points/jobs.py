"""Background work of the standings."""

from __future__ import annotations

from advocacy.jobs import redis_connection
from advocacy.leaderboard.points.snapshots import take_snapshots
from advocacy.leaderboard.points.totals import rebuild_sorted_sets

SNAPSHOT_INTERVAL = 3600  # seconds: a new day's boundary is written within the hour


def rebuild_standings() -> None:
    """Rebuild the Redis sorted sets from the SQL rollups (no-op without Redis)."""
    redis = redis_connection()
    if redis is not None:
        rebuild_sorted_sets(redis)


def take_standings_snapshots() -> None:
    """Write the day boundaries' running totals that are missing; retire old ones."""
    take_snapshots()
