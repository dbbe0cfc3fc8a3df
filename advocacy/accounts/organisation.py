"""The organisation: its name and time zone, and the local day that everything counted per day
(points, reach, analytics) is counted in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from advocacy.accounts.models import NAME_MAX, Organisation
from advocacy.accounts.validation import check_text, check_timezone
from advocacy.errors import ValidationFailed
from advocacy.extensions import db
from advocacy.models_base import utcnow


def get_organisation() -> Organisation:
    """The install's organisation, created with the configured name on first use."""
    organisation = db.session.scalar(select(Organisation).order_by(Organisation.id).limit(1))
    if organisation is None:
        organisation = Organisation(
            name=current_app.config["ORGANISATION_NAME"], default_timezone="UTC"
        )
        db.session.add(organisation)
        db.session.flush()
    return organisation


def update_organisation(name: str, default_timezone: str) -> Organisation:
    """Rename the organisation and set its default time zone."""
    errors: dict[str, list[str]] = {}
    name = check_text(errors, "name", name, NAME_MAX, True)
    try:
        default_timezone = check_timezone(default_timezone)
    except ValidationFailed as error:
        errors["default_timezone"] = error.errors["timezone"]
    if errors:
        raise ValidationFailed("The organisation settings are not valid.", errors)
    organisation = get_organisation()
    organisation.name, organisation.default_timezone = name, default_timezone
    db.session.commit()
    return organisation


def organisation_zone() -> ZoneInfo:
    """The organisation's time zone (UTC if its name is unknown to this system)."""
    try:
        return ZoneInfo(get_organisation().default_timezone or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def local_day(moment: datetime, zone: ZoneInfo | None = None) -> date:
    """The organisation-local date of a UTC moment."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone or organisation_zone()).date()


def today(zone: ZoneInfo | None = None) -> date:
    """The organisation-local date now."""
    return local_day(utcnow(), zone)
