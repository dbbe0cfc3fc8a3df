"""Declared audiences and the value of reach: the follower counts people declare per network (the
base of potential reach), and the earned-media value of a click and of a conversion an admin
sets."""

from __future__ import annotations

from sqlalchemy import select

from advocacy.accounts.models import User
from advocacy.errors import Forbidden, ValidationFailed
from advocacy.extensions import db
from advocacy.feeds.models import Network
from advocacy.leaderboard.reach.models import (
    DeclaredAudience,
    ReachSettings,
)

FOLLOWERS_MAX = 100_000_000


NETWORKS_WITH_FOLLOWERS = tuple(n.value for n in Network if n not in (Network.LINK, Network.EMAIL))


def reach_settings() -> ReachSettings:
    """The organisation's reach settings row, created on first use (flushed, not committed)."""
    settings = db.session.scalar(select(ReachSettings).order_by(ReachSettings.id).limit(1))
    if settings is None:
        settings = ReachSettings(click_value=0, conversion_value=0, currency="EUR")
        db.session.add(settings)
        db.session.flush()
    return settings


def update_reach_values(
    editor: User, click_value: float, conversion_value: float, currency: str
) -> ReachSettings:
    """Set the earned-media values (admins only); commits."""
    if not editor.is_admin:
        raise Forbidden("Only admins set the earned-media values.")
    errors = {}
    for name, value in (("click_value", click_value), ("conversion_value", conversion_value)):
        if value is None or not 0 <= value <= 1_000_000:
            errors[name] = ["Use an amount between 0 and 1,000,000."]
    if not (currency or "").isalpha() or len(currency) != 3:
        errors["currency"] = ["Use a three-letter currency code such as EUR or USD."]
    if errors:
        raise ValidationFailed("Some values are not valid.", errors)
    settings = reach_settings()
    settings.click_value, settings.conversion_value = (
        round(click_value, 2),
        round(conversion_value, 2),
    )
    settings.currency, settings.updated_by_id = currency.upper(), editor.id
    db.session.commit()
    return settings


def declared_followers(user: User) -> dict[str, int]:
    """The follower counts the user declared, per network."""
    return dict(
        db.session.execute(
            select(DeclaredAudience.network, DeclaredAudience.followers).where(
                DeclaredAudience.user_id == user.id
            )
        ).all()
    )


def declare_followers(user: User, counts: dict[str, int | None]) -> dict[str, int]:
    """Save the user's follower counts per network (empty or 0 removes one); commits."""
    errors = {}
    for network, count in counts.items():
        if network not in NETWORKS_WITH_FOLLOWERS:
            errors[network] = ["Not a social network."]
        elif count is not None and not 0 <= count <= FOLLOWERS_MAX:
            errors[network] = [f"Use a number between 0 and {FOLLOWERS_MAX:,}."]
    if errors:
        raise ValidationFailed("Some follower counts are not valid.", errors)
    existing = {
        row.network: row
        for row in db.session.scalars(
            select(DeclaredAudience).where(DeclaredAudience.user_id == user.id)
        )
    }
    for network, count in counts.items():
        row = existing.get(network)
        if not count:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(DeclaredAudience(user_id=user.id, network=network, followers=count))
        else:
            row.followers = count
    db.session.commit()
    return declared_followers(user)
