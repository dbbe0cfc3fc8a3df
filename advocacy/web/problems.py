"""RFC 9457 problem details: the error body of every /api/ response."""

from __future__ import annotations

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

PROBLEM_TYPE = "about:blank"


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    errors: dict | None = None,
    headers: dict | None = None,
) -> Response:
    """A problem+json response; `errors` maps field names to lists of messages."""
    body = {"type": PROBLEM_TYPE, "status": status, "title": title}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def field_errors(error: HTTPException) -> dict | None:
    """Flatten webargs/marshmallow messages ({"json": {"field": [...]}}) to {"field": [...]}."""
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if not messages:
        return None
    flat: dict = {}
    for location_messages in messages.values():
        if isinstance(location_messages, dict):
            flat.update(location_messages)
        else:
            flat.setdefault("_schema", []).extend(location_messages)
    return flat
