"""The points ledger: awards for shares, verified shares, human clicks, conversions and hires, the
daily cap, the Facebook rule, admin corrections, and an employee's points history.

Rules the code cannot show by itself:
- Every award has a source key, unique in the ledger, so a retried batch or a repeated signal
  awards nothing twice. Share intents score once per (employee, content, network) and verified
  shares once per tracked link: sharing the same item again is welcome but earns nothing more.
- An entry is scored with the rule version in force at the moment of the action.
- Daily cap: the automatic awards for activity (shares, verified shares, clicks) of one employee
  on one organisation-local day add up to at most the cap in force; an award that would pass it
  earns what is left (maybe 0) and is kept with `withheld = daily_cap`, so the history shows why.
  The cap is there against farming clicks; outcomes that the CRM or the applicant-tracking system
  reports, signed (conversions and hires), are rewarded in full and use none of it. Corrections
  are not capped either.
- Facebook: Meta's platform terms forbid rewarding people for sharing, so nothing that comes
  from a Facebook share earns points (shares, verifications, clicks, conversions). The entries
  are still recorded with `withheld = facebook`; reach metrics are unaffected.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Row, func, or_, select

from advocacy.accounts.models import TeamMembership, User
from advocacy.accounts.organisation import local_day, organisation_zone, today
from advocacy.errors import NotFound, ValidationFailed
from advocacy.extensions import db
from advocacy.feeds.models import Share
from advocacy.leaderboard.bulk import any_of, upsert_rows
from advocacy.leaderboard.points import totals as standings_store
from advocacy.leaderboard.points.models import (
    REASON_MAX,
    Action,
    PointDailyTotal,
    PointEntry,
    Withheld,
)
from advocacy.leaderboard.points.rules import RuleBook
from advocacy.models_base import utcnow

FACEBOOK = "facebook"
MAX_ADJUSTMENT = 100_000
MIN_REASON = 5


# Outcomes reported by other systems, signed: rewarded in full, outside the daily cap.
OUTCOMES = frozenset({Action.CONVERSION, Action.HIRE})


@dataclass(frozen=True)
class Award:
    """Something that may earn points, as the signals describe it."""

    source_key: str
    user_id: int
    action: Action
    occurred_at: datetime
    local_day: date
    network: str = ""
    content_id: int | None = None
    campaign: str = ""
    team_ids: tuple[int, ...] = ()


def current_team_ids(user_ids: set[int]) -> dict[int, tuple[int, ...]]:
    """Each user's teams now (credit is frozen into the entry when it is recorded)."""
    teams: dict[int, list[int]] = defaultdict(list)
    if user_ids:
        rows = db.session.execute(
            select(TeamMembership.user_id, TeamMembership.team_id).where(
                TeamMembership.user_id.in_(user_ids)
            )
        )
        for user_id, team_id in rows:
            teams[user_id].append(team_id)
    return {user_id: tuple(sorted(teams[user_id])) for user_id in user_ids}


def record_awards(awards: list[Award]) -> list[Row]:
    """Score and append the awards the ledger does not hold yet, in the caller's transaction
    (its commit or rollback takes the entries with it). Returns the new entries' source_key,
    user_id, local_day, network, points and team_ids.

    A batch costs a fixed handful of statements however many awards it holds: the stored keys,
    the daily counters (locked, created if missing), the ledger rows, the counters' new values,
    and one statement per rollup table with each key's points added up first."""
    pending = {}
    for award in awards:
        pending.setdefault(award.source_key, award)
    if pending:
        for key in db.session.scalars(
            select(PointEntry.source_key).where(any_of(PointEntry.source_key, pending))
        ):
            pending.pop(key, None)
    if not pending:
        return []
    new = sorted(pending.values(), key=lambda a: (a.occurred_at, a.source_key))
    rules = RuleBook()
    earned = _lock_daily_totals({(a.user_id, a.local_day) for a in new})
    before = dict(earned)
    rows = []
    for award in new:
        values = rules.at(award.occurred_at)
        rule_points = values.points_for(award.action)
        points, withheld = rule_points, Withheld.NONE
        if award.network == FACEBOOK:
            points, withheld = 0, Withheld.FACEBOOK
        elif rule_points > 0 and award.action not in OUTCOMES:
            room = max(0, values.daily_cap - earned[(award.user_id, award.local_day)])
            if rule_points > room:
                points, withheld = room, Withheld.DAILY_CAP
            earned[(award.user_id, award.local_day)] += points
        rows.append(
            {
                "source_key": award.source_key,
                "user_id": award.user_id,
                "action": award.action.value,
                "points": points,
                "rule_points": rule_points,
                "rules_id": values.version,
                "withheld": withheld.value,
                "occurred_at": award.occurred_at,
                "local_day": award.local_day,
                "network": award.network or "",
                "content_id": award.content_id,
                "campaign": award.campaign or "",
                "team_ids": list(award.team_ids),
                "reason": "",
                "created_by_id": None,
                "created_at": utcnow(),
            }
        )
    _save_daily_totals({pair: total for pair, total in earned.items() if total != before[pair]})
    return _append(rows)


