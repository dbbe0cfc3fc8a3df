"""Refuse, up front, what no view can use: text no database can store (NUL characters, which
PostgreSQL rejects, and lone UTF-16 surrogates, not encodable as UTF-8) wherever it comes from
(path, form or JSON), and API bodies that are not a JSON object. Without this each would
fail deep in a view as a 500, or be silently ignored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import BadRequest, UnprocessableEntity, UnsupportedMediaType

MESSAGE = (
    "The text you sent contains a character that cannot be stored (a NUL character or an "
    "unpaired surrogate). Remove it and try again."
)


def is_storable(text: str) -> bool:
    """True when `text` has no NUL and encodes as UTF-8."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def api_body() -> Any:
    """The API request's JSON body (None when there is none): 415 when it is not JSON, 400 when
    it does not parse, 422 when it is not an object."""
    if request.method not in ("POST", "PUT", "PATCH", "DELETE") or not request.get_data(cache=True):
        return None
    if not request.is_json:
        raise UnsupportedMediaType("Send a JSON object with Content-Type: application/json.")
    try:
        body = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError) as error:
        raise BadRequest(f"The body is not valid JSON ({str(error)[:120]}).") from None
    if not isinstance(body, dict):
        raise UnprocessableEntity('The body must be a JSON object, like {"name": "value"}.')
    return body


def refuse_unusable_input() -> None:
    """A before-request hook: 400 when any part of the request holds unstorable text, and the
    API's body rules above."""
    # Query strings are left to their readers: search treats a NUL as a word break, the rest
    # parse numbers and choices and never store what they read.
    texts = [request.path]
    if request.path.startswith("/api/"):
        texts += list(_strings(api_body()))
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        texts += [item for pair in request.form.items(multi=True) for item in pair]
    if not all(is_storable(text) for text in texts):
        raise BadRequest(MESSAGE)


def init_app(app: Flask) -> None:
    """Install the hook."""
    app.before_request(refuse_unusable_input)
