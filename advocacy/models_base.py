"""Column helpers shared by every feature's models."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, TypeDecorator

# PostgreSQL's `integer` (ids are serial) stops here: a larger number given as an id would make
# the database raise (SQLite: OverflowError) where it simply names nothing.
MAX_ID = 2**31 - 1


def parse_id(value) -> int | None:
    """An id from outside (a query string, a form, a CSV), or None when it cannot name a row:
    not ASCII digits (int() also reads "١٢"), zero, or beyond MAX_ID."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value <= MAX_ID else None
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (column defaults call this per row)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores UTC and always hands back aware datetimes, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is expected")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
