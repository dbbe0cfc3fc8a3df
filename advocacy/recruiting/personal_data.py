"""What recruiting holds about an employee, for the privacy export: the candidates they referred
(the ATS's id, the opening, the stage; nothing about the candidate). An erasure keeps the rows as
aggregates of the now anonymous account, like conversions."""

from __future__ import annotations

from sqlalchemy import select

from advocacy.accounts.models import User
from advocacy.extensions import db
from advocacy.recruiting.models import Referral


def export_person(user: User) -> dict:
    """The referrals credited to `user`, oldest first."""
    rows = db.session.scalars(
        select(Referral).where(Referral.user_id == user.id).order_by(Referral.id)
    )
    return {
        "referrals": [
            {
                "external_id": r.external_id,
                "opening": r.content.title,
                "stage": r.stage,
                "applied_at": r.applied_at.isoformat(),
                "hired_at": r.hired_at.isoformat() if r.hired_at else None,
            }
            for r in rows
        ]
    }
