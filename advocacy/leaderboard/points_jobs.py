"""Background work of the standings."""

from __future__ import annotations

from advocacy.jobs import redis_connection
from advocacy.leaderboard.standings_store import rebuild_sorted_sets


def rebuild_standings() -> None:
    """Rebuild the Redis sorted sets from the SQL rollups (no-op without Redis)."""
    redis = redis_connection()
    if redis is not None:
        rebuild_sorted_sets(redis)
