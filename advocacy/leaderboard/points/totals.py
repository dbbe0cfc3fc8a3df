"""Keeping standings current on write: daily and per-period rollups in SQL (same transaction as
the ledger), and with Redis one sorted set per standard period, incremented after the commit.

The SQL period totals are kept per standard period, per day and, for an entry dated before a
snapshot boundary, under that boundary's key (snapshots.py); for everyone, per network, per team
member, per team and per team and network, so that every board reads a bounded number of index
ranges (standings.py).

The sorted sets are a cache of the SQL rollups: a Redis write that fails, or a flushed Redis,
only removes the "built" marker, and reads fall back to SQL until `rebuild_sorted_sets` (run by
`flask leaderboard rebuild`, or enqueued by the first read that finds no marker) rebuilds them.
Members with a total of exactly 0 are removed, as SQL boards leave out zero totals.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

from flask import current_app, has_app_context
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from advocacy.accounts.models import Team
from advocacy.extensions import db
from advocacy.leaderboard.bulk import upsert_rows
from advocacy.leaderboard.points.models import (
    PointEntry,
    PointMemberPeriod,
    PointTeamDay,
    PointTeamNetworkPeriod,
    PointTeamPeriod,
    PointUserDay,
    PointUserNetworkPeriod,
    PointUserPeriod,
)
from advocacy.leaderboard.points.periods import ALL_TIME, is_standard_key, snapshot_key, total_keys
from advocacy.leaderboard.points.snapshots import boundaries_after, forget_snapshots, take_snapshots

log = logging.getLogger("advocacy.leaderboard")

REDIS_PREFIX = "advocacy:lb"
BUILT_KEY = f"{REDIS_PREFIX}:built"
REBUILD_LOCK = f"{REDIS_PREFIX}:rebuilding"
PERIOD_TTL = 400 * 24 * 3600  # a past week/month/quarter set lingers a year, then expires
_PENDING = "standings_increments"
_ZADD_CHUNK = 5_000


def people_key(period_key: str) -> str:
    return f"{REDIS_PREFIX}:people:{period_key}"


def teams_key(period_key: str) -> str:
    return f"{REDIS_PREFIX}:teams:{period_key}"


def add_to_rollups(entries: Iterable) -> None:
    """Add new ledger entries (anything with a PointEntry's user_id, local_day, network, points
    and team_ids) to every rollup, each key's points summed first so a key is written once, and
    queue their sorted-set increments for after the commit."""
    user_day: dict[tuple, int] = defaultdict(int)
    team_day: dict[tuple, int] = defaultdict(int)
    user_period: dict[tuple, int] = defaultdict(int)
    network_period: dict[tuple, int] = defaultdict(int)
    member_period: dict[tuple, int] = defaultdict(int)
    team_period: dict[tuple, int] = defaultdict(int)
    team_network_period: dict[tuple, int] = defaultdict(int)
    entries = [entry for entry in entries if entry.points]
    # an entry dated before a snapshot boundary (late, or a backdated correction) counts
    # towards that snapshot too (snapshots.py: read after the ledger insert, on purpose)
    boundaries = boundaries_after(entry.local_day for entry in entries)
    team_ids = {team for entry in entries for team in entry.team_ids or ()}
    if team_ids:  # a team deleted since the action keeps no credit
        team_ids = set(db.session.scalars(select(Team.id).where(Team.id.in_(team_ids))))
    for entry in entries:
        keys = total_keys(entry.local_day) + tuple(
            snapshot_key(boundary) for boundary in boundaries if boundary > entry.local_day
        )
        user_day[(entry.local_day, entry.user_id, entry.network)] += entry.points
        for key in keys:
            user_period[(key, entry.user_id)] += entry.points
            network_period[(key, entry.network, entry.user_id)] += entry.points
        for team in entry.team_ids or ():
            if team in team_ids:
                team_day[(entry.local_day, team, entry.user_id, entry.network)] += entry.points
                for key in keys:
                    team_period[(key, team)] += entry.points
                    team_network_period[(key, entry.network, team)] += entry.points
                    member_period[(key, team, entry.user_id)] += entry.points
    if not user_day:
        return
    _add(PointUserDay, ("local_day", "user_id", "network"), user_day)
    _add(PointTeamDay, ("local_day", "team_id", "user_id", "network"), team_day)
    _add(PointUserPeriod, ("period_key", "user_id"), user_period)
    _add(PointUserNetworkPeriod, ("period_key", "network", "user_id"), network_period)
    _add(PointMemberPeriod, ("period_key", "team_id", "user_id"), member_period)
    _add(PointTeamPeriod, ("period_key", "team_id"), team_period)
    _add(PointTeamNetworkPeriod, ("period_key", "network", "team_id"), team_network_period)
    db.session.info.setdefault(_PENDING, []).append(
        (_standard_only(user_period), _standard_only(team_period))
    )


def _standard_only(totals: dict[tuple, int]) -> dict[tuple, int]:
    """The sorted sets hold the standard periods only (custom ranges are SQL's)."""
    return {key: points for key, points in totals.items() if is_standard_key(key[0])}


def _add(model, keys: tuple[str, ...], amounts: dict[tuple, int]) -> None:
    rows = [dict(zip(keys, key, strict=True), points=points) for key, points in amounts.items()]
    upsert_rows(model, rows, keys, add=["points"])


@event.listens_for(Session, "after_commit")
def _increment_sorted_sets(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context():
        return
    redis: Redis | None = current_app.extensions["jobs"].redis
    if redis is None:
        return
    try:
        pipe = redis.pipeline(transaction=False)
        touched: set[str] = set()
        for user_period, team_period in pending:
            for (period_key, user_id), points in user_period.items():
                touched.add(people_key(period_key))
                pipe.zincrby(people_key(period_key), points, user_id)
            for (period_key, team_id), points in team_period.items():
                touched.add(teams_key(period_key))
                pipe.zincrby(teams_key(period_key), points, team_id)
        for key in touched:
            pipe.zremrangebyscore(key, 0, 0)
            if not key.endswith(f":{ALL_TIME}"):
                pipe.expire(key, PERIOD_TTL)
        pipe.execute()
    except RedisError:
        log.exception("leaderboard sorted sets missed an update; reads use SQL until rebuilt")
        try:
            redis.delete(BUILT_KEY)
        except RedisError:
            log.exception("and the built marker could not be removed either")


@event.listens_for(Session, "after_rollback")
def _drop_increments(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_soft_rollback")
def _drop_increments_soft(session: Session, previous_transaction) -> None:
    session.info.pop(_PENDING, None)


def rebuild_sorted_sets(redis: Redis) -> int:
    """Rewrite every period's sorted sets from the SQL rollups (each filled under a temporary
    name, then renamed over the live one); returns how many sets were written.

    An award committed while a set is being rewritten may be missed by it: run the rebuild again
    (it is cheap) if the site was busy."""
    written = 0
    live = set()
    for model, column, key_of in (
        (PointUserPeriod, PointUserPeriod.user_id, people_key),
        (PointTeamPeriod, PointTeamPeriod.team_id, teams_key),
    ):
        period_keys_in_sql = db.session.scalars(select(model.period_key).distinct()).all()
        for period_key in [key for key in period_keys_in_sql if is_standard_key(key)]:
            key = key_of(period_key)
            rows = db.session.execute(
                select(column, model.points).where(
                    model.period_key == period_key, model.points != 0
                )
            ).all()
            if not rows:
                continue
            temporary = f"{key}:rebuild"
            pipe = redis.pipeline(transaction=False)
            pipe.delete(temporary)
            for start in range(0, len(rows), _ZADD_CHUNK):
                chunk = rows[start : start + _ZADD_CHUNK]
                pipe.zadd(temporary, {str(member): points for member, points in chunk})
            pipe.rename(temporary, key)
            if period_key != ALL_TIME:
                pipe.expire(key, PERIOD_TTL)
            pipe.execute()
            live.add(key)
            written += 1
    for key in redis.scan_iter(f"{REDIS_PREFIX}:people:*"):
        if key.decode() not in live:
            redis.delete(key)
    for key in redis.scan_iter(f"{REDIS_PREFIX}:teams:*"):
        if key.decode() not in live:
            redis.delete(key)
    redis.set(BUILT_KEY, "1")
    redis.delete(REBUILD_LOCK)
    return written


ROLLUPS = (
    PointUserDay,
    PointTeamDay,
    PointUserPeriod,
    PointUserNetworkPeriod,
    PointMemberPeriod,
    PointTeamPeriod,
    PointTeamNetworkPeriod,
)


def rebuild_rollups_from_ledger() -> int:
    """Recompute every SQL rollup from the ledger (after a repair, or to check for drift), then
    the snapshots from the rollups; returns the number of entries read. Commits."""
    for model in ROLLUPS:
        db.session.execute(delete(model))
    forget_snapshots()
    count = 0
    batch = []
    credited = select(
        PointEntry.user_id,
        PointEntry.local_day,
        PointEntry.network,
        PointEntry.points,
        PointEntry.team_ids,
    ).where(PointEntry.points != 0)
    for entry in db.session.execute(credited.execution_options(yield_per=2_000)):
        batch.append(entry)
        count += 1
        if len(batch) == 2_000:
            add_to_rollups(batch)
            batch = []
    add_to_rollups(batch)
    db.session.info.pop(_PENDING, None)  # the sorted sets are rebuilt separately
    db.session.commit()
    take_snapshots()
    return count
