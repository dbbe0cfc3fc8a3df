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
from sqlalchemy import Select, case, func, or_, select

from advocacy.accounts.models import User
from advocacy.extensions import db
from advocacy.feeds.models import location_key
from advocacy.leaderboard.periods import Period, RangeKeys, range_keys, today
from advocacy.leaderboard.points_models import (
    PointMemberPeriod,
    PointTeamDay,
    PointTeamPeriod,
    PointUserNetworkPeriod,
    PointUserPeriod,
)
from advocacy.leaderboard.standings_store import people_key, teams_key


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


def standing_in_parts(
    backend: StandingsBackend, period: Period, limit: int, user_id: int | None
) -> Summed:
    """A board from the three separate reads (each cheap for a single key or a sorted set)."""
    return Summed(
        backend.top_people(period, limit),
        backend.person(period, user_id) if user_id is not None else None,
        backend.people_count(period),
    )


class SqlStandings:
    """Every board reads per-key totals kept on write (standings_store): a standard period is one
    key, read in index order (top N by walking the (key, points) index, a rank by one indexed
    count); a custom range sums the few keys that tile it (periods.range_keys), once per request.

    Which totals: everyone's, per network, or per team member; a location filter narrows any of
    them to the people there. Team and network together fall back to the team's daily rollups
    (a team's members only)."""

    name = "sql"

    def __init__(self, filters: BoardFilters = NO_FILTERS):
        self.filters = filters
        self._range_keys: dict[Period, RangeKeys] = {}
        self._summed_boards: dict[tuple, Summed] = {}

    # --- where the totals come from ------------------------------------------------------

    def _source(self):
        """(table, member column, conditions) for the filters, or None for the daily fallback."""
        filters = self.filters
        if filters.team_id is not None and filters.network:
            return None
        if filters.team_id is not None:
            table = PointMemberPeriod
            conditions = [PointMemberPeriod.team_id == filters.team_id]
        elif filters.network:
            table = PointUserNetworkPeriod
            conditions = [PointUserNetworkPeriod.network == filters.network]
        else:
            table, conditions = PointUserPeriod, []
        if filters.location:
            conditions.append(table.user_id.in_(users_at(filters.location)))
        return table, table.user_id, conditions

    def _single_key(self, period: Period):
        """The source and key when one key answers (a standard period), else None."""
        source = self._source()
        if source is None or period.key is None:
            return None
        table, member, conditions = source
        return table, member, [table.period_key == period.key, *conditions]

    def _keys(self, period: Period) -> RangeKeys:
        if period not in self._range_keys:
            self._range_keys[period] = (
                RangeKeys((period.key,))
                if period.key
                else range_keys(period.start, period.end, today())
            )
        return self._range_keys[period]

    def _summed(self, period: Period, limit: int, user_id: int | None) -> Summed:
        """Top `limit` (with ties), the user's score and the count over a custom range (or the
        fallback): the totals summed once, ranked by a window function, and only the rows
        shown sent back."""
        memo = (period, limit, user_id)
        if memo not in self._summed_boards:
            totals = self._summed_query(period).subquery()
            rank = func.rank().over(order_by=totals.c.points.desc())
            windowed = select(
                totals.c.member, totals.c.points, rank.label("rank"), func.count().over()
            ).subquery()
            wanted = windowed.c.rank <= limit
            if user_id is not None:
                wanted = or_(wanted, windowed.c.member == user_id)
            rows = db.session.execute(select(windowed).where(wanted)).all()
            scores = [Score(member, points, rank) for member, points, rank, _ in rows]
            self._summed_boards[memo] = Summed(
                [score for score in scores if score.rank <= limit],
                next((score for score in scores if score.id == user_id), None),
                rows[0][3] if rows else 0,
            )
        return self._summed_boards[memo]

    def _summed_query(self, period: Period) -> Select:
        source = self._source()
        if source is None:
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
        table, member, conditions = source
        keys = self._keys(period)
        total = signed_sum(table, keys)
        return (
            select(member.label("member"), total.label("points"))
            .where(table.period_key.in_(keys.all), *conditions)
            .group_by(member)
            .having(total != 0)
        )

    # --- the interface -------------------------------------------------------------------

    def standing(self, period: Period, limit: int, user_id: int | None) -> Summed:
        if self._single_key(period) is None:
            return self._summed(period, limit, user_id)
        return standing_in_parts(self, period, limit, user_id)

    def top_people(self, period: Period, limit: int) -> list[Score]:
        single = self._single_key(period)
        if single is None:
            return self._summed(period, limit, None).top
        table, member, where = single
        cutoff = db.session.scalar(
            select(table.points)
            .where(*where, table.points != 0)
            .order_by(table.points.desc())
            .offset(limit - 1)
            .limit(1)
        )
        query = select(member, table.points).where(*where, table.points != 0)
        if cutoff is not None:
            query = query.where(table.points >= cutoff)
        return ranked([tuple(row) for row in db.session.execute(query)])

    def person(self, period: Period, user_id: int) -> Score | None:
        single = self._single_key(period)
        if single is None:
            return self._summed(period, 1, user_id).me
        table, member, where = single
        points = db.session.scalar(select(table.points).where(*where, member == user_id))
        if not points:
            return None
        ahead = db.session.scalar(select(func.count()).where(*where, table.points > points))
        return Score(user_id, points, ahead + 1)

    def people_count(self, period: Period) -> int:
        single = self._single_key(period)
        if single is None:
            return self._summed(period, 1, None).count
        table, _, where = single
        return db.session.scalar(select(func.count()).where(*where, table.points != 0)) or 0

    def team_totals(self, period: Period) -> dict[int, int]:
        filters = self.filters
        if filters.network:  # no per-network team totals: the daily rollups
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


def signed_sum(table, keys: RangeKeys):
    """The sum of the totals under `keys.plus` minus those under `keys.minus`."""
    if not keys.minus:
        return func.sum(table.points)
    return func.sum(case((table.period_key.in_(keys.minus), -table.points), else_=table.points))


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
        return standing_in_parts(self, period, limit, user_id)

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
