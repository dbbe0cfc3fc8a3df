"""The analytics dashboard's figures: weekly trends, breakdowns with drill-down, top content,
the participation funnel and the active-advocate share per month.

Who sees what: admins and curators the whole organisation; team leaders only the people in the
teams they lead (their current members) and, by team, only those teams. Every figure, total
and drill-down is computed inside that audience, so nothing from another team shows. A member
of two teams counts in both teams' figures (clicks are credited to every team of the sharer).

Definitions:
- Human clicks and conversions come from the daily rollups (they outlive raw click pruning).
- Active advocate: an employee who shared at least once in the week or month.
- Funnel (current state of the audience's accounts): invited (has an account) -> signed in
  (at least once) -> shared (in the range) -> generated a click (a human click in the range).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from advocacy.accounts.models import Team, TeamMembership, User
from advocacy.accounts.organisation import local_day, organisation_zone
from advocacy.errors import Forbidden, ValidationFailed
from advocacy.extensions import db
from advocacy.feeds.models import NETWORK_LABELS, Content, Share
from advocacy.leaderboard.reach import metrics
from advocacy.leaderboard.reach.models import ReachDaily, TeamReachDaily

DEFAULT_WEEKS = 12
TOP_CONTENT = 10
DIMENSIONS = ("team", "network", "content", "campaign", "location")
# What a drill-down into one row of a breakdown shows next.
DRILL_NEXT = {
    "team": "content",
    "network": "content",
    "content": "network",
    "campaign": "content",
    "location": "content",
}
METRICS = ("human_clicks", "unique_visitors", "conversions")


@dataclass(frozen=True)
class Audience:
    """Whose figures a viewer may see."""

    everything: bool
    user_ids: frozenset[int] = field(default_factory=frozenset)
    team_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass
class Row:
    key: str
    label: str
    human_clicks: int = 0
    unique_visitors: int = 0
    conversions: int = 0


@dataclass(frozen=True)
class Week:
    start: date
    human_clicks: int
    conversions: int
    shares: int
    active_advocates: int


@dataclass(frozen=True)
class Month:
    month: str  # YYYY-MM
    active_advocates: int
    employees: int

    @property
    def share(self) -> float:
        return round(100 * self.active_advocates / self.employees, 1) if self.employees else 0.0


@dataclass(frozen=True)
class FunnelStep:
    step: str
    people: int


def audience_of(viewer: User) -> Audience:
    """Admins and curators: everything; team leaders: their teams; others: Forbidden."""
    if viewer.is_admin or viewer.is_curator:
        return Audience(True)
    led = frozenset(viewer.led_team_ids)
    if not led:
        raise Forbidden("The dashboard is for admins, curators and team leaders.")
    members = db.session.scalars(
        select(TeamMembership.user_id).where(TeamMembership.team_id.in_(led))
    )
    return Audience(False, frozenset(members), led)


def default_range(start: date | None, end: date | None) -> tuple[date, date]:
    """The range asked for, by default the last DEFAULT_WEEKS whole weeks up to today."""
    if start is None:
        end = end or datetime.now(organisation_zone()).date()
        start = end - timedelta(days=7 * DEFAULT_WEEKS - 1)
    return metrics.date_range(start, end)


def within_audience(query, column, audience: Audience):
    return query if audience.everything else query.where(column.in_(audience.user_ids))


def _utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = organisation_zone()
    first = datetime.combine(start, time.min, zone).astimezone(UTC)
    return first, datetime.combine(end + timedelta(days=1), time.min, zone).astimezone(UTC)


def sharers_between(audience: Audience, start: date, end: date) -> list[tuple[int, date]]:
    first, after = _utc_bounds(start, end)
    query = select(Share.user_id, Share.created_at).where(
        Share.created_at >= first, Share.created_at < after
    )
    zone = organisation_zone()
    return [
        (user_id, local_day(at, zone))
        for user_id, at in db.session.execute(within_audience(query, Share.user_id, audience))
    ]


def weekly_trends(audience: Audience, start: date, end: date) -> list[Week]:
    """Human clicks, conversions, shares and active advocates per week (Monday first)."""
    monday = start - timedelta(days=start.weekday())
    weeks = [monday + timedelta(weeks=n) for n in range((end - monday).days // 7 + 1)]
    clicks: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    query = (
        select(
            ReachDaily.local_day,
            func.sum(ReachDaily.human_clicks),
            func.sum(ReachDaily.conversions),
        )
        .where(ReachDaily.local_day >= start, ReachDaily.local_day <= end)
        .group_by(ReachDaily.local_day)
    )
    for day, human, converted in db.session.execute(
        within_audience(query, ReachDaily.user_id, audience)
    ):
        bucket = clicks[day - timedelta(days=day.weekday())]
        bucket[0] += int(human or 0)
        bucket[1] += int(converted or 0)
    shares: dict[date, int] = defaultdict(int)
    sharers: dict[date, set[int]] = defaultdict(set)
    for user_id, day in sharers_between(audience, start, end):
        week = day - timedelta(days=day.weekday())
        shares[week] += 1
        sharers[week].add(user_id)
    return [
        Week(week, clicks[week][0], clicks[week][1], shares[week], len(sharers[week]))
        for week in weeks
    ]


def employees_in(audience: Audience) -> int:
    """Active accounts in the audience."""
    query = select(func.count(User.id)).where(User.active.is_(True))
    return db.session.scalar(within_audience(query, User.id, audience)) or 0


def monthly_active_share(audience: Audience, start: date, end: date) -> list[Month]:
    """Per calendar month in the range: employees who shared / active employees (now)."""
    employees = employees_in(audience)
    by_month: dict[str, set[int]] = defaultdict(set)
    for user_id, day in sharers_between(audience, start, end):
        by_month[f"{day:%Y-%m}"].add(user_id)
    months, cursor = [], start.replace(day=1)
    while cursor <= end:
        key = f"{cursor:%Y-%m}"
        months.append(Month(key, len(by_month[key]), employees))
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months


def participation_funnel(audience: Audience, start: date, end: date) -> list[FunnelStep]:
    """Invited -> signed in -> shared -> generated a click. Each step counts the people of the
    step before who also reached it, so the funnel can only narrow: "signed in" is an account
    that has signed in or shared (a share needs a session: imported history may lack the
    sign-in date), "shared" a share in the range, "generated a click" a human click on their
    links in the range."""
    accounts = set(
        db.session.scalars(
            within_audience(select(User.id).where(User.active.is_(True)), User.id, audience)
        )
    )
    ever_shared = set(db.session.scalars(select(Share.user_id).distinct()))
    logged_in = set(
        db.session.scalars(
            within_audience(
                select(User.id).where(User.last_login_at.is_not(None)), User.id, audience
            )
        )
    )
    signed_in = accounts & (logged_in | ever_shared)
    shared = signed_in & {user_id for user_id, _ in sharers_between(audience, start, end)}
    clickers = set(
        db.session.scalars(
            within_audience(
                select(ReachDaily.user_id)
                .where(
                    ReachDaily.local_day >= start,
                    ReachDaily.local_day <= end,
                    ReachDaily.human_clicks > 0,
                )
                .distinct(),
                ReachDaily.user_id,
                audience,
            )
        )
    )
    return [
        FunnelStep("invited", len(accounts)),
        FunnelStep("signed in", len(signed_in)),
        FunnelStep("shared", len(shared)),
        FunnelStep("generated a click", len(shared & clickers)),
    ]


def breakdown(
    audience: Audience,
    dimension: str,
    start: date,
    end: date,
    within: tuple[str, str] | None = None,
) -> list[Row]:
    """Metrics per team, network, content, campaign or location, most clicked first;
    `within` = (dimension, key) narrows to one row of another breakdown (a drill-down)."""
    if dimension not in DIMENSIONS:
        raise ValidationFailed.field("by", f"Use one of: {', '.join(DIMENSIONS)}.")
    if dimension == "team" and within is None:
        return _team_rows(audience, start, end)
    column = {
        "team": TeamMembership.team_id,
        "network": ReachDaily.network,
        "content": ReachDaily.content_id,
        "campaign": ReachDaily.campaign,
        "location": User.location,
    }[dimension]
    query = (
        select(column, *[func.sum(getattr(ReachDaily, m)) for m in METRICS])
        .join(User, User.id == ReachDaily.user_id)
        .where(ReachDaily.local_day >= start, ReachDaily.local_day <= end)
        .group_by(column)
    )
    query = within_audience(query, ReachDaily.user_id, audience)
    if dimension == "team":
        query = query.join(TeamMembership, TeamMembership.user_id == ReachDaily.user_id)
    if within is not None:
        query = _narrow(query, audience, *within)
    rows = [
        Row(str(key if key is not None else ""), "", *[int(v or 0) for v in values])
        for key, *values in db.session.execute(query)
    ]
    _label(rows, dimension)
    return sorted(rows, key=lambda r: (-r.human_clicks, -r.conversions, r.label.lower()))


def _narrow(query, audience: Audience, dimension: str, key: str):
    if dimension not in DIMENSIONS:
        raise ValidationFailed.field("within", f"Use one of: {', '.join(DIMENSIONS)}.")
    if dimension == "team":
        team_id = int(key) if key.isdigit() else -1
        if not audience.everything and team_id not in audience.team_ids:
            raise Forbidden("You see the figures of the teams you lead only.")
        members = select(TeamMembership.user_id).where(TeamMembership.team_id == team_id)
        return query.where(ReachDaily.user_id.in_(members))
    if dimension == "location":
        return query.where(User.location == key)
    if dimension == "content":
        return query.where(ReachDaily.content_id == (int(key) if key.isdigit() else -1))
    return query.where(getattr(ReachDaily, dimension) == key)


def _team_rows(audience: Audience, start: date, end: date) -> list[Row]:
    query = (
        select(TeamReachDaily.team_id, *[func.sum(getattr(TeamReachDaily, m)) for m in METRICS])
        .where(TeamReachDaily.local_day >= start, TeamReachDaily.local_day <= end)
        .group_by(TeamReachDaily.team_id)
    )
    if not audience.everything:
        query = query.where(TeamReachDaily.team_id.in_(audience.team_ids))
    rows = [
        Row(str(key), "", *[int(v or 0) for v in values])
        for key, *values in db.session.execute(query)
    ]
    _label(rows, "team")
    return sorted(rows, key=lambda r: (-r.human_clicks, -r.conversions, r.label.lower()))


def _label(rows: list[Row], dimension: str) -> None:
    names: dict[str, str] = {}
    ids = [int(r.key) for r in rows if r.key.isdigit()]
    if dimension == "team" and ids:
        names = {
            str(i): n
            for i, n in db.session.execute(select(Team.id, Team.name).where(Team.id.in_(ids)))
        }
    elif dimension == "content" and ids:
        names = {
            str(i): t
            for i, t in db.session.execute(
                select(Content.id, Content.title).where(Content.id.in_(ids))
            )
        }
    elif dimension == "network":
        names = {key: label for key, label in NETWORK_LABELS.items()}
    for row in rows:
        row.label = names.get(row.key) or row.key or "(none)"
