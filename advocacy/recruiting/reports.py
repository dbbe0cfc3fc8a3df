"""HR reports: clicks -> applications -> hires per job opening and per employee over a range
of the organisation's days (the per-employee table, ordered by hires, is the referral
leaderboard of the period), and the reach of culture stories.

Who sees what follows reach (leaderboard/reach.py): admins and curators everything, team
leaders the people in their teams, everyone else their own referrals. Clicks are human clicks
on job-opening links; applications count by the day applied, hires by the day hired.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from advocacy.accounts.models import User
from advocacy.extensions import db
from advocacy.feeds.models import Content, ContentKind
from advocacy.leaderboard.reach import metrics
from advocacy.leaderboard.reach.models import ReachDaily
from advocacy.recruiting.models import Referral, Stage


@dataclass
class FunnelRow:
    """Clicks -> applications -> hires of one opening or one employee (key None: totals)."""

    key: int | None
    label: str
    clicks: int = 0
    applications: int = 0
    hires: int = 0

    @property
    def hire_rate(self) -> float | None:
        return round(100 * self.hires / self.applications, 1) if self.applications else None


@dataclass(frozen=True)
class Funnel:
    start: date
    end: date
    rows: list[FunnelRow]
    totals: FunnelRow


def funnel(viewer: User, by: str, start: date | None = None, end: date | None = None) -> Funnel:
    """The viewer's visible referral funnel grouped `by` "opening" or "employee"."""
    start, end = metrics.date_range(start, end)
    scope = metrics.scope_of(viewer)
    clicks_key = ReachDaily.content_id if by == "opening" else ReachDaily.user_id
    referral_key = Referral.content_id if by == "opening" else Referral.user_id
    rows: dict[int, FunnelRow] = {}

    def row(key: int) -> FunnelRow:
        return rows.setdefault(key, FunnelRow(key, ""))

    clicks = (
        select(clicks_key, func.sum(ReachDaily.human_clicks))
        .join(Content, Content.id == ReachDaily.content_id)
        .where(Content.kind == ContentKind.JOB_OPENING.value)
        .where(ReachDaily.local_day >= start, ReachDaily.local_day <= end)
        .group_by(clicks_key)
    )
    applications = (
        select(referral_key, func.count())
        .where(Referral.applied_on >= start, Referral.applied_on <= end)
        .group_by(referral_key)
    )
    hires = (
        select(referral_key, func.count())
        .where(Referral.stage == Stage.HIRED.value)
        .where(Referral.hired_on >= start, Referral.hired_on <= end)
        .group_by(referral_key)
    )
    if not scope.everything:
        clicks = clicks.where(ReachDaily.user_id.in_(scope.user_ids))
        applications = applications.where(Referral.user_id.in_(scope.user_ids))
        hires = hires.where(Referral.user_id.in_(scope.user_ids))
    for key, count in db.session.execute(clicks):
        row(key).clicks = int(count or 0)
    for key, count in db.session.execute(applications):
        row(key).applications = count
    for key, count in db.session.execute(hires):
        row(key).hires = count
    _label(rows, by)
    totals = FunnelRow(None, "Total")
    for each in rows.values():
        totals.clicks += each.clicks
        totals.applications += each.applications
        totals.hires += each.hires
    ordered = sorted(
        rows.values(), key=lambda r: (-r.hires, -r.applications, -r.clicks, r.label.lower())
    )
    return Funnel(start, end, ordered, totals)


def _label(rows: dict[int, FunnelRow], by: str) -> None:
    if not rows:
        return
    if by == "opening":
        names = db.session.execute(select(Content.id, Content.title).where(Content.id.in_(rows)))
    else:
        names = db.session.execute(select(User.id, User.display_name).where(User.id.in_(rows)))
    for key, name in names:
        rows[key].label = name


def culture_story_reach(viewer: User, start: date | None = None, end: date | None = None):
    """The reach report by content, keeping culture stories only (totals recomputed)."""
    report = metrics.reach_report(viewer, "content", start, end)
    stories = set(
        db.session.scalars(
            select(Content.id).where(Content.kind == ContentKind.CULTURE_STORY.value)
        )
    )
    rows = [row for row in report.rows if int(row.key) in stories]
    totals = metrics.ReachRow(None, "Total")
    for row in rows:
        totals.add(vars(row))
        totals.potential_reach += row.potential_reach
        totals.earned_media = round(totals.earned_media + row.earned_media, 2)
    return metrics.Report(report.group_by, report.start, report.end, rows, totals, report.currency)


def referrals_query(viewer: User):
    """The referrals the viewer may list, newest first (for the API)."""
    scope = metrics.scope_of(viewer)
    query = select(Referral).order_by(Referral.applied_at.desc(), Referral.id.desc())
    if not scope.everything:
        query = query.where(Referral.user_id.in_(scope.user_ids))
    return query
