"""Limits every feature shares: how often one person may post (pages and API alike).

Posting means any POST, PUT, PATCH or DELETE by someone signed in or holding an API token: new
threads, replies, content, shares, reactions, edits. One budget for all of it, per person,
generous for real work (a moderator clearing a queue, someone reacting down a thread) and a wall
for a script or a stuck client. Signing in and password resets have limits of their own (per
address), search too (per user). The answer is a 429 with Retry-After.
"""

from __future__ import annotations

import hashlib

from flask import current_app, request
from flask_limiter import ApplicationLimit
from flask_login import current_user

POSTING_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def posting_rate() -> str:
    """The per-person posting rate, from RATELIMIT_POSTING."""
    return current_app.config["RATELIMIT_POSTING"]


def _bearer_token() -> str:
    return request.headers.get("Authorization", "").partition(" ")[2].strip()


def poster_key() -> str:
    """Who is posting: the signed-in user, or (in the API, before it authenticates the request)
    a digest of the bearer token, so each token has its own budget without a database query."""
    if current_user.is_authenticated:
        return f"poster:user:{current_user.id}"
    digest = hashlib.sha256(_bearer_token().encode()).hexdigest()[:32]
    return f"poster:token:{digest}"


def is_not_posting() -> bool:
    """Signed-out visitors are left to the sign-in and reset limits (and to CSRF)."""
    if request.path.startswith("/api/"):
        return not _bearer_token()
    return not current_user.is_authenticated


POSTING_LIMIT = ApplicationLimit(
    limit_provider=posting_rate,
    key_function=poster_key,
    scope="posting",
    methods=POSTING_METHODS,
    exempt_when=is_not_posting,
    error_message="you are posting too quickly",
)
