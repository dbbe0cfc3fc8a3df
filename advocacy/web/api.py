"""What every /api/v1 endpoint shares: bearer-token auth, pagination and their OpenAPI parts.

The API authenticates only with `Authorization: Bearer <token>`, never with the session cookie,
so it needs no CSRF token and a page on another site cannot call it as the signed-in user.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from http import HTTPStatus

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint
from limits import parse_many
from marshmallow import Schema, fields, validate
from sqlalchemy import Select, func, select

from advocacy.accounts.tokens import user_for_api_token
from advocacy.errors import Forbidden
from advocacy.extensions import csrf, db, limiter
from advocacy.web.converters import MAX_ID
from advocacy.web.problems import PROBLEM_MIMETYPE, ProblemSchema, problem

API_PREFIX = "/api/v1"
MAX_PER_PAGE = 100
SECURITY_SCHEME = "bearerAuth"
DEFAULT_PROBLEM = "Problem"


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose every endpoint requires a valid bearer token
    (unless decorated with `@public_api`), exempt from CSRF, and documents both in the spec."""

    def __init__(self, name: str, import_name: str, **kwargs):
        kwargs.setdefault("url_prefix", API_PREFIX)
        super().__init__(name, import_name, **kwargs)
        self.before_request(_authenticate)
        csrf.exempt(self)
        self._prepare_doc_cbks = [*self._prepare_doc_cbks, _document_problems_and_security]

    def problems(self, *statuses: int) -> Callable:
        """Document the problem+json errors (403, 404, 409...) an endpoint answers with."""

        def decorator(view: Callable) -> Callable:
            for status in statuses:
                view = self.alt_response(status, response=problem_response_name(status))(view)
            return view

        return decorator


def public_api(view: Callable) -> Callable:
    """Mark an endpoint that authenticates in its own way (e.g. signed server-to-server calls).
    Apply it below the route decorator."""
    view.is_public_api = True
    view._apidoc = {**getattr(view, "_apidoc", {}), "public_api": True}
    return view


def problem_response_name(status: int) -> str:
    """The spec's response component for a problem+json error, e.g. `ForbiddenProblem`."""
    return HTTPStatus(status).phrase.title().replace(" ", "").replace("-", "") + DEFAULT_PROBLEM


def _register_problem_components(spec) -> None:
    """The Problem schema and one problem+json response per error status (lazily, so only those
    referenced appear); once per spec."""
    if DEFAULT_PROBLEM in spec.components.schemas:
        return
    spec.components.schema(DEFAULT_PROBLEM, schema=ProblemSchema)
    content = {PROBLEM_MIMETYPE: {"schema": DEFAULT_PROBLEM}}
    spec.components.response(
        DEFAULT_PROBLEM, {"description": "Problem details (RFC 9457)", "content": content}
    )
    for status in HTTPStatus:
        if status < 400:
            continue
        response = {"description": status.phrase, "content": content}
        if status == HTTPStatus.UNAUTHORIZED:
            response["headers"] = {
                "WWW-Authenticate": {
                    "schema": {"type": "string"},
                    "description": "The Bearer challenge.",
                }
            }
        spec.components.response(problem_response_name(status), response, lazy=True)


def _document_problems_and_security(doc: dict, doc_info: dict, *, spec, **kwargs) -> dict:
    """Point flask-smorest's error responses (its `Error` schema, application/json) at our
    problem+json ones, and document the bearer token with its 401 on every non-public endpoint."""
    _register_problem_components(spec)
    responses = doc.setdefault("responses", {})
    for status, response in responses.items():
        if isinstance(response, str):
            responses[status] = (
                DEFAULT_PROBLEM if status == "default" else problem_response_name(int(status))
            )
    responses.setdefault("default", DEFAULT_PROBLEM)
    if doc_info.get("public_api"):
        doc["security"] = []
    else:
        responses.setdefault(401, problem_response_name(401))
        doc["security"] = [{SECURITY_SCHEME: []}]
    return doc


def _token_failure_limits():
    return parse_many(current_app.config["RATELIMIT_TOKEN_FAILURES"])


def failed_tokens_exceeded() -> bool:
    """Whether this address sent too many unknown tokens lately: guessing tokens is refused
    (429) before any more are looked up."""
    if not limiter.enabled:
        return False
    address = get_remote_address()
    return not all(
        limiter.limiter.test(item, "token-failures", address) for item in _token_failure_limits()
    )


def note_failed_token() -> None:
    """Count an unknown, revoked or deactivated token against this address."""
    if limiter.enabled:
        for item in _token_failure_limits():
            limiter.limiter.hit(item, "token-failures", get_remote_address())


def _authenticate():
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "is_public_api", False):
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return problem(
            401,
            "Unauthorized",
            "Send a personal API token: Authorization: Bearer <token>.",
            headers={"WWW-Authenticate": 'Bearer realm="advocacy"'},
        )
    if failed_tokens_exceeded():
        return problem(
            429,
            "Too Many Requests",
            "Too many unknown tokens were sent from your address. Wait a minute and send a valid "
            "token.",
            headers={"Retry-After": "60"},
        )
    user = user_for_api_token(token.strip())
    if user is None:
        note_failed_token()
        return problem(
            401,
            "Unauthorized",
            "This token is unknown, revoked, or its owner is deactivated.",
            headers={"WWW-Authenticate": 'Bearer realm="advocacy", error="invalid_token"'},
        )
    g.api_user = user
    return None


def api_user():
    """The user whose token authenticated this API request."""
    return g.api_user


def admin_only(what: str) -> Callable[[Callable], Callable]:
    """A view for admins only: anyone else is refused (403 "Only admins <what>.") before the view
    reads its input or looks anything up, so a refusal never tells what exists. Put it right
    under the route decorator: smorest parses the arguments in the decorators below it."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def admins_only(*args, **kwargs):
            if not api_user().is_admin:
                raise Forbidden(f"Only admins {what}.")
            return view(*args, **kwargs)

        return admins_only

    return decorate


class Id(fields.Integer):
    """An id sent to the API: a positive integer the database's id columns can hold (a bigger
    one is a 422 here rather than an overflow in the database)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=1, max=MAX_ID))
        super().__init__(**kwargs)


class PageArgs(Schema):
    """`page` and `per_page` query parameters."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class PageMeta(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """A response schema for one page of `item_schema` items."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "meta": fields.Nested(PageMeta, required=True),
        },
        name=f"{item_schema.__name__.removesuffix('Schema')}Page",
    )


def paginate(query: Select, page: int, per_page: int) -> dict:
    """One page of a select as {"items": [...], "meta": {...}}, for the response schema."""
    total = (
        db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    )
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique())
    pages = max(1, -(-total // per_page))
    return {
        "items": items,
        "meta": {"page": page, "per_page": per_page, "total": total, "pages": pages},
    }
