"""Reach pages, and `/r/<code>` as Flask sees it: the tracking middleware answers every known
code first, so this view serves the 404 page of unknown ones (and any request that bypasses the
middleware, with the same rules)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request

from advocacy.accounts.auth import public

tracking_bp = Blueprint("tracking", __name__)


@tracking_bp.get("/r/<code>")
@public
def follow(code: str):
    """302 to the tracked link's destination, recording the hit; unknown codes are 404."""
    result = current_app.extensions["tracker"].redirect(request.environ, code)
    if result is None:
        abort(404, "This link is unknown. Check it was copied whole.")
    response = redirect(result[0], code=302)
    response.headers["Cache-Control"] = "no-store"
    return response
