"""Leaderboards as people see them: which backend answers, names under the privacy rules, the
reader's own rank, and team boards (total and average per active member)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from redis.exceptions import RedisError
from sqlalchemy import func, select

from advocacy.accounts.models import Team, TeamMembership, User
from advocacy.errors import ValidationFailed
from advocacy.extensions import db
from advocacy.feeds.models import Network, location_key
from advocacy.jobs import enqueue, redis_connection
from advocacy.leaderboard.points.periods import Period, PeriodKind, resolve_period
from advocacy.leaderboard.points.standings import (
    BoardFilters,
    RedisStandings,
    Score,
    SqlStandings,
    StandingsBackend,
)
from advocacy.leaderboard.points.totals import BUILT_KEY, REBUILD_LOCK
from advocacy.leaderboard.points.visibility import shown_names
from advocacy.models_base import parse_id

log = logging.getLogger("advocacy.leaderboard")

SCOPES = ("people", "teams")
RANK_BY = ("average", "total")
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
LOCATION_MAX = 120

MIN_ANONYMOUS_GROUP = 5  # fewer people ranked: anonymous rows are left out, not shown


@dataclass(frozen=True)
class BoardQuery:
    period: Period
    scope: str = "people"
    filters: BoardFilters = field(default_factory=BoardFilters)
    rank_by: str = "average"
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True)
class PersonRow:
    rank: int
    points: int
    name: str
    anonymous: bool
    user_id: int | None  # None when anonymous: the API must not unmask anyone
    is_me: bool


@dataclass(frozen=True)
class TeamRow:
    rank: int
    team_id: int
    name: str
    points: int
    active_members: int
    average: float
    is_mine: bool


@dataclass
class Board:
    query: BoardQuery
    backend: str
    people: list[PersonRow] = field(default_factory=list)
    teams: list[TeamRow] = field(default_factory=list)
    me: PersonRow | None = None
    me_listed: bool = False
    ranked_count: int = 0
    withheld: int = 0  # anonymous colleagues left out: the group is too small to hide them


def board_query(
    period: str = "week",
    start: str | date | None = None,
    end: str | date | None = None,
    scope: str = "people",
    team: int | str | None = None,
    location: str = "",
    network: str = "",
    rank_by: str = "average",
    limit: int = DEFAULT_LIMIT,
) -> BoardQuery:
    """Check a leaderboard request; ValidationFailed names each bad field."""
    errors: dict[str, list[str]] = {}
    first, last = _day(errors, "from", start), _day(errors, "to", end)
    resolved = None
    try:
        resolved = resolve_period(period or "week", first, last)
    except ValidationFailed as error:
        for name, messages in error.errors.items():
            errors.setdefault(name, messages)
    if scope not in SCOPES:
        errors["scope"] = ["Choose people or teams."]
    if rank_by not in RANK_BY:
        errors["rank_by"] = ["Rank teams by average or total."]
    team_id = None
    if team not in (None, ""):
        team_id = parse_id(team)
        if team_id is None or db.session.get(Team, team_id) is None:
            errors["team"] = ["No such team."]
    if network and network not in {n.value for n in Network}:
        errors["network"] = ["Choose a network among " + ", ".join(n.value for n in Network) + "."]
    if len(location or "") > LOCATION_MAX:
        errors["location"] = [f"Keep the location under {LOCATION_MAX} characters."]
    if not 1 <= int(limit) <= MAX_LIMIT:
        errors["limit"] = [f"Show from 1 to {MAX_LIMIT} rows."]
    if errors:
        raise ValidationFailed("The leaderboard request is not valid.", errors)
    filters = BoardFilters(team_id, (location or "").strip(), network or "")
    return BoardQuery(resolved, scope, filters, rank_by, int(limit))


def _day(errors: dict, name: str, value: str | date | None) -> date | None:
    if value in (None, "") or isinstance(value, date):
        return value or None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[name] = ["Give a date as YYYY-MM-DD."]
        return None


def standings_backend(period: Period, filters: BoardFilters) -> StandingsBackend:
    """Redis sorted sets when configured, built, and able to answer; SQL otherwise."""
    redis = redis_connection()
    if redis is not None and RedisStandings.supports(period, filters):
        try:
            if redis.exists(BUILT_KEY):
                return RedisStandings(redis)
            if redis.set(REBUILD_LOCK, "1", nx=True, ex=600):
                enqueue("advocacy.leaderboard.points.jobs.rebuild_standings", at_once=True)
        except RedisError:
            log.exception("Redis unavailable: the leaderboard reads SQL")
    return SqlStandings(filters)


def leaderboard(query: BoardQuery, reader: User | None) -> Board:
    """The board for `query` as `reader` sees it."""
    backend = standings_backend(query.period, query.filters)
    board = Board(query=query, backend=backend.name)
    if query.scope == "teams":
        board.teams = _team_rows(backend, query, reader)
        return board
    standing = backend.standing(query.period, query.limit, reader.id if reader else None)
    top, mine, board.ranked_count = standing.top, standing.me, standing.count
    ids = {score.id for score in top} | ({mine.id} if mine else set())
    users = list(db.session.scalars(select(User).where(User.id.in_(ids)))) if ids else []
    names = shown_names(users, reader)

    def row(score: Score) -> PersonRow:
        name = names[score.id]
        is_me = reader is not None and score.id == reader.id
        user_id = None if name.anonymous else score.id
        return PersonRow(score.rank, score.points, name.label, name.anonymous, user_id, is_me)

    ordered = sorted(top, key=lambda s: (s.rank, names[s.id].label.casefold(), s.id))
    board.people = [row(score) for score in ordered[: query.limit]]
    if board.ranked_count < MIN_ANONYMOUS_GROUP:
        # "An anonymous colleague" among two or three people (a filter matching one person,
        # say) is no disguise: their points would name them. They are left out instead.
        shown = [person for person in board.people if not person.anonymous or person.is_me]
        board.withheld = len(board.people) - len(shown)
        board.people = shown
    board.me = row(mine) if mine else None
    board.me_listed = any(person.is_me for person in board.people)
    return board


def _team_rows(backend: StandingsBackend, query: BoardQuery, reader: User | None) -> list[TeamRow]:
    teams = select(Team.id, Team.name)
    if query.filters.team_id is not None:
        teams = teams.where(Team.id == query.filters.team_id)
    members = dict(
        db.session.execute(
            select(TeamMembership.team_id, func.count())
            .join(User, User.id == TeamMembership.user_id)
            .where(User.active.is_(True))
            .group_by(TeamMembership.team_id)
        ).all()
    )
    totals = backend.team_totals(query.period)
    mine = reader.team_ids if reader is not None else set()
    rows = []
    for team_id, name in db.session.execute(teams):
        total, count = totals.get(team_id, 0), members.get(team_id, 0)
        average = round(total / count, 1) if count else 0.0
        rows.append((team_id, name, total, count, average))
    by_average = query.rank_by == "average"
    rows.sort(key=lambda r: (-(r[4] if by_average else r[2]), -r[2], r[1].casefold(), r[0]))
    result, rank, previous = [], 0, None
    for position, (team_id, name, total, count, average) in enumerate(rows, start=1):
        value = average if by_average else total
        if value != previous:  # equal values share a rank, as for people
            rank, previous = position, value
        result.append(TeamRow(rank, team_id, name, total, count, average, team_id in mine))
    return result


def board_choices() -> dict:
    """What the filters offer: periods, teams, locations in use, networks."""
    spellings: dict[str, str] = {}
    for value in db.session.scalars(select(User.location).distinct().order_by(User.location)):
        if value and value.strip():
            spellings.setdefault(location_key(value), value.strip())
    locations = sorted(spellings.values(), key=str.casefold)
    return {
        "periods": list(PeriodKind),
        "teams": db.session.execute(select(Team.id, Team.name).order_by(Team.name)).all(),
        "locations": locations,
        "networks": list(Network),
    }


def named_people(board: Board | None) -> dict[int, User]:
    """The named people on a board, by id (their pictures), in one query; anonymous rows carry
    no id, so nothing of them is loaded."""
    if board is None:
        return {}
    ids = {row.user_id for row in [*board.people, board.me] if row and row.user_id}
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}
