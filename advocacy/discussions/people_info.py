"""A person as colleagues in other time zones need to see them: local time now, working hours,
teams, handle, and the threads they started that the reader may read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from advocacy.accounts.models import TeamMembership, User
from advocacy.discussions import access
from advocacy.discussions.models import Thread
from advocacy.discussions.profiles import get_profile, zone_named
from advocacy.errors import NotFound
from advocacy.extensions import db
from advocacy.models_base import utcnow

RECENT_THREADS = 10


@dataclass
class LocalStatus:
    """Someone's local time now and whether they are at work."""

    user: User
    local_time: datetime
    working: bool
    availability: str

    @property
    def local_time_text(self) -> str:
        return self.local_time.strftime("%H:%M %a") + f" ({self.local_time.tzname()})"


def local_status_of(user: User, now: datetime | None = None) -> LocalStatus:
    """The person's local time and a plain phrase about their working hours."""
    now = now or utcnow()
    local = now.astimezone(zone_named(user.timezone))
    start, end, clock = user.working_hours_start, user.working_hours_end, local.time()
    working = start <= clock < end if start < end else (clock >= start or clock < end)
    if working:
        availability = f"working now (until {end.strftime('%H:%M')})"
    else:
        starts = datetime.combine(local.date(), start, tzinfo=local.tzinfo)
        if starts <= local:
            starts += timedelta(days=1)
        hours = (starts - local).total_seconds() / 3600
        when = f"in {hours:.0f} h" if hours >= 1 else f"in {int(hours * 60)} min"
        availability = f"off work; day starts {when}"
    return LocalStatus(user, local, working, availability)


@dataclass
class Person:
    """Everything the person page shows."""

    user: User
    status: LocalStatus
    handle: str
    teams: list[TeamMembership]
    recent_threads: list[Thread]


def person(viewer: User, user_id: int) -> Person:
    """A colleague's page, with only the threads the viewer may read."""
    user = db.session.scalar(
        select(User)
        .where(User.id == user_id)
        .options(selectinload(User.memberships).selectinload(TeamMembership.team))
    )
    if user is None:
        raise NotFound("No such person.")
    profile = get_profile(user)
    db.session.commit()
    recent = list(
        db.session.scalars(
            select(Thread)
            .where(
                Thread.author_id == user.id,
                Thread.deleted_at.is_(None),
                Thread.space_id.in_(access.visible_space_ids(viewer)),
            )
            .options(selectinload(Thread.space))
            .order_by(Thread.created_at.desc())
            .limit(RECENT_THREADS)
        )
    )
    teams = sorted(user.memberships, key=lambda m: m.team.name.lower())
    return Person(user, local_status_of(user), profile.handle, teams, recent)
