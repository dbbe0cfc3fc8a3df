"""Where a `next=` may send people: only a path on this site. The one check every redirect target
from a request goes through (sign-in, sign-out, the policy page, switches of language or theme).

Browsers clean a Location header up before they read it (WHATWG URL parsing): they drop leading
and trailing control characters and spaces, delete tabs and newlines anywhere, and read a
backslash as a slash. So "/\t/evil.example" and "/\\evil.example" become "//evil.example": another
host. Rather than guess what each browser would make of a target, anything such a clean-up would
change is refused, as are encoded slashes or backslashes at the start, schemes, hosts and user
names: what is left is a plain path, with its query and fragment.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import url_for

MAX_TARGET = 2000
_ALWAYS_REFUSED = frozenset("\\")


def is_safe_path(target: str | None) -> bool:
    """Whether `target` is a path on this site that every browser reads the same way."""
    if not target or len(target) > MAX_TARGET:
        return False
    if any(char.isspace() or ord(char) == 0x20 for char in target):
        return False  # a path as sent has its spaces encoded; browsers strip or delete these
    for spelling in (target, unquote(target), unquote(unquote(target))):
        if any(ord(char) < 0x20 or ord(char) == 0x7F for char in spelling):
            return False  # controls, also encoded (a header cannot carry them)
        if _ALWAYS_REFUSED & set(spelling):
            return False
        if not spelling.startswith("/") or spelling.startswith("//"):
            return False  # another host, also spelt with encoded slashes
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next_url(target: str | None, fallback_endpoint: str = "home.index") -> str:
    """`target` when it is a safe path on this site, else the fallback page."""
    return target if is_safe_path(target) else url_for(fallback_endpoint)
