"""Stored images, served from our own origin (the placeholder until one is fetched)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Blueprint, Response, abort, current_app

from advocacy.media.images import image_by_key

bp = Blueprint("media", __name__, url_prefix="/media")


@cache
def placeholder(static_folder: str) -> bytes:
    """The neutral picture shown until an image is fetched (read once per process)."""
    return (Path(static_folder) / "media" / "placeholder.svg").read_bytes()


@bp.get("/images/<key>")
def image(key: str):
    """The image behind `key`: its bytes (cached for good: a key never changes its image), or
    the placeholder while it is fetched or when it could not be (not cached: it may arrive)."""
    stored = image_by_key(key[:32])
    if stored is None:
        abort(404)
    if not stored.ready:
        response = Response(placeholder(current_app.static_folder), mimetype="image/svg+xml")
        response.headers["Cache-Control"] = "no-cache"
        return response
    response = Response(stored.data, mimetype=stored.mime)
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    response.headers["Content-Disposition"] = "inline"
    return response
