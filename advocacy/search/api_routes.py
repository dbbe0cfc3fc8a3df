"""Search in the JSON API: the same search, operators and permission rules as the page."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from advocacy.extensions import limiter
from advocacy.search import service
from advocacy.search.documents import DOCUMENT_TYPES
from advocacy.search.routes import search_rate, search_rate_key
from advocacy.web.api import ApiBlueprint, PageMeta, api_user

bp = ApiBlueprint("search_api", __name__, description="Search")


class SearchArgs(Schema):
    q = fields.String(
        load_default="",
        metadata={"description": "The search, with operators (see the README's Search section)."},
    )
    type = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(DOCUMENT_TYPES),
        metadata={"description": "Only results of this type."},
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(
        load_default=service.PER_PAGE, validate=validate.Range(min=1, max=service.PER_PAGE_MAX)
    )


class SearchHitSchema(Schema):
    key = fields.String(required=True, metadata={"description": "e.g. thread:12"})
    type = fields.String(required=True, validate=validate.OneOf(DOCUMENT_TYPES))
    title = fields.String(required=True)
    title_html = fields.String(
        required=True, metadata={"description": "The title, escaped, matches in <mark>."}
    )
    snippet_html = fields.String(
        required=True, metadata={"description": "Matching passages, escaped, matches in <mark>."}
    )
    url = fields.String(required=True)
    score = fields.Float(required=True)
    author_name = fields.String(required=True)
    space_name = fields.String(required=True)
    tags = fields.List(fields.String(), required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class SearchMetaSchema(PageMeta):
    capped = fields.Boolean(
        required=True, metadata={"description": "True when there are more results than `total`."}
    )


class SearchQuerySchema(Schema):
    text = fields.String(required=True)
    showing_results_for = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The corrected search whose results these are (typos)."},
    )
    did_you_mean = fields.String(
        required=True, allow_none=True, metadata={"description": "A correction to suggest."}
    )
    notices = fields.List(fields.String(), required=True)


class SearchPageSchema(Schema):
    items = fields.List(fields.Nested(SearchHitSchema), required=True)
    meta = fields.Nested(SearchMetaSchema, required=True)
    query = fields.Nested(SearchQuerySchema, required=True)


@bp.get("/search")
@bp.arguments(SearchArgs, location="query")
@bp.response(200, SearchPageSchema)
@bp.problems(422, 429, 503)
@limiter.limit(search_rate, key_func=search_rate_key)
def search(args):
    """Search what the token's owner may see (503 while the index is unavailable)."""
    outcome = service.search(
        api_user(),
        args["q"],
        doc_type=args["type"],
        page=args["page"],
        per_page=args["per_page"],
        source="api",
    )
    return {
        "items": outcome.hits,
        "meta": {
            "page": outcome.page,
            "per_page": outcome.per_page,
            "total": outcome.total,
            "pages": outcome.pages,
            "capped": outcome.results.capped,
        },
        "query": {
            "text": outcome.query.text,
            "showing_results_for": outcome.showing_results_for,
            "did_you_mean": outcome.did_you_mean,
            "notices": list(outcome.query.notices),
        },
    }
