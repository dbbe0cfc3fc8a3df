"""Reach metrics: counters per employee, team, network, content or day over a range of the
organisation's days, with potential reach and earned-media value; who may see what.

- Counters come from the daily rollups the ingest writes (raw hits, bot hits, human clicks,
  unique visitors, conversions). Unique visitors are daily figures added up over the range.
- Potential reach is what employees *declare*: each share (one per employee, content and
  network in the range) counts the sharer's declared followers on that network. It is always
  labelled "potential": nobody knows how many followers saw a post.
- Earned media = human clicks × the per-click value + conversions × the per-conversion value
  (admin settings), the price the same traffic would have cost as paid media.
- Who sees what: everyone their own reach; team leaders also their teams and those teams'
  members; curators and admins everything.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from advocacy.accounts.models import Team, TeamMembership, User
from advocacy.accounts.organisation import get_organisation, local_day
from advocacy.errors import Forbidden, ValidationFailed
from advocacy.extensions import db
from advocacy.feeds.models import NETWORK_LABELS, Content, Share
from advocacy.leaderboard.reach.audience import reach_settings
from advocacy.leaderboard.reach.models import (
    DeclaredAudience,
    ReachDaily,
    ReachSettings,
    TeamReachDaily,
)

DEFAULT_DAYS = 30
MAX_RANGE_DAYS = 731
COUNTERS = ("raw_hits", "bot_hits", "human_clicks", "unique_visitors", "conversions")


class GroupBy(enum.StrEnum):
    EMPLOYEE = "employee"
    TEAM = "team"
    NETWORK = "network"
    CONTENT = "content"
    DAY = "day"


@dataclass
class ReachRow:
    """The metrics of one group (or the totals, with key None)."""

    key: str | None
    label: str
    raw_hits: int = 0
    bot_hits: int = 0
    human_clicks: int = 0
    unique_visitors: int = 0
    conversions: int = 0
    potential_reach: int = 0
    earned_media: float = 0.0

    def add(self, counters: dict[str, int]) -> None:
        for name in COUNTERS:
            setattr(self, name, getattr(self, name) + int(counters.get(name) or 0))


@dataclass(frozen=True)
class Scope:
    """What a viewer may see: everything, or these people and teams."""

    everything: bool
    user_ids: frozenset[int] = field(default_factory=frozenset)
    team_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Report:
    group_by: str
    start: date
    end: date
    rows: list[ReachRow]
    totals: ReachRow
    currency: str


def scope_of(viewer: User) -> Scope:
    """What `viewer` may see (rules in the module docstring)."""
    if viewer.is_admin or viewer.is_curator:
        return Scope(everything=True)
    led = frozenset(viewer.led_team_ids)
    members = set()
    if led:
        members = set(
            db.session.scalars(
                select(TeamMembership.user_id).where(TeamMembership.team_id.in_(led))
            )
        )
    return Scope(False, frozenset(members | {viewer.id}), led)


def date_range(start: date | None, end: date | None) -> tuple[date, date]:
    """The range asked for, by default the last DEFAULT_DAYS days up to today (org-local)."""
    today = datetime.now(ZoneInfo(get_organisation().default_timezone)).date()
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise ValidationFailed.field("from", "The range must start on or before its end.")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise ValidationFailed.field("from", f"Ask for at most {MAX_RANGE_DAYS} days at once.")
    return start, end


def reach_report(
    viewer: User,
    group_by: str,
    start: date | None = None,
    end: date | None = None,
    only_user_id: int | None = None,
    only_content_id: int | None = None,
) -> Report:
    """The viewer's visible reach grouped by `group_by` over [start, end] (org-local days)."""
    group = GroupBy(group_by)
    start, end = date_range(start, end)
    scope = scope_of(viewer)
    if only_user_id is not None:
        if not scope.everything and only_user_id not in scope.user_ids:
            raise Forbidden("You may see your own reach and your teams' only.")
        scope = Scope(False, frozenset({only_user_id}), frozenset())
    if group is GroupBy.TEAM:
        if not scope.everything and not scope.team_ids:
            raise Forbidden("Team reach is for team leaders, curators and admins.")
        rows = _team_rows(scope, start, end)
    else:
        rows = _person_rows(group, scope, start, end, only_content_id)
    _add_potential_reach(rows, group, scope, start, end, only_content_id)
    settings = reach_settings()
    totals = ReachRow(None, "Total")
    for row in rows.values():
        row.earned_media = _earned(row, settings)
        totals.add(vars(row))
        totals.potential_reach += row.potential_reach
    totals.earned_media = _earned(totals, settings)
    ordered = sorted(rows.values(), key=_order(group))
    return Report(group.value, start, end, ordered, totals, settings.currency)


