"""Standings behind one interface: SQL over the rollups, or Redis sorted sets (standard periods,
no filters). Both answer the same questions identically (tests/leaderboard/test_standings_contract).

Ranking rule (both backends): more points rank higher; equal totals share a rank (1, 2, 2, 4:
"standard competition ranking"), so nobody wins a tie by an accident of timing or spelling; the
board lists tied people by the name shown, then by id. Zero totals are not ranked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from redis import Redis
from sqlalchemy import Select, and_, func, null, or_, select
from sqlalchemy.orm import aliased

from advocacy.accounts.models import User
from advocacy.accounts.organisation import today
from advocacy.extensions import db
from advocacy.feeds.models import location_key
from advocacy.leaderboard.points.models import (
    PointMemberPeriod,
    PointTeamDay,
    PointTeamNetworkPeriod,
    PointTeamPeriod,
    PointUserNetworkPeriod,
    PointUserPeriod,
)
from advocacy.leaderboard.points.periods import (
    ALL_TIME,
    Period,
    RangeKeys,
    is_snapshot_key,
    range_keys,
)
from advocacy.leaderboard.points.snapshots import boundaries_near, signed_sum
from advocacy.leaderboard.points.totals import people_key, teams_key


@dataclass(frozen=True)
class BoardFilters:
    """People in a team (points earned for that team), at a location, or points from a network."""

    team_id: int | None = None
    location: str = ""
    network: str = ""

    @property
    def empty(self) -> bool:
        return self.team_id is None and not self.location and not self.network


NO_FILTERS = BoardFilters()


@dataclass(frozen=True)
class Score:
    """A ranked total: `id` is a user's or a team's."""

    id: int
    points: int
    rank: int


LOWEST = -(2**31)  # below any total: "no cutoff" when fewer people than the limit have one


@dataclass(frozen=True)
class Summed:
    """A board's reads: the top (with ties), the reader's score, how many are ranked."""

    top: list[Score]
    me: Score | None
    count: int


def ranked(pairs: list[tuple[int, int]]) -> list[Score]:
    """Competition ranks for (id, points) pairs, highest first."""
    ordered = sorted(pairs, key=lambda pair: (-pair[1], pair[0]))
    scores, rank, previous = [], 0, None
    for position, (member, points) in enumerate(ordered, start=1):
        if points != previous:
            rank, previous = position, points
        scores.append(Score(member, points, rank))
    return scores


class StandingsBackend(Protocol):
    name: str

    def top_people(self, period: Period, limit: int) -> list[Score]:
        """The `limit` best totals, plus everyone tied with the last of them."""

    def person(self, period: Period, user_id: int) -> Score | None:
        """A user's total and rank, or None without a (non-zero) total."""

    def people_count(self, period: Period) -> int:
        """How many people have a non-zero total."""

    def team_totals(self, period: Period) -> dict[int, int]:
        """Every team's total (teams without points may be missing)."""

    def standing(self, period: Period, limit: int, user_id: int | None) -> Summed:
        """top_people, person and people_count at once (one query where the backend can)."""