_DAY_KEYS = ("user_id", "local_day")


def _lock_daily_totals(pairs: set[tuple[int, date]]) -> dict[tuple[int, date], int]:
    """Each (user, day)'s capped earnings so far. Adding 0 to the counters creates the missing
    ones and, on PostgreSQL, locks them until commit, so concurrent awards cannot both pass the
    cap; the statement returns their values."""
    rows = [{"user_id": user_id, "local_day": day, "earned": 0} for user_id, day in pairs]
    totals = upsert_rows(
        PointDailyTotal, rows, _DAY_KEYS, add=["earned"], returning=[*_DAY_KEYS, "earned"]
    )
    return {(user_id, day): total for user_id, day, total in totals}


def _save_daily_totals(earned: dict[tuple[int, date], int]) -> None:
    rows = [{"user_id": u, "local_day": d, "earned": total} for (u, d), total in earned.items()]
    upsert_rows(PointDailyTotal, rows, _DAY_KEYS, replace=["earned"])


_CREDITED = ("source_key", "user_id", "local_day", "network", "points", "team_ids")


def _append(rows: list[dict]) -> list[Row]:
    """Insert ledger rows; a key another transaction stored meanwhile is skipped, and only the
    rows really inserted reach the rollups."""
    inserted = upsert_rows(PointEntry, rows, ["source_key"], returning=_CREDITED)
    standings_store.add_to_rollups(inserted)
    return inserted


# --- corrections ----------------------------------------------------------------------------


def adjust_points(
    user: User,
    points: int,
    reason: str,
    acting: User,
    day: date | None = None,
    key: str | None = None,
) -> PointEntry:
    """An admin's correction (positive or negative) with its reason, credited to the user's
    current teams on `day` (today by default). `key` makes a retried request record it once."""
    errors: dict[str, list[str]] = {}
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON:
        errors["reason"] = [f"Say why, in at least {MIN_REASON} characters."]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [f"Keep the reason under {REASON_MAX} characters."]
    if isinstance(points, bool) or not isinstance(points, int) or points == 0:
        errors["points"] = ["Give a whole number of points other than 0."]
    elif abs(points) > MAX_ADJUSTMENT:
        errors["points"] = [f"Give at most {MAX_ADJUSTMENT:,} points either way."]
    zone = organisation_zone()
    if day is not None and day > today(zone):
        errors["day"] = ["A correction cannot be dated in the future."]
    if errors:
        raise ValidationFailed("The correction is not valid.", errors)
    now = utcnow()
    source_key = f"adj:{key or uuid.uuid4().hex}"
    existing = db.session.scalar(select(PointEntry).where(PointEntry.source_key == source_key))
    if existing is not None:
        return existing
    row = {
        "source_key": source_key,
        "user_id": user.id,
        "action": Action.ADJUSTMENT.value,
        "points": points,
        "rule_points": points,
        "rules_id": None,
        "withheld": "",
        "occurred_at": now,
        "local_day": day or local_day(now, zone),
        "network": "",
        "content_id": None,
        "campaign": "",
        "team_ids": list(current_team_ids({user.id})[user.id]),
        "reason": reason,
        "created_by_id": acting.id,
        "created_at": now,
    }
    _append([row])
    db.session.commit()
    return db.session.scalar(select(PointEntry).where(PointEntry.source_key == source_key))


