"""Referrals: an `application` conversion opens one; the applicant-tracking system then reports
stage changes by the same external id.

Rules the code cannot show by itself:
- Idempotent: reporting the stage a referral already has changes nothing (answer: unchanged).
- Order-tolerant: stages only move forward (applied < interviewed < offered < hired). A report
  that arrives late and would move a referral backwards is ignored, so "offered" delivered after
  "hired" leaves it hired. A stage may be skipped (applied -> hired).
- Final: hired and rejected end the pipeline; any later report is ignored unless it says
  `correct: true`, which sets the stage as given (backwards too), for an ATS fixing its mistake.
  A correction away from "hired" takes the hire's points back (an audited ledger entry dated
  today); a corrected re-hire earns them again, so a referral holds its hire points at most once.
- A stage report for an external id we do not know yet (the application report is late) opens
  the referral when it carries the tracked code `ref`; without it the answer is 404 and the ATS
  retries later.
- Each change sends `referral.stage_changed` (webhooks), inside the writing transaction; a hire
  awards the "hire" points rule once per referral.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import select

from advocacy.accounts.organisation import local_day
from advocacy.errors import NotFound, ValidationFailed
from advocacy.extensions import db
from advocacy.leaderboard.points import ledger
from advocacy.leaderboard.reach import conversions
from advocacy.recruiting.models import Referral, Stage
from advocacy.recruiting.signals import referral_stage_changed

APPLICATION = "application"
REPORTABLE_STAGES = tuple(s.value for s in Stage if s is not Stage.APPLIED)


@dataclass(frozen=True)
class StageUpdate:
    """What a stage report did: `changed` False with `note` saying why when nothing moved."""

    referral: Referral
    changed: bool
    previous: str
    note: str = ""


def open_referral(conversion) -> Referral | None:
    """Open the referral of a newly recorded `application` conversion, in its transaction."""
    if getattr(conversion, "type", None) != APPLICATION:
        return None
    referral = _find(conversion.external_id)
    if referral is not None:  # opened by a stage report that came first
        referral.conversion_id = conversion.id
        return referral
    referral = Referral(
        external_id=conversion.external_id,
        conversion_id=conversion.id,
        user_id=conversion.user_id,
        content_id=conversion.content_id,
        network=conversion.network,
        team_ids=list(conversion.team_ids or ()),
        stage=Stage.APPLIED.value,
        applied_at=conversion.occurred_at,
        applied_on=conversion.local_day,
        stage_changed_at=conversion.occurred_at,
    )
    db.session.add(referral)
    db.session.flush()
    _announce(referral, None)
    return referral


def update_stage(
    external_id: str,
    stage: str,
    occurred_at: datetime | None = None,
    ref: str | None = None,
    correct: bool = False,
) -> StageUpdate:
    """Apply a stage report (rules in the module docstring); commits."""
    if stage not in REPORTABLE_STAGES:
        raise ValidationFailed.field("stage", f"Use one of: {', '.join(REPORTABLE_STAGES)}.")
    referral = _find(external_id, lock=True)
    if referral is None:
        if not ref:
            raise NotFound(
                "No referral has this external id yet: report the application first "
                "(conversions, type=application) or send its tracked code as `ref`."
            )
        conversion, _ = conversions.record_conversion(ref, APPLICATION, external_id, occurred_at)
        # An application recorded before referrals existed has none yet: open it now.
        referral = _find(external_id, lock=True) or open_referral(conversion)
    current, new = Stage(referral.stage), Stage(stage)
    if new is current:
        return StageUpdate(referral, False, current.value, "The referral already has this stage.")
    if not correct and current.terminal:
        return StageUpdate(
            referral, False, current.value, f"{current.value} is final; send correct=true."
        )
    if not correct and new.rank < current.rank:
        return StageUpdate(
            referral, False, current.value, "A later stage was already reported: ignored."
        )
    moment = occurred_at or datetime.now(UTC)
    referral.stage, referral.stage_changed_at = new.value, moment
    if new is Stage.HIRED:
        referral.hired_at, referral.hired_on = moment, local_day(moment)
        db.session.flush()
        ledger.award_hire(referral)
    elif current is Stage.HIRED:
        referral.hired_at = referral.hired_on = None
        ledger.take_back_hire(
            referral,
            f"Hire of referral {referral.external_id} corrected to {new.value} by the "
            "applicant-tracking system.",
        )
    db.session.flush()
    _announce(referral, current.value)
    db.session.commit()
    return StageUpdate(referral, True, current.value)


def _find(external_id: str, lock: bool = False) -> Referral | None:
    query = select(Referral).where(Referral.external_id == external_id)
    if lock:
        query = query.with_for_update()
    return db.session.scalar(query)


def referral_data(referral: Referral, previous: str | None = None) -> dict:
    """The webhook payload (and the API's view) of a referral."""
    return {
        "id": referral.id,
        "external_id": referral.external_id,
        "opening": {"id": referral.content_id, "title": referral.content.title},
        "employee": {"id": referral.user_id, "name": referral.user.display_name},
        "from_stage": previous,
        "to_stage": referral.stage,
        "changed_at": referral.stage_changed_at.isoformat().replace("+00:00", "Z"),
    }


def _announce(referral: Referral, previous: str | None) -> None:
    referral_stage_changed.send(
        current_app._get_current_object(), data=referral_data(referral, previous)
    )
