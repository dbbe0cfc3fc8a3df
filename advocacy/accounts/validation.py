"""Checks shared by the forms, the API and the CSV import: e-mail addresses, time zones, texts
and language codes."""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from email_validator import EmailNotValidError, validate_email
from flask import current_app

from advocacy.accounts.models import EMAIL_MAX
from advocacy.errors import ValidationFailed

LANGUAGE_MAX = 12


def normalise_email(email: str) -> str:
    """The canonical, lower-cased form of an e-mail address, or ValidationFailed saying why."""
    email = (email or "").strip()
    if not email:
        raise ValidationFailed.field("email", "Enter an e-mail address.")
    if len(email) > EMAIL_MAX:
        raise ValidationFailed.field("email", f"Use at most {EMAIL_MAX} characters.")
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ValidationFailed.field(
            "email", f"This is not a valid e-mail address: {error}"
        ) from None


def check_timezone(name: str) -> str:
    """An IANA time zone name known to zoneinfo, or ValidationFailed."""
    name = (name or "").strip()
    try:
        if name and name in _timezone_names():
            ZoneInfo(name)
            return name
    except (ZoneInfoNotFoundError, ValueError):
        pass
    raise ValidationFailed.field(
        "timezone", f"Unknown time zone {name[:64]!r}: use an IANA name such as Europe/London."
    )


def _timezone_names() -> set[str]:
    names = current_app.extensions.get("timezone_names")
    if names is None:
        names = current_app.extensions["timezone_names"] = available_timezones()
    return names


def timezone_choices() -> list[str]:
    """Every IANA zone name, sorted, for select boxes."""
    return sorted(_timezone_names())


def check_text(errors: dict, field: str, value: str, limit: int, required: bool = False) -> str:
    """The stripped text, with its problems added to `errors` under `field`."""
    value = (value or "").strip()
    if required and not value:
        errors.setdefault(field, []).append("This field is required.")
    if len(value) > limit:
        errors.setdefault(field, []).append(f"Use at most {limit} characters.")
    return value


def check_languages(errors: dict, languages: Iterable[str]) -> list[str]:
    """Distinct lower-case language codes, with their problems added to `errors`."""
    cleaned = []
    for code in languages:
        code = code.strip().lower()
        if not code:
            continue
        if len(code) > 8 or not code.replace("-", "").isalpha():
            errors.setdefault("languages", []).append(
                f"{code[:20]!r} is not a language code (en, fr, zh-hans)."
            )
        elif code not in cleaned:
            cleaned.append(code)
    if len(cleaned) > LANGUAGE_MAX:
        errors.setdefault("languages", []).append(f"List at most {LANGUAGE_MAX} languages.")
    return cleaned


def time_zone_names() -> list[str]:
    """The IANA zones a person can pick, sorted (the settings page's searchable list)."""
    return sorted(
        zone
        for zone in available_timezones()
        if "/" in zone and not zone.startswith(("Etc/", "SystemV/"))
    )
