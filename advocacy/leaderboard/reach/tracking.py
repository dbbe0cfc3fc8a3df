"""The click path: `GET /r/<code>` answers 302 to the stored destination and records one hit.

It runs as a small WSGI middleware in front of Flask, so a redirect skips sessions, sign-in,
CSRF and security-header work; only an unknown code reaches Flask (for its 404 page). Codes are
cached in process for LINK_CACHE_SECONDS, so a warm redirect needs no database round trip.

Counting rules (the ingest job applies the last one):
- HEAD requests, crawlers and link-preview fetchers (botdetect.py) get the redirect, so previews
  work, but count as bot hits, not clicks.
- The sharer's own clicks (recognised by their signed-in session cookie) count as self hits.
- A visitor counts once per link per 24 hours; later hits inside that window are repeats. The
  visitor key is an HMAC of IP and user agent under a random salt rotated every UTC day (and
  deleted after two), so raw IPs are never stored and old keys cannot be traced back.
The destination only ever comes from the database: nothing in the request can change it.

Each visitor address may follow RATELIMIT_REDIRECT links per web process (a 429 with Retry-After
beyond that, not recorded). The count is kept in the process, not in Redis: the click path makes
no Redis round trip per request, and the limit is there to stop a flood from one address, not
to meter anyone, so W processes on H hosts let an address through W x H times the rate.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from urllib.parse import urlsplit

from flask import Flask
from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from werkzeug.http import parse_cookie
from werkzeug.urls import iri_to_uri

from advocacy.extensions import db
from advocacy.feeds.sharing import find_tracked_link, tracked_destination
from advocacy.leaderboard.reach.bots import is_bot
from advocacy.leaderboard.reach.events import ClickBuffer, Hit
from advocacy.leaderboard.reach.models import HitKind, VisitorSalt

PATH_PATTERN = re.compile(r"^/r/([A-Za-z0-9_-]{1,32})/?$")
LINK_CACHE_SECONDS = 60  # how long an edited destination may still be served from a cache
LINK_CACHE_SIZE = 50_000
SALT_DAYS_KEPT = 2


class LinkTarget(NamedTuple):
    """What a redirect needs to know about a tracked link."""

    link_id: int
    owner_id: int
    location: str


class LinkCache:
    """code -> LinkTarget for LINK_CACHE_SECONDS; bounded (the oldest half goes when full)."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, LinkTarget]] = {}

    def get(self, code: str, now: float) -> LinkTarget | None:
        entry = self._entries.get(code)
        if entry is None or entry[0] < now:
            return None
        return entry[1]

    def put(self, code: str, target: LinkTarget, now: float) -> None:
        if len(self._entries) >= LINK_CACHE_SIZE:
            for stale in list(self._entries)[: LINK_CACHE_SIZE // 2]:
                self._entries.pop(stale, None)
        self._entries[code] = (now + LINK_CACHE_SECONDS, target)

    def clear(self) -> None:
        self._entries.clear()


def load_link_target(code: str) -> LinkTarget | None:
    """The link's target from the database (needs an app context)."""
    link = find_tracked_link(code)
    if link is None:
        return None
    # WSGI headers are Latin-1: an internationalised destination is sent percent-encoded.
    return LinkTarget(link.id, link.user_id, iri_to_uri(tracked_destination(link)))


# --- visitor keys -----------------------------------------------------------------------------


class SaltBook:
    """Daily salts, read from (or created in) the database once per day per process."""

    def __init__(self) -> None:
        self._salts: dict[date, bytes] = {}
        self._lock = threading.Lock()

    def salt(self, app: Flask, day: date) -> bytes:
        salt = self._salts.get(day)
        if salt is None:
            with self._lock, app.app_context():
                salt = self._salts.get(day) or _stored_salt(day)
                self._salts = {d: s for d, s in self._salts.items() if d >= day - timedelta(1)}
                self._salts[day] = salt
        return salt


def _stored_salt(day: date) -> bytes:
    row = db.session.get(VisitorSalt, day)
    if row is None:
        db.session.add(VisitorSalt(day=day, salt=secrets.token_hex(32)))
        try:
            db.session.commit()
        except IntegrityError:  # another process made it first
            db.session.rollback()
        row = db.session.get(VisitorSalt, day)
    return bytes.fromhex(row.salt)


def forget_old_salts(today: date) -> None:
    """Delete salts older than SALT_DAYS_KEPT days (no commit)."""
    oldest_kept = today - timedelta(SALT_DAYS_KEPT - 1)
    db.session.execute(delete(VisitorSalt).where(VisitorSalt.day < oldest_kept))


def visitor_key(salt: bytes, ip: str, user_agent: str) -> str:
    return hmac.new(salt, f"{ip}\n{user_agent}".encode(), hashlib.sha256).hexdigest()[:32]


def client_ip(environ: dict, forwarded_hops: int) -> str:
    """The visitor's address: REMOTE_ADDR, or the address `forwarded_hops` proxies back in
    X-Forwarded-For when the app runs behind that many trusted proxies."""
    if forwarded_hops:
        forwarded = [a.strip() for a in environ.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= forwarded_hops and forwarded[-forwarded_hops]:
            return forwarded[-forwarded_hops]
    return environ.get("REMOTE_ADDR", "")


def referrer_domain(environ: dict) -> str:
    """The referring site's host name (never the full referrer: it may carry personal data)."""
    referrer = environ.get("HTTP_REFERER", "")
    if not referrer:
        return ""
    try:
        return (urlsplit(referrer).hostname or "")[:253]
    except ValueError:
        return ""


# --- the middleware ---------------------------------------------------------------------------


class AddressLimit:
    """Per visitor address, in this process: may this address follow another link now?"""

    def __init__(self, rate: str) -> None:
        self.items = parse_many(rate) if rate else []
        self.limiter = FixedWindowRateLimiter(MemoryStorage())

    def retry_after(self, address: str) -> int:
        """0 when the request may go on (and is counted), else seconds until it may."""
        for item in self.items:
            if not self.limiter.hit(item, "r", address):
                reset = self.limiter.get_window_stats(item, "r", address).reset_time
                return max(1, int(reset - time.time()) + 1)
        return 0


class Tracker:
    """The app's click path: cache, salts, session reader, address limit and buffer."""

    def __init__(self, app: Flask, buffer: ClickBuffer) -> None:
        self.app = app
        self.buffer = buffer
        self.links = LinkCache()
        self.salts = SaltBook()
        self.forwarded_hops = int(app.config.get("TRACKING_FORWARDED_HOPS", 0))
        self.address_limit = AddressLimit(app.config.get("RATELIMIT_REDIRECT", ""))
        self.session_cookie = app.config["SESSION_COOKIE_NAME"]
        self._session_serializer = None

    def target(self, code: str, now: float) -> LinkTarget | None:
        target = self.links.get(code, now)
        if target is None:
            with self.app.app_context():
                target = load_link_target(code)
            if target is not None:
                self.links.put(code, target, now)
        return target

    def signed_in_user_id(self, environ: dict) -> int | None:
        """The user id in the request's session cookie, if it carries a valid one."""
        cookie = environ.get("HTTP_COOKIE")
        if not cookie or self.session_cookie not in cookie:
            return None
        value = parse_cookie(cookie).get(self.session_cookie)
        if not value:
            return None
        if self._session_serializer is None:
            self._session_serializer = self.app.session_interface.get_signing_serializer(self.app)
        try:
            data = self._session_serializer.loads(
                value, max_age=int(self.app.permanent_session_lifetime.total_seconds())
            )
            return int(data.get("_user_id"))
        except Exception:  # noqa: BLE001 - a bad or foreign cookie is simply not a sign-in
            return None

    def hit(self, environ: dict, target: LinkTarget, now: float) -> Hit:
        """The event for this request (the counting rules are in the module docstring)."""
        user_agent = environ.get("HTTP_USER_AGENT", "")
        if environ["REQUEST_METHOD"] == "HEAD" or is_bot(user_agent):
            kind = HitKind.BOT
        elif self.signed_in_user_id(environ) == target.owner_id:
            kind = HitKind.SELF
        else:
            kind = HitKind.HUMAN
        today = datetime.fromtimestamp(now, UTC).date()
        ip = client_ip(environ, self.forwarded_hops)
        return Hit(
            event_id=secrets.token_hex(16),
            link_id=target.link_id,
            at=now,
            kind=kind.value,
            visitor_key=visitor_key(self.salts.salt(self.app, today), ip, user_agent),
            previous_visitor_key=visitor_key(
                self.salts.salt(self.app, today - timedelta(1)), ip, user_agent
            ),
            referrer_domain=referrer_domain(environ),
        )

    def redirect(self, environ: dict, code: str) -> tuple[str, Hit] | None:
        """Record the hit and return (location, hit), or None for an unknown code."""
        now = time.time()
        target = self.target(code, now)
        if target is None:
            return None
        hit = self.hit(environ, target, now)
        self.buffer.push(hit)
        return target.location, hit


REDIRECT_HEADERS = [
    ("Cache-Control", "no-store"),  # every click must reach us, not a browser or proxy cache
    ("Content-Length", "0"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Content-Type-Options", "nosniff"),
]


def too_many(start_response, retry_after: int) -> list[bytes]:
    """The answer to an address over its redirect limit (plain text: a person may read it)."""
    body = (
        f"Too many links followed from your address. Please try again in {retry_after} seconds.\n"
    ).encode()
    start_response(
        "429 Too Many Requests",
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Retry-After", str(retry_after)),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ],
    )
    return [body]


class TrackingMiddleware:
    """Answers `GET|HEAD /r/<code>` before Flask; everything else goes to Flask untouched."""

    def __init__(self, tracker: Tracker, wsgi_app) -> None:
        self.tracker = tracker
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/r/") and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            address = client_ip(environ, self.tracker.forwarded_hops)
            retry_after = self.tracker.address_limit.retry_after(address)
            if retry_after:
                return too_many(start_response, retry_after)
            match = PATH_PATTERN.match(path)
            result = self.tracker.redirect(environ, match.group(1)) if match else None
            if result is not None:
                start_response("302 Found", [("Location", result[0]), *REDIRECT_HEADERS])
                return [b""]
        return self.wsgi_app(environ, start_response)