def get_user_for_adjustment(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such employee.")
    return user


def recent_adjustments(limit: int = 20) -> list[PointEntry]:
    """The latest corrections with who made them, for the admin's audit."""
    return list(
        db.session.scalars(
            select(PointEntry)
            .where(PointEntry.action == Action.ADJUSTMENT.value)
            .order_by(PointEntry.created_at.desc(), PointEntry.id.desc())
            .limit(limit)
        )
    )


def points_history(user: User, limit: int = 30) -> list[PointEntry]:
    """An employee's latest ledger entries, newest first."""
    return list(
        db.session.scalars(
            select(PointEntry)
            .where(PointEntry.user_id == user.id)
            .order_by(PointEntry.occurred_at.desc(), PointEntry.id.desc())
            .limit(limit)
        )
    )


# --- what earns points: the signals ---------------------------------------------------------


def points_by_content(user: User, content_ids: list[int]) -> dict[int, int]:
    """What the user earned from each of these content items (shares, clicks, what followed)."""
    if not content_ids:
        return {}
    rows = db.session.execute(
        select(PointEntry.content_id, func.sum(PointEntry.points))
        .where(PointEntry.user_id == user.id, PointEntry.content_id.in_(content_ids))
        .group_by(PointEntry.content_id)
    )
    return {content_id: int(total) for content_id, total in rows if total}


def award_share_intent(share) -> None:
    """A recorded share intent (feeds' share_recorded): once per employee, content, network."""
    zone = organisation_zone()
    occurred = share.created_at or utcnow()
    record_awards(
        [
            Award(
                source_key=f"share:{share.user_id}:{share.content_id}:{share.network}",
                user_id=share.user_id,
                action=Action.SHARE_INTENT,
                occurred_at=occurred,
                local_day=local_day(occurred, zone),
                network=share.network,
                content_id=share.content_id,
                campaign=share.tracked_link.content.campaign,
                team_ids=current_team_ids({share.user_id})[share.user_id],
            )
        ]
    )


def award_verified_shares(share_ids: list[int]) -> None:
    """Shares a first human click verified: once per tracked link."""
    if not share_ids:
        return
    shares = db.session.scalars(select(Share).where(Share.id.in_(share_ids))).all()
    zone = organisation_zone()
    teams = current_team_ids({share.user_id for share in shares})
    awards = []
    for share in shares:
        occurred = share.verified_at or utcnow()
        awards.append(
            Award(
                source_key=f"verified:{share.tracked_link_id}",
                user_id=share.user_id,
                action=Action.VERIFIED_SHARE,
                occurred_at=occurred,
                local_day=local_day(occurred, zone),
                network=share.network,
                content_id=share.content_id,
                campaign=share.tracked_link.content.campaign,
                team_ids=teams[share.user_id],
            )
        )
    record_awards(awards)


def award_clicks(clicks) -> None:
    """Human clicks of one ingest batch (attributes as in leaderboard/signals.py)."""
    record_awards([_attributed(f"click:{c.event_id}", Action.HUMAN_CLICK, c) for c in clicks])


def award_conversion(conversion) -> None:
    """A newly recorded conversion, credited like the click that led to it."""
    record_awards([_attributed(f"conversion:{conversion.id}", Action.CONVERSION, conversion)])


def award_hire(referral) -> None:
    """A referred candidate's hire, credited to the referring employee on the day of the hire.
    A referral holds its hire points at most once: reported again it earns nothing more, and only
    after an ATS correction took them back (`take_back_hire`) can a new hire earn them again."""
    awards, take_backs = _hire_history(referral.id)
    if len(awards) > len(take_backs):
        return
    key = f"hire:{referral.id}" if not awards else f"hire:{referral.id}:{len(awards)}"
    record_awards(
        [
            Award(
                source_key=key,
                user_id=referral.user_id,
                action=Action.HIRE,
                occurred_at=referral.hired_at,
                local_day=referral.hired_on or local_day(referral.hired_at),
                network=referral.network,
                content_id=referral.content_id,
                campaign=referral.content.campaign,
                team_ids=tuple(referral.team_ids or ()),
            )
        ]
    )


def take_back_hire(referral, reason: str) -> None:
    """An ATS correction away from "hired": the points the hire earned are taken back by an
    audited entry dated today (the ledger is append-only, and closed periods are not rescored),
    credited to the same teams, network and content so every board nets out."""
    awards, take_backs = _hire_history(referral.id)
    if len(awards) <= len(take_backs):
        return
    now = utcnow()
    row = {
        "source_key": f"hire:{referral.id}:back:{len(take_backs)}",
        "user_id": referral.user_id,
        "action": Action.ADJUSTMENT.value,
        "points": -awards[-1].points,
        "rule_points": -awards[-1].points,
        "rules_id": None,
        "withheld": "",
        "occurred_at": now,
        "local_day": local_day(now, organisation_zone()),
        "network": referral.network or "",
        "content_id": referral.content_id,
        "campaign": referral.content.campaign if referral.content else "",
        "team_ids": list(referral.team_ids or ()),
        "reason": reason[:REASON_MAX],
        "created_by_id": None,
        "created_at": now,
    }
    _append([row])  # a hire used none of its day's cap, so there is none to free


def _hire_history(referral_id: int) -> tuple[list[PointEntry], list[PointEntry]]:
    """The referral's hire awards and take-backs, oldest first (keys `hire:<id>[:n]` and
    `hire:<id>:back:n`)."""
    key = f"hire:{referral_id}"
    entries = db.session.scalars(
        select(PointEntry)
        .where(or_(PointEntry.source_key == key, PointEntry.source_key.like(f"{key}:%")))
        .order_by(PointEntry.id)
    ).all()
    awards = [e for e in entries if e.action == Action.HIRE.value]
    return awards, [e for e in entries if e.action == Action.ADJUSTMENT.value]


def _attributed(source_key: str, action: Action, event) -> Award:
    occurred = event.occurred_at
    day = getattr(event, "local_day", None) or local_day(occurred)
    return Award(
        source_key=source_key,
        user_id=event.user_id,
        action=action,
        occurred_at=occurred,
        local_day=day,
        network=getattr(event, "network", "") or "",
        content_id=getattr(event, "content_id", None),
        campaign=getattr(event, "campaign", "") or "",
        team_ids=tuple(getattr(event, "team_ids", ()) or ()),
    )