def _earned(row: ReachRow, settings: ReachSettings) -> float:
    value = row.human_clicks * (settings.click_value or 0)
    return round(value + row.conversions * (settings.conversion_value or 0), 2)


def _order(group: GroupBy):
    if group is GroupBy.DAY:
        return lambda row: row.key
    return lambda row: (-row.human_clicks, -row.conversions, row.label.lower())


def _sums(model):
    return [func.sum(getattr(model, name)).label(name) for name in COUNTERS]


def _person_rows(group, scope, start, end, content_id) -> dict[str, ReachRow]:
    column = {
        GroupBy.EMPLOYEE: ReachDaily.user_id,
        GroupBy.NETWORK: ReachDaily.network,
        GroupBy.CONTENT: ReachDaily.content_id,
        GroupBy.DAY: ReachDaily.local_day,
    }[group]
    query = (
        select(column, *_sums(ReachDaily))
        .where(ReachDaily.local_day >= start, ReachDaily.local_day <= end)
        .group_by(column)
    )
    if not scope.everything:
        query = query.where(ReachDaily.user_id.in_(scope.user_ids))
    if content_id is not None:
        query = query.where(ReachDaily.content_id == content_id)
    rows: dict[str, ReachRow] = {}
    for result in db.session.execute(query).mappings():
        key = str(result[column.key])
        rows[key] = ReachRow(key, key)
        rows[key].add(result)
    _label(rows, group)
    return rows


def _team_rows(scope, start, end) -> dict[str, ReachRow]:
    query = (
        select(TeamReachDaily.team_id, *_sums(TeamReachDaily))
        .where(TeamReachDaily.local_day >= start, TeamReachDaily.local_day <= end)
        .group_by(TeamReachDaily.team_id)
    )
    if not scope.everything:
        query = query.where(TeamReachDaily.team_id.in_(scope.team_ids))
    rows: dict[str, ReachRow] = {}
    for result in db.session.execute(query).mappings():
        key = str(result["team_id"])
        rows[key] = ReachRow(key, key)
        rows[key].add(result)
    _label(rows, GroupBy.TEAM)
    return rows


def _label(rows: dict[str, ReachRow], group: GroupBy) -> None:
    """Readable labels: names, titles, network names."""
    ids = (
        [int(key) for key in rows]
        if group in (GroupBy.EMPLOYEE, GroupBy.CONTENT, GroupBy.TEAM)
        else []
    )
    names: dict[int, str] = {}
    if group is GroupBy.EMPLOYEE and ids:
        names = dict(
            db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()
        )
    elif group is GroupBy.CONTENT and ids:
        names = dict(
            db.session.execute(select(Content.id, Content.title).where(Content.id.in_(ids))).all()
        )
    elif group is GroupBy.TEAM and ids:
        names = dict(db.session.execute(select(Team.id, Team.name).where(Team.id.in_(ids))).all())
    for key, row in rows.items():
        if group is GroupBy.NETWORK:
            row.label = NETWORK_LABELS.get(key, key)  # StrEnum keys match plain strings
        elif names:
            row.label = names.get(int(key), f"#{key}")


