"""A person's notification settings: immediate e-mails per kind, the digest's frequency and hour,
quiet hours, and when their next digest is due (all stored on their MemberProfile)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from advocacy.accounts.models import User
from advocacy.discussions.models import DigestFrequency, MemberProfile
from advocacy.discussions.profiles import check_handle, get_profile, zone_named
from advocacy.errors import Conflict, ValidationFailed
from advocacy.extensions import db
from advocacy.models_base import utcnow


@dataclass
class Preferences:
    """The settings a person edits on their notification settings page."""

    handle: str
    email_mention: bool = True
    email_reply: bool = True
    email_assignment: bool = True
    email_announcement: bool = True
    digest: str = DigestFrequency.DAILY.value
    digest_hour: int = 8
    digest_weekday: int = 0
    quiet_start: time | None = None
    quiet_end: time | None = None


def update_preferences(user: User, preferences: Preferences) -> MemberProfile:
    """Validate and save a person's discussion settings; the next digest is rescheduled."""
    errors: dict[str, list[str]] = {}
    handle = None
    try:
        handle = check_handle(preferences.handle, user)
    except (ValidationFailed, Conflict) as error:
        if isinstance(error, Conflict):
            raise
        errors.update(error.errors)
    if preferences.digest not in {f.value for f in DigestFrequency}:
        errors["digest"] = ["Choose off, daily or weekly."]
    if not 0 <= int(preferences.digest_hour) <= 23:
        errors["digest_hour"] = ["Choose an hour from 0 to 23."]
    if not 0 <= int(preferences.digest_weekday) <= 6:
        errors["digest_weekday"] = ["Choose a day of the week."]
    if (preferences.quiet_start is None) != (preferences.quiet_end is None):
        errors["quiet_end"] = ["Give both the start and the end of your quiet hours, or neither."]
    elif preferences.quiet_start is not None and preferences.quiet_start == preferences.quiet_end:
        errors["quiet_end"] = ["Quiet hours cannot end when they start."]
    if errors:
        raise ValidationFailed("Some settings are not valid.", errors)
    profile = get_profile(user)
    for name, value in vars(preferences).items():
        setattr(profile, name, value)
    profile.handle = handle
    schedule_next_digest(profile, user.timezone, utcnow())
    db.session.commit()
    return profile


def quiet_until(profile: MemberProfile, zone: ZoneInfo, instant: datetime) -> datetime | None:
    """When the person's quiet hours around `instant` end (UTC), or None if they are not quiet."""
    if profile.quiet_start is None or profile.quiet_end is None:
        return None
    local = instant.astimezone(zone)
    start, end, now = profile.quiet_start, profile.quiet_end, local.time()
    if start < end:
        quiet, end_day = start <= now < end, local.date()
    else:  # overnight, e.g. 20:00-07:00
        quiet = now >= start or now < end
        end_day = local.date() + timedelta(days=1) if now >= start else local.date()
    if not quiet:
        return None
    return datetime.combine(end_day, end, tzinfo=zone).astimezone(UTC)


def next_digest_due(profile: MemberProfile, zone_name: str, after: datetime) -> datetime | None:
    """The first digest time strictly after `after`, in UTC: the chosen local hour (on the chosen
    weekday for weekly digests) in the person's zone, moved to the end of quiet hours if it falls
    inside them. Computed from the local wall time, so it stays right across DST changes."""
    if profile.digest == DigestFrequency.OFF:
        return None
    zone = zone_named(zone_name)
    first_day = after.astimezone(zone).date()
    for offset in range(9):
        day = first_day + timedelta(days=offset)
        if profile.digest == DigestFrequency.WEEKLY and day.weekday() != profile.digest_weekday:
            continue
        due = datetime.combine(day, time(profile.digest_hour), tzinfo=zone).astimezone(UTC)
        if due > after:
            return quiet_until(profile, zone, due) or due
    return None


def schedule_next_digest(profile: MemberProfile, zone_name: str, after: datetime) -> None:
    """Store when this person's next digest is due (and the zone it was computed in)."""
    profile.digest_zone = zone_name
    profile.next_digest_at = next_digest_due(profile, zone_name, after)


def digest_period(profile: MemberProfile) -> timedelta:
    """How far back a digest looks when there was none before."""
    return timedelta(days=7 if profile.digest == DigestFrequency.WEEKLY else 1)
