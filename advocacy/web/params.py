"""Query-string values, parsed one way everywhere: whole numbers within bounds, ids the database
can hold, choices from a list, and text of a bounded length. A value that cannot be used is a
400 naming the parameter and what it takes, never a 500 from the database below.

Text with a NUL character or an unpaired surrogate is refused here too (PostgreSQL cannot
compare it with anything); input_guard refuses them in paths, forms and API bodies. Search reads
its own `q`, where a NUL is a word break.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import request
from werkzeug.exceptions import BadRequest

from advocacy.models_base import MAX_ID, parse_id
from advocacy.web.input_guard import MESSAGE, is_storable

MAX_PAGE = 100_000
TEXT_MAX = 500


def _raw(name: str) -> str:
    return (request.args.get(name) or "").strip()


def int_arg(name: str, default: int, minimum: int = 0, maximum: int = MAX_ID) -> int:
    """A whole number from `minimum` to `maximum` (the default when absent or empty)."""
    raw = _raw(name)
    if not raw:
        return default
    if not (raw.isascii() and raw.lstrip("-").isdigit()) or len(raw) > 12:
        raise BadRequest(f"'{name}' must be a whole number from {minimum:,} to {maximum:,}.")
    value = int(raw)
    if not minimum <= value <= maximum:
        raise BadRequest(f"'{name}' must be a whole number from {minimum:,} to {maximum:,}.")
    return value


def page_arg(name: str = "page", default: int = 1) -> int:
    """A page number, from 1."""
    return int_arg(name, default, 1, MAX_PAGE)


def id_arg(name: str) -> int | None:
    """An id (None when absent; one larger than any id names nothing, so None as well)."""
    raw = _raw(name)
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise BadRequest(f"'{name}' must be an id (a whole number).")
    return parse_id(raw)


def choice_arg(name: str, choices: Iterable[str], default: str) -> str:
    """One of `choices` (the default when absent)."""
    raw, allowed = _raw(name), list(choices)
    if not raw:
        return default
    if raw not in allowed:
        raise BadRequest(f"'{name}' must be one of: {', '.join(allowed)}.")
    return raw


def text_arg(name: str, default: str = "", limit: int = TEXT_MAX) -> str:
    """Text, stripped, at most `limit` characters (longer input is refused, not cut)."""
    raw = _raw(name)
    if len(raw) > limit:
        raise BadRequest(f"'{name}' takes at most {limit:,} characters.")
    if not is_storable(raw):
        raise BadRequest(f"'{name}': {MESSAGE}")
    return raw or default


def flag_arg(name: str) -> bool:
    """A yes/no switch: "1" (or "true", "yes", "on") is yes, anything else no."""
    return _raw(name).lower() in {"1", "true", "yes", "on"}
