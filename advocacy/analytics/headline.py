"""The dashboard's headline figures: human clicks, shares, active sharers, conversions and earned
media value over the range, each with its change from the period of the same length before.

No "unique visitors" tile: a human click already counts a visitor once per link per 24 hours,
and visitor keys are salted anew each day (nobody is followed across days), so a range's sum of
daily unique visitors would repeat the click count under another name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from advocacy.analytics.dashboard import Audience, sharers_between, within_audience
from advocacy.extensions import db
from advocacy.leaderboard.reach.audience import reach_settings
from advocacy.leaderboard.reach.models import ReachDaily


@dataclass(frozen=True)
class Figures:
    people_reached: int
    human_clicks: int
    conversions: int
    shares: int
    active_sharers: int
    earned_media: float


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    delta: int | None  # % change from the previous period; None when it had nothing


def figures(audience: Audience, start: date, end: date) -> Figures:
    """The range's totals for the audience (organisation-local days, both ends included)."""
    query = select(
        func.coalesce(func.sum(ReachDaily.unique_visitors), 0),
        func.coalesce(func.sum(ReachDaily.human_clicks), 0),
        func.coalesce(func.sum(ReachDaily.conversions), 0),
    ).where(ReachDaily.local_day >= start, ReachDaily.local_day <= end)
    visitors, clicks, conversions = db.session.execute(
        within_audience(query, ReachDaily.user_id, audience)
    ).one()
    sharers = sharers_between(audience, start, end)
    settings = reach_settings()
    earned = clicks * (settings.click_value or 0) + conversions * (settings.conversion_value or 0)
    return Figures(
        int(visitors),
        int(clicks),
        int(conversions),
        len(sharers),
        len({user_id for user_id, _ in sharers}),
        round(float(earned), 2),
    )


def change(now: float, before: float) -> int | None:
    """The change in whole per cent (None when there was nothing before to compare with)."""
    if not before:
        return None
    return round(100 * (now - before) / before)


def headline(audience: Audience, start: date, end: date) -> list[Tile]:
    """The five tiles, compared with the same number of days just before `start`."""
    days = (end - start).days + 1
    now = figures(audience, start, end)
    before = figures(audience, start - timedelta(days=days), start - timedelta(days=1))
    currency = reach_settings().currency
    return [
        Tile(
            "Human clicks", f"{now.human_clicks:,}", change(now.human_clicks, before.human_clicks)
        ),
        Tile("Shares", f"{now.shares:,}", change(now.shares, before.shares)),
        Tile(
            "Active sharers",
            f"{now.active_sharers:,}",
            change(now.active_sharers, before.active_sharers),
        ),
        Tile("Conversions", f"{now.conversions:,}", change(now.conversions, before.conversions)),
        Tile(
            "Earned media value",
            f"{now.earned_media:,.0f} {currency}",
            change(now.earned_media, before.earned_media),
        ),
    ]
