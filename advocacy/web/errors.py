"""Error responses: problem+json under /api/, an error page otherwise, a fragment for htmx."""

from __future__ import annotations

import logging

from flask import Flask, current_app, make_response, request
from flask_wtf.csrf import CSRFError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from advocacy.errors import ServiceError
from advocacy.extensions import db
from advocacy.web.htmx import render, wants_fragment
from advocacy.web.problems import field_errors, problem

log = logging.getLogger("advocacy.errors")

UNREACHABLE_RETRY_AFTER = 10  # seconds: about what a database restart takes

FRIENDLY_DETAIL = {
    400: "The request could not be understood.",
    401: "Sign in to continue.",
    403: "You do not have permission to do this.",
    404: "There is nothing here. The link may be wrong, or the page was removed.",
    405: "This action is not allowed here.",
    409: "This conflicts with the current state of the item.",
    413: "What you sent is too large.",
    503: "The service is unavailable for a moment.",
    422: "Some of what you sent is not valid.",
    429: "Too many attempts. Please wait a moment and try again.",
    500: "Something went wrong on our side. It has been logged.",
}


def is_api_request() -> bool:
    """True for the JSON API, whose clients expect problem+json."""
    return request.path.startswith("/api/")


def handle_http_error(error: HTTPException):
    """Answer any HTTP error in the form the client asked for."""
    status = error.code or 500
    if isinstance(error, CSRFError):
        detail = "The form's security token is missing or expired. Reload the page and try again."
    elif status == 429:
        detail = f"{FRIENDLY_DETAIL[429]} (Limit: {error.description}.)"
    elif status == 413:
        detail = too_large_detail()
    elif error.description and error.description != type(error).description:
        detail = error.description
    else:
        detail = FRIENDLY_DETAIL.get(status, error.description)
    headers = {}
    if status == 429:
        retry_after = getattr(error, "retry_after", None)
        headers["Retry-After"] = str(retry_after or 60)
    if status == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    if is_api_request():
        return problem(status, error.name, detail, field_errors(error), headers)
    return _error_page(status, error.name, detail, headers)


def too_large_detail() -> str:
    """Say what the limits are, so the sender knows what to shorten."""
    config = current_app.config
    whole = config.get("MAX_CONTENT_LENGTH") or 0
    field = config.get("MAX_FORM_MEMORY_SIZE") or 0
    return (
        f"{FRIENDLY_DETAIL[413]} A request may hold at most {whole // (1024 * 1024)} MB, and one "
        f"text field at most {field // 1024} KB. Shorten the text or send a smaller file."
    )


def _error_page(status: int, title: str, detail: str, headers: dict):
    response = render(
        "errors/error.html",
        "errors/_error.html",
        status=status,
        code=status,
        title=title,
        detail=detail,
    )
    if wants_fragment():
        # Show the error where messages go instead of replacing the region the user clicked.
        response.headers["HX-Retarget"] = "#messages"
        response.headers["HX-Reswap"] = "beforeend"
    response.headers.update(headers)
    return response


def handle_service_error(error: ServiceError):
    """A caller's mistake reported by a service: its status, its words, its field errors."""
    if is_api_request():
        return problem(error.status, error.title, error.detail, error.errors or None)
    return _error_page(error.status, error.title, error.detail, {})


def handle_unreachable_service(error: Exception):
    """The database (or Redis) dropped the connection or refuses new ones, e.g. while it
    restarts: a 503 the client may retry, not a 500. The pool's pre-ping replaces the dead
    connections on the next request, so the app recovers by itself once the server is back."""
    log.warning("service unreachable on %s %s: %s", request.method, request.path, error)
    db.session.rollback()
    detail = (
        "The database cannot be reached right now, so this request was not completed. "
        "Try again in a moment."
    )
    if not isinstance(error, SQLAlchemyError):
        detail = "A background service cannot be reached right now. Try again in a moment."
    headers = {"Retry-After": str(UNREACHABLE_RETRY_AFTER)}
    if is_api_request():
        return problem(503, "Service Unavailable", detail, None, headers)
    template = "errors/_error.html" if wants_fragment() else "errors/unavailable.html"
    # Straight from Jinja: the context processors (the signed-in user, the organisation's
    # name) would need the missing database.
    page = current_app.jinja_env.get_template(template).render(
        request=request, code=503, title="Service Unavailable", detail=detail
    )
    response = make_response(page, 503, headers)
    if wants_fragment():
        response.headers.update({"HX-Retarget": "#messages", "HX-Reswap": "beforeend"})
    return response


def handle_unexpected_error(error: Exception):
    """Log an unhandled exception and answer 500 without leaking its details."""
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return handle_http_error(InternalServerError())


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(ServiceError, handle_service_error)
    app.register_error_handler(Exception, handle_unexpected_error)
    for unreachable in (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError):
        app.register_error_handler(unreachable, handle_unreachable_service)
