"""Running totals at day boundaries, so that a custom range reads two keys per person: the
totals of the days before its end + 1 minus those of the days before its start
(periods.range_keys weighs this against tiling the range with period keys).

A snapshot at boundary B holds, in every period-total table under the key "<B", each total of
the local days before B. Which boundaries are kept (`wanted_boundaries`): every day of the last
DAILY_DAYS, Mondays of the last WEEKLY_DAYS, and the first of every month since the first
points; the rest are retired. A range whose edges are near no snapshot falls back to tiling.

Kept exact, like every other total:
- `take_snapshots` (a periodic job) writes a missing boundary from the nearest snapshot above it
  (or all time) minus the keys tiling the days between: two keys for a daily boundary. One
  transaction per boundary writes the totals and the PointSnapshot row that lists it.
- An entry dated before a listed boundary (a late click, a backdated correction) is added to
  that boundary's totals on write (standings_store.add_to_rollups). On PostgreSQL a writer reads
  the list after inserting its ledger line, and `take_snapshots` holds a SHARE lock on the
  ledger while it writes: either the writer's line is committed before the snapshot is summed,
  or the writer sees the new boundary. SQLite runs one writer at a time.
- A boundary is retired before its rows are deleted (on the next run, after RETIRE_GRACE), so
  a read that just listed it still finds them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import case, delete, func, insert, literal, or_, select, text, update

from advocacy.accounts.organisation import today
from advocacy.extensions import db
from advocacy.leaderboard.points.models import (
    PointMemberPeriod,
    PointSnapshot,
    PointTeamNetworkPeriod,
    PointTeamPeriod,
    PointUserDay,
    PointUserNetworkPeriod,
    PointUserPeriod,
)
from advocacy.leaderboard.points.periods import (
    ALL_TIME,
    SNAPSHOT_REACH,
    RangeKeys,
    range_keys,
    snapshot_key,
)
from advocacy.models_base import utcnow

DAILY_DAYS = 92  # "the last 7 / 30 / 90 days" read two keys
WEEKLY_DAYS = 400
RETIRE_GRACE = timedelta(hours=1)

# each total table and the columns that identify a total in it, besides the period key
TOTALS = (
    (PointUserPeriod, ("user_id",)),
    (PointUserNetworkPeriod, ("network", "user_id")),
    (PointMemberPeriod, ("team_id", "user_id")),
    (PointTeamPeriod, ("team_id",)),
    (PointTeamNetworkPeriod, ("network", "team_id")),
)


def listed_boundaries(*windows: tuple[date, date]) -> frozenset[date]:
    """The boundaries with complete snapshots (within any of `windows`, first and last day,
    when given)."""
    query = select(PointSnapshot.day).where(PointSnapshot.retired_at.is_(None))
    if windows:
        query = query.where(or_(*(PointSnapshot.day.between(*window) for window in windows)))
    return frozenset(db.session.scalars(query))


def boundaries_near(start: date, end: date) -> frozenset[date]:
    """The listed boundaries a range start..end can use (periods.SNAPSHOT_REACH of its edges)."""
    reach, after_end = timedelta(days=SNAPSHOT_REACH), end + timedelta(days=1)
    return listed_boundaries((start - reach, start + reach), (after_end - reach, after_end + reach))


def wanted_boundaries(now: date, first_day: date | None) -> set[date]:
    """Daily boundaries up to DAILY_DAYS back, Mondays up to WEEKLY_DAYS back, and the first of
    every month since `first_day` (the first local day with points)."""
    wanted = {now - timedelta(days=n) for n in range(DAILY_DAYS)}
    monday = now - timedelta(days=now.weekday())
    wanted |= {monday - timedelta(weeks=n) for n in range((WEEKLY_DAYS - now.weekday()) // 7 + 1)}
    if first_day is not None:
        month = first_day.replace(day=1)
        while month <= now:
            wanted.add(month)
            month = (month + timedelta(days=32)).replace(day=1)
    return wanted


def take_snapshots(now: date | None = None) -> int:
    """Write the wanted boundaries that are missing (newest first, each from the one above it),
    retire the unwanted and delete what was retired before; returns how many were written."""
    now = now or today()
    first_day = db.session.scalar(select(func.min(PointUserDay.local_day)))
    wanted = wanted_boundaries(now, first_day)
    listed = set(listed_boundaries())
    retired = listed - wanted
    if retired:
        db.session.execute(
            update(PointSnapshot).where(PointSnapshot.day.in_(retired)).values(retired_at=utcnow())
        )
        db.session.commit()
    _delete_retired()
    written = 0
    for boundary in sorted(wanted - listed, reverse=True):
        if first_day is None or boundary <= first_day:
            continue  # nothing before it: an empty snapshot would only take a row
        _write_snapshot(boundary, now, frozenset(listed))
        listed.add(boundary)
        written += 1
    return written


def _write_snapshot(boundary: date, now: date, listed: frozenset[date]) -> None:
    """One boundary's totals in one transaction, from the nearest snapshot above it (or all
    time) minus the keys of the days between."""
    db.session.commit()  # SQLite: a write must not upgrade a read transaction begun earlier
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("LOCK TABLE point_entry IN SHARE MODE"))
    # a retired boundary wanted again is written afresh
    db.session.execute(delete(PointSnapshot).where(PointSnapshot.day == boundary))
    db.session.add(PointSnapshot(day=boundary))
    db.session.flush()
    above = min((day for day in listed if day > boundary), default=None)
    if above is None or above > now:
        top, last = ALL_TIME, now
    else:
        top, last = snapshot_key(above), above - timedelta(days=1)
    between = range_keys(boundary, last, now, listed) if boundary <= last else RangeKeys(())
    keys = RangeKeys((top, *between.minus), between.plus)
    key = snapshot_key(boundary)
    for table, columns in TOTALS:
        db.session.execute(delete(table).where(table.period_key == key))
        members = [getattr(table, column) for column in columns]
        # zero totals are kept: everyone in an older snapshot is then in every newer one (and
        # in all time), which lets a range read its two keys as a join (standings.py)
        totals = (
            select(literal(key), *members, signed_sum(table, keys))
            .where(table.period_key.in_(keys.all))
            .group_by(*members)
        )
        db.session.execute(insert(table).from_select(["period_key", *columns, "points"], totals))
    db.session.commit()


def _delete_retired() -> None:
    """Delete the rows of boundaries retired more than RETIRE_GRACE ago, one commit each."""
    cutoff = utcnow() - RETIRE_GRACE
    for boundary in db.session.scalars(
        select(PointSnapshot.day).where(PointSnapshot.retired_at < cutoff)
    ).all():
        for table, _ in TOTALS:
            db.session.execute(delete(table).where(table.period_key == snapshot_key(boundary)))
        db.session.execute(delete(PointSnapshot).where(PointSnapshot.day == boundary))
        db.session.commit()


def boundaries_after(days: Iterable[date]) -> list[date]:
    """The listed (and retired, whose rows remain) boundaries after the earliest of `days`: the
    snapshots an entry of those days must be added to."""
    earliest = min(days, default=None)
    if earliest is None:
        return []
    return list(db.session.scalars(select(PointSnapshot.day).where(PointSnapshot.day > earliest)))


def forget_snapshots() -> None:
    """Delete every snapshot (the rollups are being rebuilt; take_snapshots writes them again)."""
    db.session.execute(delete(PointSnapshot))


def signed_sum(table, keys: RangeKeys):
    """The sum of the totals under `keys.plus` minus those under `keys.minus`."""
    if not keys.minus:
        return func.sum(table.points)
    return func.sum(case((table.period_key.in_(keys.minus), -table.points), else_=table.points))
