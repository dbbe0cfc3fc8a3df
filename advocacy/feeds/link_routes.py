"""`/r/<code>`: a tracked link's plain redirect to its destination. The leaderboard replaces it
with a cached, click-recording version; the destination only ever comes from the database."""

from __future__ import annotations

from flask import Blueprint, abort, redirect

from advocacy.accounts.auth import public
from advocacy.feeds.sharing import find_tracked_link, tracked_destination

bp = Blueprint("feeds_links", __name__)


@bp.get("/r/<code>")
@public
def follow(code: str):
    """302 to the destination with tracking parameters; unknown codes are 404."""
    link = find_tracked_link(code)
    if link is None:
        abort(404, "This link is unknown. Check it was copied whole.")
    response = redirect(tracked_destination(link), code=302)
    response.headers["Cache-Control"] = "no-store"
    return response
