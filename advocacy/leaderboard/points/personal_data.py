"""What the points ledger holds about a person, for the privacy export, and how an erasure treats
it: their points stay as aggregates of the now anonymous account, and they leave the
leaderboards (hidden)."""

from __future__ import annotations

from sqlalchemy import select

from advocacy.accounts.models import User
from advocacy.extensions import db
from advocacy.leaderboard.points.models import LeaderboardPreference, PointEntry, Visibility


def export_person(user: User) -> dict:
    """Their leaderboard visibility and every line of the points ledger."""
    preference = db.session.get(LeaderboardPreference, user.id)
    entries = db.session.scalars(
        select(PointEntry).where(PointEntry.user_id == user.id).order_by(PointEntry.id)
    )
    return {
        "leaderboard_visibility": preference.visibility if preference else Visibility.DEFAULT.value,
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
    }


def anonymise_person(user: User) -> None:
    """Hide them on leaderboards; their ledger lines stay with the anonymous account."""
    preference = db.session.get(LeaderboardPreference, user.id)
    if preference is None:
        preference = LeaderboardPreference(user_id=user.id)
        db.session.add(preference)
    preference.visibility = Visibility.HIDDEN.value
