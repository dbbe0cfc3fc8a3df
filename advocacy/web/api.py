"""What every /api/v1 endpoint shares: bearer-token auth, pagination and their OpenAPI parts.

The API authenticates only with `Authorization: Bearer <token>`, never with the session cookie,
so it needs no CSRF token and a page on another site cannot call it as the signed-in user.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, g, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import Select, func, select

from advocacy.accounts.tokens import user_for_api_token
from advocacy.extensions import csrf, db
from advocacy.web.problems import problem

API_PREFIX = "/api/v1"
MAX_PER_PAGE = 100

class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose every endpoint requires a valid bearer token
    (unless decorated with `@public_api`), exempt from CSRF."""

    def __init__(self, name: str, import_name: str, **kwargs):
        kwargs.setdefault("url_prefix", API_PREFIX)
        super().__init__(name, import_name, **kwargs)
        self.before_request(_authenticate)
        csrf.exempt(self)


def public_api(view: Callable) -> Callable:
    """Mark an endpoint that authenticates in its own way (e.g. signed server-to-server calls)."""
    view.is_public_api = True
    return view


def _authenticate():
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "is_public_api", False):
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return problem(401, "Unauthorized", "Send a personal API token: Authorization: Bearer <token>.",
                       headers={"WWW-Authenticate": 'Bearer realm="advocacy"'})
    user = user_for_api_token(token.strip())
    if user is None:
        return problem(401, "Unauthorized", "This token is unknown, revoked, or its owner is deactivated.",
                       headers={"WWW-Authenticate": 'Bearer realm="advocacy", error="invalid_token"'})
    g.api_user = user
    return None


def api_user():
    """The user whose token authenticated this API request."""
    return g.api_user


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
    """One page of a select as {"items": [...], "meta": {...}} (serialised by the response schema)."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique())
    pages = max(1, -(-total // per_page))
    return {"items": items, "meta": {"page": page, "per_page": per_page, "total": total, "pages": pages}}
