"""Hostile query strings on every page and API operation: each query parameter a view or a
schema reads (found by asking every page once with recording arguments) is sent values that have
broken views before (huge, negative, fractional and non-ASCII numbers, NUL, surrogates, overlong
text, markup). No answer may be a 5xx, on either database."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import Request, has_request_context, request
from werkzeug.datastructures import ImmutableMultiDict

from tests.security.test_permission_walk import SKIPPED_METHODS, VARIABLE, _value

ROLE = "admin"  # reaches every page, so every parameter is read somewhere

HOSTILE = [
    "-1",
    "0",
    "99999999999999999999999",
    "2147483648",
    "1.5",
    "1e309",
    "abc",
    "%00",
    "a%00b",
    "%ED%A0%80",  # a lone surrogate, UTF-8 encoded
    "١٢",  # Arabic-Indic digits: isdigit() is True for them
    "x" * 5000,
    "<script>alert(1)</script>",
    "'; DROP TABLE user; --",
    "../../etc/passwd",
    "%0a%0d",
    "",
]


SEEN: dict[str, set[str]] = {}
ANY = "*"
# what a view taking its arguments whole is sent: names of other pages' parameters, and its own
ANY_NAMES = ("by", "from", "to", "page", "team", "period", "network", "scope", "x")


class RecordingArgs(ImmutableMultiDict):
    """Query arguments that note each name a view (or a schema) asks for, by path."""

    def _note(self, key):
        if has_request_context():
            SEEN.setdefault(request.path, set()).add(key)

    def get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's signature
        self._note(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        self._note(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    # A view that takes the arguments whole (into url_for, say) may read any name at all.
    def items(self, *args, **kwargs):
        self._note(ANY)
        return super().items(*args, **kwargs)

    def keys(self):
        self._note(ANY)
        return super().keys()

    def __iter__(self):
        self._note(ANY)
        return super().__iter__()

    def to_dict(self, *args, **kwargs):
        self._note(ANY)
        return super().to_dict(*args, **kwargs)


class RecordingRequest(Request):
    parameter_storage_class = RecordingArgs


def get_urls(app, org) -> list[str]:
    """Every GET rule with the walk organisation's ids."""
    from tests.security.access import ACCESS

    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        access = ACCESS.get(rule.endpoint)
        if access is None or "GET" not in rule.methods - SKIPPED_METHODS:
            continue
        if rule.endpoint == "static" or rule.rule.startswith("/r/"):
            continue
        urls.append(VARIABLE.sub(lambda m, a=access: _value(m.group(1), a, org), rule.rule))
    return urls


@pytest.fixture(scope="module")
def reads(walk_app, org, clients) -> dict[str, set[str]]:
    """Which query parameters each page and API operation reads, seen by asking each once."""
    walk_app.request_class = RecordingRequest
    SEEN.clear()
    headers = {"Authorization": f"Bearer {org.tokens[ROLE]}"}
    for url in get_urls(walk_app, org):
        clients[ROLE].get(url, headers=headers if url.startswith("/api/") else {}).close()
    walk_app.request_class = Request
    return {
        url: (names - {ANY}) | (set(ANY_NAMES) if ANY in names else set())
        for url, names in SEEN.items()
    }


def test_the_parameters_read_are_found(reads):
    read = set().union(*reads.values())
    assert {"page", "team", "quote", "tag", "period", "from", "per_page", "q"} <= read
    assert len(reads) > 30


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:20]))
def test_no_query_parameter_breaks_a_page(value, org, clients, reads):
    client = clients[ROLE]
    encoded = value if "%" in value else quote(value, safe="")
    headers = {"Authorization": f"Bearer {org.tokens[ROLE]}"}
    broken = []
    for url, names in sorted(reads.items()):
        for name in sorted(names):
            response = client.get(
                f"{url}?{name}={encoded}", headers=headers if url.startswith("/api/") else {}
            )
            if response.status_code >= 500:
                broken.append(f"{url}?{name}=…: {response.status_code}")
            response.close()
    assert not broken, "\n".join(broken)