class SqlStandings:
    """Every board reads per-key totals kept on write (standings_store): a standard period is one
    key, read in index order (top N by walking the (key, points) index, a rank by one indexed
    count); a custom range is read once per request from the keys periods.range_keys picks:
    usually two snapshots (snapshots.py), "before end + 1" minus "before start", read as one
    index range joined to the other by primary key; otherwise the sum of a few keys.

    Which totals: everyone's, per network, or per team member; a location filter narrows any of
    them to the people there. Team and network together fall back to the team's daily rollups
    (a team's members only)."""

    name = "sql"

    def __init__(self, filters: BoardFilters = NO_FILTERS):
        self.filters = filters
        self._people_there: Select | None = None
        self._range_keys: dict[Period, RangeKeys] = {}
        self._summed_boards: dict[tuple, Summed] = {}

    # --- where the totals come from ------------------------------------------------------

    def _table(self):
        """The per-key totals that answer the filters, or None for the daily fallback."""
        if self.filters.team_id is not None:
            return None if self.filters.network else PointMemberPeriod
        return PointUserNetworkPeriod if self.filters.network else PointUserPeriod

    def _conditions(self, entity) -> list:
        """The filters on `entity` (the table or an alias of it)."""
        conditions = []
        if self.filters.team_id is not None:
            conditions.append(entity.team_id == self.filters.team_id)
        elif self.filters.network:
            conditions.append(entity.network == self.filters.network)
        if self.filters.location:
            if self._people_there is None:
                self._people_there = users_at(self.filters.location)
            conditions.append(entity.user_id.in_(self._people_there))
        return conditions

    def _single_standing(self, key: str, limit: int, user_id: int | None) -> Summed:
        """One statement for a single key: the rows at or above the limit-th total (an index
        walk from the top), the reader's row with its rank (an indexed count of the totals
        above it), and the count of non-zero totals."""
        table = self._table()

        def where(entity) -> list:
            return [entity.period_key == key, entity.points != 0, *self._conditions(entity)]

        cut, counted, above, mine = (aliased(table) for _ in range(4))
        cutoff = (
            select(cut.points)
            .where(*where(cut))
            .order_by(cut.points.desc())
            .offset(limit - 1)
            .limit(1)
            .scalar_subquery()
        )
        count = select(func.count()).select_from(counted).where(*where(counted))
        shown = table.points >= func.coalesce(cutoff, LOWEST)
        ahead = null()
        if user_id is not None:
            # uncorrelated (computed once): a per-row subquery would look costly enough to
            # PostgreSQL's planner to switch on JIT compilation, ~150 ms for a 3 ms query
            my_points = select(mine.points).where(*where(mine), mine.user_id == user_id)
            shown = or_(shown, table.user_id == user_id)
            ahead = (
                select(func.count())
                .select_from(above)
                .where(*where(above), above.points > my_points.scalar_subquery())
                .scalar_subquery()
            )
        rows = db.session.execute(
            select(table.user_id, table.points, count.scalar_subquery(), ahead).where(
                *where(table), shown
            )
        ).all()
        me = next((Score(u, p, a + 1) for u, p, _, a in rows if u == user_id), None)
        top = ranked([(u, p) for u, p, _, _ in rows if u != user_id or me.rank <= limit])
        return Summed(top, me, rows[0][2] if rows else 0)

    def _keys(self, period: Period) -> RangeKeys:
        if period not in self._range_keys:
            if period.key:
                keys = RangeKeys((period.key,))
            else:
                snapshots = boundaries_near(period.start, period.end)
                keys = range_keys(period.start, period.end, today(), snapshots)
            self._range_keys[period] = keys
        return self._range_keys[period]

    def _summed(self, period: Period, limit: int, user_id: int | None) -> Summed:
        """Top `limit` (with ties), the user's score and the count over a custom range (or the
        fallback), in one statement: the totals computed once (a CTE, materialised), then read
        as _single_standing reads one key, without ranking every total: the limit-th total
        (a bounded sort), the rows at or above it, the reader's row and the count of totals
        above it, the count of all."""
        memo = (period, limit, user_id)
        if memo not in self._summed_boards:
            totals = self._summed_query(period).cte("totals")
            cut, counted, above, mine = (totals.alias() for _ in range(4))
            cutoff = (
                select(cut.c.points)
                .order_by(cut.c.points.desc())
                .offset(limit - 1)
                .limit(1)
                .scalar_subquery()
            )
            count = select(func.count()).select_from(counted).scalar_subquery()
            shown = totals.c.points >= func.coalesce(cutoff, LOWEST)
            ahead = null()
            if user_id is not None:
                my_points = select(mine.c.points).where(mine.c.member == user_id)
                shown = or_(shown, totals.c.member == user_id)
                ahead = (
                    select(func.count())
                    .select_from(above)
                    .where(above.c.points > my_points.scalar_subquery())
                    .scalar_subquery()
                )
            rows = db.session.execute(
                select(totals.c.member, totals.c.points, count, ahead).where(shown)
            ).all()
            me = next((Score(u, p, a + 1) for u, p, _, a in rows if u == user_id), None)
            top = ranked([(u, p) for u, p, _, _ in rows if u != user_id or me.rank <= limit])
            self._summed_boards[memo] = Summed(top, me, rows[0][2] if rows else 0)
        return self._summed_boards[memo]

    def _summed_query(self, period: Period) -> Select:
        table = self._table()
        if table is None:  # team and network: the team's daily rollups
            rollup = PointTeamDay
            total = func.sum(rollup.points)
            query = select(rollup.user_id.label("member"), total.label("points")).where(
                rollup.team_id == self.filters.team_id, rollup.network == self.filters.network
            )
            if period.start is not None:
                query = query.where(rollup.local_day.between(period.start, period.end))
            if self.filters.location:
                query = query.where(rollup.user_id.in_(users_at(self.filters.location)))
            return query.group_by(rollup.user_id).having(total != 0)
        keys = self._keys(period)
        if _one_snapshot_from_another(keys):
            return self._difference_query(table, keys.plus[0], keys.minus[0])
        total = signed_sum(table, keys)
        return (
            select(table.user_id.label("member"), total.label("points"))
            .where(table.period_key.in_(keys.all), *self._conditions(table))
            .group_by(table.user_id)
            .having(total != 0)
        )

    def _difference_query(self, table, later: str, earlier: str) -> Select:
        """Totals under `later` minus those under `earlier`, as a join: no grouping, since
        everyone with an `earlier` total has a `later` one (snapshots keep zero totals)."""
        before = aliased(table)
        same_columns = [
            column.key
            for column in table.__table__.primary_key.columns
            if column.key != "period_key"
        ]
        same_total = [before.period_key == earlier] + [
            getattr(before, column) == getattr(table, column) for column in same_columns
        ]
        points = table.points - func.coalesce(before.points, 0)
        query = (
            select(table.user_id.label("member"), points.label("points"))
            .join_from(table, before, and_(*same_total), isouter=True)
            .where(table.period_key == later, *self._conditions(table), points != 0)
        )
        if db.engine.dialect.name == "sqlite":
            # read in primary-key order, SQLite probes `before` in that order too: neighbouring
            # pages, a third faster (PostgreSQL hashes one side and would only sort for nothing)
            query = query.order_by(*[getattr(table, column) for column in same_columns])
        return query

    # --- the interface -------------------------------------------------------------------

    def standing(self, period: Period, limit: int, user_id: int | None) -> Summed:
        if self._table() is not None:
            keys = self._keys(period)
            if len(keys.plus) == 1 and not keys.minus:
                return self._single_standing(keys.plus[0], limit, user_id)
        return self._summed(period, limit, user_id)

    def top_people(self, period: Period, limit: int) -> list[Score]:
        return self.standing(period, limit, None).top

    def person(self, period: Period, user_id: int) -> Score | None:
        return self.standing(period, 1, user_id).me

    def people_count(self, period: Period) -> int:
        return self.standing(period, 1, None).count

    def team_totals(self, period: Period) -> dict[int, int]:
        filters = self.filters
        if filters.network and not filters.location:
            table, keys = PointTeamNetworkPeriod, self._keys(period)
            query = select(table.team_id, signed_sum(table, keys)).where(
                table.period_key.in_(keys.all), table.network == filters.network
            )
        elif filters.network:  # network and location: the daily rollups of the people there
            query = select(PointTeamDay.team_id, func.sum(PointTeamDay.points)).where(
                PointTeamDay.network == filters.network
            )
            if period.start is not None:
                query = query.where(PointTeamDay.local_day.between(period.start, period.end))
            if filters.location:
                query = query.where(PointTeamDay.user_id.in_(users_at(filters.location)))
            table = PointTeamDay
        elif filters.location:  # the credit earned by the people there
            table, keys = PointMemberPeriod, self._keys(period)
            query = select(table.team_id, signed_sum(table, keys)).where(
                table.period_key.in_(keys.all), table.user_id.in_(users_at(filters.location))
            )
        else:
            table, keys = PointTeamPeriod, self._keys(period)
            query = select(table.team_id, signed_sum(table, keys)).where(
                table.period_key.in_(keys.all)
            )
        if filters.team_id is not None:
            query = query.where(table.team_id == filters.team_id)
        query = query.group_by(table.team_id)
        return {team: points for team, points in db.session.execute(query) if points}