def _add_potential_reach(rows, group, scope, start, end, content_id) -> None:
    """Each share in the range adds the sharer's declared followers on its network."""
    zone = ZoneInfo(get_organisation().default_timezone)
    since = datetime.combine(start, time.min, zone).astimezone(UTC)
    until = datetime.combine(end + timedelta(days=1), time.min, zone).astimezone(UTC)
    query = (
        select(
            Share.user_id,
            Share.content_id,
            Share.network,
            func.min(Share.created_at).label("first"),
            DeclaredAudience.followers,
        )
        .join(
            DeclaredAudience,
            (DeclaredAudience.user_id == Share.user_id)
            & (DeclaredAudience.network == Share.network),
        )
        .where(Share.created_at >= since, Share.created_at < until, DeclaredAudience.followers > 0)
        .group_by(Share.user_id, Share.content_id, Share.network, DeclaredAudience.followers)
    )
    if not scope.everything and group is not GroupBy.TEAM:
        query = query.where(Share.user_id.in_(scope.user_ids))
    if content_id is not None:
        query = query.where(Share.content_id == content_id)
    shares = db.session.execute(query).all()
    if not shares:
        return
    teams: dict[int, list[int]] = defaultdict(list)
    if group is GroupBy.TEAM:
        for user_id, team_id in db.session.execute(
            select(TeamMembership.user_id, TeamMembership.team_id).where(
                TeamMembership.user_id.in_({share.user_id for share in shares})
            )
        ):
            teams[user_id].append(team_id)
    for share in shares:
        match group:
            case GroupBy.EMPLOYEE:
                keys = [str(share.user_id)]
            case GroupBy.CONTENT:
                keys = [str(share.content_id)]
            case GroupBy.NETWORK:
                keys = [share.network]
            case GroupBy.DAY:
                first = share.first if share.first.tzinfo else share.first.replace(tzinfo=UTC)
                keys = [str(first.astimezone(zone).date())]
            case GroupBy.TEAM:
                keys = [str(team) for team in teams.get(share.user_id, ())]
                if not scope.everything:
                    keys = [key for key in keys if int(key) in scope.team_ids]
        for key in keys:
            if key not in rows:
                rows[key] = ReachRow(key, key)
                _label({key: rows[key]}, group)
            rows[key].potential_reach += share.followers


def daily_series(report: Report) -> list[ReachRow]:
    """A day-grouped report's rows with every day of the range present (zeros where none)."""
    by_day = {row.key: row for row in report.rows}
    days = (report.end - report.start).days + 1
    series = []
    for offset in range(days):
        key = str(report.start + timedelta(days=offset))
        series.append(by_day.get(key) or ReachRow(key, key))
    return series


def content_panel_totals(reader: User, items: list[Content]) -> dict[int, ReachRow]:
    """Last DEFAULT_DAYS days' reach of each item, for curators' and admins' content pages (one
    query for all items)."""
    if not (reader.is_curator or reader.is_admin):
        return {}
    start, end = date_range(None, None)
    query = (
        select(ReachDaily.content_id, *_sums(ReachDaily))
        .where(
            ReachDaily.content_id.in_([item.id for item in items]),
            ReachDaily.local_day >= start,
            ReachDaily.local_day <= end,
        )
        .group_by(ReachDaily.content_id)
    )
    totals = {item.id: ReachRow(str(item.id), item.title) for item in items}
    for result in db.session.execute(query).mappings():
        totals[result["content_id"]].add(result)
    return totals


def earned_media_between(start: datetime, end: datetime) -> float:
    """The organisation's earned-media value over [start, end): human clicks and conversions on
    the organisation-local days it covers, at the admin's values (the ROI calculator's input)."""
    first, last = local_day(start), local_day(end - timedelta(microseconds=1))
    clicks, conversions = db.session.execute(
        select(
            func.coalesce(func.sum(ReachDaily.human_clicks), 0),
            func.coalesce(func.sum(ReachDaily.conversions), 0),
        ).where(ReachDaily.local_day.between(first, last))
    ).one()
    row = ReachRow(None, "Total", human_clicks=int(clicks), conversions=int(conversions))
    return _earned(row, reach_settings())
