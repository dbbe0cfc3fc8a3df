"""What reach and the leaderboard hold about a person, for the privacy export, and how an erasure
treats it: points, clicks and conversions stay as aggregates of the now anonymous account; the
follower counts they declared are deleted and they leave the leaderboards (hidden)."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from advocacy.accounts.models import User
from advocacy.extensions import db
from advocacy.leaderboard.points.models import LeaderboardPreference, PointEntry, Visibility
from advocacy.leaderboard.reach.models import Conversion, DeclaredAudience, ReachDaily


def export_person(user: User) -> dict:
    """Leaderboard visibility, declared followers, the points ledger, reach per day and network,
    conversions credited to their links (visitors are never identifiable, so no click rows)."""
    preference = db.session.get(LeaderboardPreference, user.id)
    followers = db.session.scalars(
        select(DeclaredAudience).where(DeclaredAudience.user_id == user.id)
    )
    entries = db.session.scalars(
        select(PointEntry).where(PointEntry.user_id == user.id).order_by(PointEntry.id)
    )
    reach = db.session.execute(
        select(
            ReachDaily.local_day,
            ReachDaily.network,
            func.sum(ReachDaily.human_clicks),
            func.sum(ReachDaily.bot_hits),
            func.sum(ReachDaily.conversions),
        )
        .where(ReachDaily.user_id == user.id)
        .group_by(ReachDaily.local_day, ReachDaily.network)
        .order_by(ReachDaily.local_day, ReachDaily.network)
    )
    conversions = db.session.scalars(
        select(Conversion).where(Conversion.user_id == user.id).order_by(Conversion.id)
    )
    return {
        "leaderboard_visibility": preference.visibility if preference else Visibility.DEFAULT.value,
        "declared_followers": {row.network: row.followers for row in followers},
        "points": [
            {
                "occurred_at": entry.occurred_at.isoformat(),
                "action": entry.action,
                "points": entry.points,
                "withheld": entry.withheld,
                "network": entry.network,
                "content_id": entry.content_id,
                "reason": entry.reason,
            }
            for entry in entries
        ],
        "reach_per_day": [
            {
                "day": day.isoformat(),
                "network": network,
                "human_clicks": int(clicks or 0),
                "bot_hits": int(bots or 0),
                "conversions": int(converted or 0),
            }
            for day, network, clicks, bots, converted in reach
        ],
        "conversions": [
            {
                "type": conversion.type,
                "content_id": conversion.content_id,
                "network": conversion.network,
                "occurred_at": conversion.occurred_at.isoformat(),
            }
            for conversion in conversions
        ],
    }


def anonymise_person(user: User) -> None:
    """Delete their declared followers and hide them on leaderboards; keep the aggregates."""
    db.session.execute(delete(DeclaredAudience).where(DeclaredAudience.user_id == user.id))
    preference = db.session.get(LeaderboardPreference, user.id)
    if preference is None:
        preference = LeaderboardPreference(user_id=user.id)
        db.session.add(preference)
    preference.visibility = Visibility.HIDDEN.value
