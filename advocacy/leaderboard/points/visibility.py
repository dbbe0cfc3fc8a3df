"""Who appears by name on leaderboards.

An employee may hide themselves (they are then "An anonymous colleague" to everyone else); an
organisation setting makes everyone pseudonymous unless they opt in. Readers always see their
own name and rank. Anonymous rows carry no user id in the API, so they cannot be unmasked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from advocacy.accounts.models import User
from advocacy.errors import ValidationFailed
from advocacy.extensions import db
from advocacy.leaderboard.points.models import (
    LeaderboardPreference,
    LeaderboardSettings,
    Visibility,
)

ANONYMOUS = "An anonymous colleague"


@dataclass(frozen=True)
class ShownName:
    label: str
    anonymous: bool


def leaderboard_settings() -> LeaderboardSettings:
    """The organisation's leaderboard settings (created with the defaults on first use)."""
    settings = db.session.scalar(select(LeaderboardSettings).order_by(LeaderboardSettings.id))
    if settings is None:
        settings = LeaderboardSettings(pseudonymous_by_default=False)
        db.session.add(settings)
        db.session.flush()
    return settings


def set_pseudonymous_by_default(value: bool, acting: User) -> LeaderboardSettings:
    """Make everyone pseudonymous unless they opt in (True), or named unless they hide (False)."""
    settings = leaderboard_settings()
    settings.pseudonymous_by_default = bool(value)
    settings.updated_by_id = acting.id
    db.session.commit()
    return settings


def visibility_of(user: User) -> str:
    """The employee's own choice: default, shown or hidden."""
    preference = db.session.get(LeaderboardPreference, user.id)
    return preference.visibility if preference else Visibility.DEFAULT.value


def set_visibility(user: User, visibility: str) -> str:
    """Record whether the employee appears by name."""
    try:
        choice = Visibility(visibility)
    except ValueError:
        choices = ", ".join(v.value for v in Visibility)
        raise ValidationFailed.field("visibility", f"Choose among {choices}.") from None
    preference = db.session.get(LeaderboardPreference, user.id)
    if preference is None:
        preference = LeaderboardPreference(user_id=user.id)
        db.session.add(preference)
    preference.visibility = choice.value
    db.session.commit()
    return choice.value


def is_shown(visibility: str, pseudonymous_by_default: bool) -> bool:
    if visibility == Visibility.HIDDEN:
        return False
    if visibility == Visibility.SHOWN:
        return True
    return not pseudonymous_by_default


def shown_names(users: list[User], reader: User | None) -> dict[int, ShownName]:
    """How each user appears to `reader` (one query for the preferences)."""
    ids = [user.id for user in users]
    choices = dict(
        db.session.execute(
            select(LeaderboardPreference.user_id, LeaderboardPreference.visibility).where(
                LeaderboardPreference.user_id.in_(ids)
            )
        ).all()
    )
    pseudonymous = leaderboard_settings().pseudonymous_by_default
    names = {}
    for user in users:
        own = reader is not None and user.id == reader.id
        if own or is_shown(choices.get(user.id, Visibility.DEFAULT), pseudonymous):
            names[user.id] = ShownName(user.display_name, False)
        else:
            names[user.id] = ShownName(ANONYMOUS, True)
    return names
