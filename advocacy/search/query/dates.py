"""The calendar days that the after: and before: operators' values name, in the reader's zone."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

_RELATIVE = re.compile(r"^(\d{1,4})([dwmy])$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_ISO_YEAR = re.compile(r"^(\d{4})$")


def resolve_day(value: str, now: datetime, zone: ZoneInfo) -> date | None:
    """The calendar day (in `zone`) a date value names, or None if it names none we accept."""
    today = now.astimezone(zone).date()
    value = value.strip().lower()
    if value == "today":
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    if match := _RELATIVE.match(value):
        amount, unit = int(match[1]), match[2]
        if unit in "dw":
            day = today - timedelta(days=amount * (7 if unit == "w" else 1))
        else:
            months = amount * (12 if unit == "y" else 1)
            year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
            if year < 1:
                return None
            day = date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))
        return day if day.year >= 1970 else None
    for pattern, parts in ((_ISO_DAY, 3), (_ISO_MONTH, 2), (_ISO_YEAR, 1)):
        if match := pattern.match(value):
            numbers = [int(g) for g in match.groups()] + [1] * (3 - parts)
            try:
                day = date(*numbers)
            except ValueError:
                return None
            return day if 1970 <= day.year <= 2999 else None
    return None
