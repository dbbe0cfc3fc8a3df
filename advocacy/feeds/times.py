"""Local wall-clock times entered in forms, turned into UTC instants without DST surprises."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from advocacy.errors import ValidationFailed


def local_to_utc(value: datetime, zone_name: str, field: str) -> datetime:
    """The UTC instant of a naive local time in `zone_name`.

    A time that does not exist there (skipped when clocks go forward) is refused with a message
    naming the gap; a time that happens twice (when clocks go back) means its first occurrence,
    i.e. still on summer time."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    zone = ZoneInfo(zone_name)
    first = value.replace(tzinfo=zone, fold=0)
    round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != value:
        raise ValidationFailed.field(
            field,
            f"{value:%d %b %Y %H:%M} does not exist in {zone_name}: the clocks go forward then. "
            "Choose a time outside the skipped hour.",
        )
    return first.astimezone(UTC)


def is_ambiguous(value: datetime, zone_name: str) -> bool:
    """True when a naive local time happens twice in the zone (clocks going back)."""
    zone = ZoneInfo(zone_name)
    return (
        value.replace(tzinfo=zone, fold=0).utcoffset()
        != value.replace(tzinfo=zone, fold=1).utcoffset()
    )


def utc_to_local(value: datetime | None, zone_name: str) -> datetime | None:
    """The naive wall-clock time of a UTC instant in a zone (to fill a datetime-local input)."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)
