"""People in discussions: @handles and mentions, notification and digest preferences, quiet
hours and when someone was last seen.

Handles: every person gets one on first need, from their e-mail's local part (`maya.member`),
made unique with a number; they can change it in their notification settings. A team is
mentioned by its name in lower case with dashes (`@customer-success`); a person's handle may not
take a team's name, so a mention is never ambiguous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import exists, func, select, update

from advocacy.accounts.models import Team, TeamMembership, User
from advocacy.discussions.markdown import MentionTarget
from advocacy.discussions.models import HANDLE_MAX, MemberProfile
from advocacy.errors import Conflict, ValidationFailed
from advocacy.extensions import db
from advocacy.models_base import utcnow

HANDLE_RULE = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,28}[a-z0-9])?$")
LAST_SEEN_INTERVAL = timedelta(minutes=5)


def path_for(endpoint: str, **values) -> str:
    """A site-relative URL, built without a request (jobs render links too)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def team_handle(name: str) -> str:
    """A team's mention handle: its name in lower case, words joined by dashes."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:HANDLE_MAX]


def _team_handles() -> dict[str, int]:
    return {
        team_handle(name): team_id
        for team_id, name in db.session.execute(select(Team.id, Team.name))
    }


def _free_handle(base: str, taken_by_teams: set[str]) -> str:
    base = re.sub(r"[^a-z0-9._-]+", "", base.lower()).strip("._-")[: HANDLE_MAX - 3] or "member"
    candidate, number = base, 1
    while candidate in taken_by_teams or db.session.scalar(
        select(exists().where(MemberProfile.handle == candidate))
    ):
        number += 1
        candidate = f"{base}{number}"
    return candidate


def ensure_profiles() -> int:
    """Give every person without discussion settings their defaults and a handle (flushed)."""
    missing = list(
        db.session.scalars(
            select(User).where(~exists().where(MemberProfile.user_id == User.id)).order_by(User.id)
        )
    )
    if not missing:
        return 0
    teams = set(_team_handles())
    for user in missing:
        db.session.add(
            MemberProfile(
                user_id=user.id,
                handle=_free_handle(user.email.split("@")[0], teams),
                digest_zone=user.timezone,
            )
        )
        db.session.flush()
    return len(missing)


def get_profile(user: User) -> MemberProfile:
    """The person's discussion settings, created with defaults on first need (flushed)."""
    profile = db.session.get(MemberProfile, user.id)
    if profile is None:
        ensure_profiles()
        profile = db.session.get(MemberProfile, user.id)
    return profile


def ensure_own_profile(user: User) -> MemberProfile:
    """The person's settings, created and saved if they had none."""
    profile = get_profile(user)
    db.session.commit()
    return profile


def profiles_by_user(user_ids) -> dict[int, MemberProfile]:
    """Settings of several people at once."""
    ids = set(user_ids)
    if not ids:
        return {}
    found = {
        p.user_id: p
        for p in db.session.scalars(select(MemberProfile).where(MemberProfile.user_id.in_(ids)))
    }
    if len(found) < len(ids):
        ensure_profiles()
        found = {
            p.user_id: p
            for p in db.session.scalars(select(MemberProfile).where(MemberProfile.user_id.in_(ids)))
        }
    return found


def check_handle(handle: str, user: User) -> str:
    """A valid, free handle for `user`, or ValidationFailed / Conflict saying why."""
    handle = (handle or "").strip().lstrip("@").lower()
    if not HANDLE_RULE.match(handle):
        raise ValidationFailed.field(
            "handle",
            f"Use 1 to {HANDLE_MAX} letters, digits, dots, dashes or underscores, "
            "starting and ending with a letter or digit.",
        )
    if handle in _team_handles():
        raise Conflict(
            f"@{handle} mentions a team.", {"handle": ["A team is mentioned with this handle."]}
        )
    owner = db.session.scalar(select(MemberProfile.user_id).where(MemberProfile.handle == handle))
    if owner is not None and owner != user.id:
        raise Conflict(f"@{handle} is taken.", {"handle": ["Someone else has this handle."]})
    return handle


def zone_named(name: str) -> ZoneInfo:
    """The named zone, or UTC for a name zoneinfo does not know."""
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def record_seen(user: User) -> None:
    """Note that the person is active now (callers throttle this to every few minutes)."""
    ensure = db.session.get(MemberProfile, user.id) or get_profile(user)
    db.session.execute(
        update(MemberProfile)
        .where(MemberProfile.user_id == ensure.user_id)
        .values(last_seen_at=utcnow())
    )
    db.session.commit()


# --- mentions ---------------------------------------------------------------------------------


@dataclass
class Mentions:
    """What the @handles of a text name: links for rendering, people to notify."""

    targets: dict[str, MentionTarget]
    user_ids: set[int]


def resolve_mentions(handles: set[str]) -> Mentions:
    """Find the people and teams that @handles name (unknown handles stay plain text)."""
    if not handles:
        return Mentions({}, set())
    ensure_profiles()
    targets: dict[str, MentionTarget] = {}
    user_ids: set[int] = set()
    rows = db.session.execute(
        select(MemberProfile.handle, User.id, User.display_name)
        .join(User, User.id == MemberProfile.user_id)
        .where(MemberProfile.handle.in_(handles), User.active.is_(True))
    )
    for handle, user_id, name in rows:
        targets[handle] = MentionTarget(path_for("people.profile", user_id=user_id), name)
        user_ids.add(user_id)
    teams = {h: team_id for h, team_id in _team_handles().items() if h in handles - set(targets)}
    for handle, team_id in teams.items():
        team = db.session.get(Team, team_id)
        targets[handle] = MentionTarget(path_for("teams.team", team_id=team_id), team.name)
        user_ids |= set(
            db.session.scalars(
                select(TeamMembership.user_id).where(TeamMembership.team_id == team_id)
            )
        )
    return Mentions(targets, user_ids)


def handle_of(user_id: int) -> str | None:
    """A person's handle, if they have one yet."""
    return db.session.scalar(select(MemberProfile.handle).where(MemberProfile.user_id == user_id))


def count_profiles() -> int:
    """How many people have discussion settings (for tests and the demo)."""
    return db.session.scalar(select(func.count()).select_from(MemberProfile)) or 0
