"""Page-or-fragment rendering: one template set serves a full load and an htmx swap."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import (
    Response,
    flash,
    get_flashed_messages,
    make_response,
    redirect,
    render_template,
    request,
)
from flask_htmx import make_response as htmx_response

from advocacy.extensions import htmx


def wants_fragment() -> bool:
    """True for a targeted htmx request; boosted navigation and history restores need the page."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(
    page: str,
    fragment: str | None = None,
    status: int = 200,
    trigger: str | dict | None = None,
    **context,
) -> Response:
    """Render `page`, or only `fragment` (plus out-of-band flash messages) for htmx swaps."""
    if fragment and wants_fragment():
        body = render_template(fragment, **context)
        if request.method != "GET" or _has_flashes():
            body += render_template("_partials/_flashes.html", oob=True)
        response = make_response(body, status)
    else:
        response = make_response(render_template(page, **context), status)
    if trigger:
        response.headers["HX-Trigger"] = json.dumps(
            trigger if isinstance(trigger, dict) else {trigger: True}
        )
    response.vary.add("HX-Request")
    return response


def _has_flashes() -> bool:
    # Flask caches flashed messages on the request, so the template still sees these.
    return bool(get_flashed_messages())


def fragment_or_redirect(
    fragment: Callable[[], Response], location: str, message: str | None = None
) -> Response:
    """After a successful POST: a targeted htmx request gets `fragment()` (the region it updates,
    flashed messages riding along out-of-band); a plain or boosted form goes to `location`.
    `message` is flashed on the way to `location` only: a swapped region shows what changed."""
    if wants_fragment():
        return fragment()
    if message:
        flash(message, "success")
    response = redirect(location, code=303)  # a boosted form follows it like a browser does
    response.vary.add("HX-Request")
    return response


def redirect_or_refresh(location: str) -> Response:
    """After a POST: a plain redirect, or for htmx an HX-Location navigation that keeps history."""
    response = htmx_response(location=location) if htmx else redirect(location, code=303)
    response.vary.add("HX-Request")
    return response