def _one_snapshot_from_another(keys: RangeKeys) -> bool:
    """Whether `keys` is a later snapshot (or all time) minus an earlier snapshot."""
    if len(keys.plus) != 1 or len(keys.minus) != 1 or not is_snapshot_key(keys.minus[0]):
        return False
    later, earlier = keys.plus[0], keys.minus[0]
    return later == ALL_TIME or (is_snapshot_key(later) and later > earlier)


class RedisStandings:
    """Sorted sets per standard period, members are ids, scores the totals."""

    name = "redis"

    def __init__(self, redis: Redis):
        self.redis = redis

    @staticmethod
    def supports(period: Period, filters: BoardFilters) -> bool:
        return period.key is not None and filters.empty

    def top_people(self, period: Period, limit: int) -> list[Score]:
        key = people_key(period.key)
        best = self.redis.zrevrange(key, 0, limit - 1, withscores=True)
        if len(best) == limit:  # take in everyone tied with the last one
            best = self.redis.zrevrangebyscore(key, "+inf", best[-1][1], withscores=True)
        return ranked([(int(member), int(points)) for member, points in best])

    def person(self, period: Period, user_id: int) -> Score | None:
        key = people_key(period.key)
        points = self.redis.zscore(key, user_id)
        if not points:
            return None
        ahead = self.redis.zcount(key, f"({points}", "+inf")
        return Score(user_id, int(points), ahead + 1)

    def people_count(self, period: Period) -> int:
        return self.redis.zcard(people_key(period.key))

    def standing(self, period: Period, limit: int, user_id: int | None) -> Summed:
        """Two round trips: the top, the reader's score and the count; then the ties with the
        last of the top and the reader's rank."""
        key = people_key(period.key)
        first = self.redis.pipeline(transaction=False)
        first.zrevrange(key, 0, limit - 1, withscores=True)
        first.zscore(key, user_id if user_id is not None else "-")
        first.zcard(key)
        best, points, count = first.execute()
        second = self.redis.pipeline(transaction=False)
        if len(best) == limit:
            second.zrevrangebyscore(key, "+inf", best[-1][1], withscores=True)
        if points:
            second.zcount(key, f"({points}", "+inf")
        answers = second.execute() if len(second) else []
        if len(best) == limit:
            best = answers.pop(0)
        me = Score(user_id, int(points), answers[0] + 1) if points else None
        return Summed(ranked([(int(m), int(p)) for m, p in best]), me, count)

    def team_totals(self, period: Period) -> dict[int, int]:
        members = self.redis.zrange(teams_key(period.key), 0, -1, withscores=True)
        return {int(member): int(points) for member, points in members if points}


def users_at(location: str) -> Select:
    """Ids of users whose location is `location` in any spelling (case, spaces)."""
    wanted = location_key(location)
    spellings = [
        value
        for value in db.session.scalars(select(User.location).distinct())
        if location_key(value) == wanted
    ]
    return select(User.id).where(User.location.in_(spellings))
