"""What reach holds about a person, for the privacy export, and how an erasure treats it: clicks
and conversions stay as aggregates of the now anonymous account; the follower counts they
declared are deleted."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from advocacy.accounts.models import User
from advocacy.extensions import db
from advocacy.leaderboard.reach.models import Conversion, DeclaredAudience, ReachDaily


def export_person(user: User) -> dict:
    """Declared followers, reach per day and network, conversions credited to their links
    (visitors are never identifiable, so no click rows)."""
    followers = db.session.scalars(
        select(DeclaredAudience).where(DeclaredAudience.user_id == user.id)
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
        "declared_followers": {row.network: row.followers for row in followers},
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
    """Delete their declared followers; keep the aggregates."""
    db.session.execute(delete(DeclaredAudience).where(DeclaredAudience.user_id == user.id))
