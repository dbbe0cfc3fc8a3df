"""RFC 9457 problem details: the error body of every /api/ response."""

from __future__ import annotations

from flask import Response, jsonify
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

PROBLEM_TYPE = "about:blank"
PROBLEM_MIMETYPE = "application/problem+json"


class ProblemSchema(Schema):
    """The problem+json body, as documented in the OpenAPI spec."""

    type = fields.String(required=True)
    status = fields.Integer(required=True)
    title = fields.String(required=True)
    detail = fields.String()
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages per field; nested fields are dotted (`languages.0`)."},
    )


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
    response.mimetype = PROBLEM_MIMETYPE
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def field_errors(error: HTTPException) -> dict | None:
    """Flatten webargs/marshmallow messages ({"json": {"field": [...]}}) to {"field": [...]}, and
    nested ones ({"languages": {0: [...]}}) to dotted names, so every value is a list of strings."""
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if not messages:
        return None
    flat: dict[str, list[str]] = {}
    for location_messages in messages.values():
        _flatten(location_messages, "", flat)
    return flat


def _flatten(messages, prefix: str, flat: dict[str, list[str]]) -> None:
    if isinstance(messages, dict):
        for name, nested in messages.items():
            _flatten(nested, f"{prefix}.{name}" if prefix else str(name), flat)
    elif isinstance(messages, list | tuple):
        for message in messages:
            if isinstance(message, dict | list | tuple):
                _flatten(message, prefix, flat)
            else:
                flat.setdefault(prefix or "_schema", []).append(str(message))
    else:
        flat.setdefault(prefix or "_schema", []).append(str(messages))
