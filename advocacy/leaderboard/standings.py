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
from sqlalchemy import Select, func, select

from advocacy.accounts.models import User
from advocacy.extensions import db
from advocacy.feeds.models import location_key
from advocacy.leaderboard.periods import Period
from advocacy.leaderboard.points_models import (
    PointTeamDay,
    PointTeamPeriod,
    PointUserDay,
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


class SqlStandings:
    """Standard periods without filters read the per-period totals (one index range); custom
    ranges and filters sum the daily rollups."""

    name = "sql"

    def __init__(self, filters: BoardFilters = NO_FILTERS):
        self.filters = filters

    def _people_totals(self, period: Period) -> Select:
        if period.key and self.filters.empty:
            return select(
                PointUserPeriod.user_id.label("member"), PointUserPeriod.points.label("points")
            ).where(PointUserPeriod.period_key == period.key, PointUserPeriod.points != 0)
        rollup = PointTeamDay if self.filters.team_id is not None else PointUserDay
        total = func.sum(rollup.points)
        query = self._restrict(
            select(rollup.user_id.label("member"), total.label("points")), rollup, period
        )
        return query.group_by(rollup.user_id).having(total != 0)

    def _restrict(self, query: Select, rollup, period: Period) -> Select:
        if period.start is not None:
            query = query.where(rollup.local_day.between(period.start, period.end))
        if self.filters.network:
            query = query.where(rollup.network == self.filters.network)
        if self.filters.team_id is not None and rollup is PointTeamDay:
            query = query.where(PointTeamDay.team_id == self.filters.team_id)
        if self.filters.location:
            query = query.where(rollup.user_id.in_(users_at(self.filters.location)))
        return query

    def top_people(self, period: Period, limit: int) -> list[Score]:
        totals = self._people_totals(period).subquery()
        cutoff = db.session.scalar(
            select(totals.c.points).order_by(totals.c.points.desc()).offset(limit - 1).limit(1)
        )
        query = select(totals.c.member, totals.c.points)
        if cutoff is not None:
            query = query.where(totals.c.points >= cutoff)
        return ranked([tuple(row) for row in db.session.execute(query)])

    def person(self, period: Period, user_id: int) -> Score | None:
        totals = self._people_totals(period).subquery()
        points = db.session.scalar(select(totals.c.points).where(totals.c.member == user_id))
        if not points:
            return None
        ahead = db.session.scalar(
            select(func.count()).select_from(totals).where(totals.c.points > points)
        )
        return Score(user_id, points, ahead + 1)

    def people_count(self, period: Period) -> int:
        totals = self._people_totals(period).subquery()
        return db.session.scalar(select(func.count()).select_from(totals)) or 0

    def team_totals(self, period: Period) -> dict[int, int]:
        if period.key and self.filters.empty:
            query = select(PointTeamPeriod.team_id, PointTeamPeriod.points).where(
                PointTeamPeriod.period_key == period.key
            )
        else:
            query = self._restrict(
                select(PointTeamDay.team_id, func.sum(PointTeamDay.points)),
                PointTeamDay,
                period,
            ).group_by(PointTeamDay.team_id)
        return {team: points for team, points in db.session.execute(query) if points}


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
