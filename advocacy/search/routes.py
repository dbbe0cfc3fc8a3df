"""The search page, with as-you-type results, and the person card that people results open."""

from __future__ import annotations

from flask import Blueprint, current_app, g, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user

from advocacy.accounts.tokens import user_for_api_token
from advocacy.errors import ValidationFailed
from advocacy.extensions import limiter
from advocacy.models_base import utcnow
from advocacy.search import service
from advocacy.search.backends.base import SearchUnavailable
from advocacy.web.htmx import render, wants_fragment

bp = Blueprint("search", __name__)

LOG_REF = "search_log"  # the session's reference to the search being typed (see analytics.py)
RETRY_AFTER = "30"


def search_rate() -> str:
    """The per-user rate of searches (pages, as-you-type requests and the API alike)."""
    return current_app.config["RATELIMIT_SEARCH"]


def search_rate_key() -> str:
    """Rate limits count per user: the signed-in user, or the owner of the API token."""
    user = current_user if current_user.is_authenticated else None
    if user is None and request.path.startswith("/api/"):
        # Limits are checked before the API authenticates the request: find the token's owner.
        token = request.headers.get("Authorization", "").partition(" ")[2].strip()
        owners = g.setdefault("search_token_owners", {})
        if token and token not in owners:
            owners[token] = user_for_api_token(token)
        user = owners.get(token)
    return f"search-user:{user.id}" if user is not None else get_remote_address()


def _int_arg(name: str, default: int) -> int:
    value = request.args.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or len(value) > 9:
        raise ValidationFailed.field(name, f"The {name} must be a whole number, such as 2.")
    return int(value)


def _run(text: str, doc_type: str | None) -> tuple[dict, int]:
    """The page's context and status for a search (the errors are shown in the results area)."""
    try:
        outcome = service.search(
            current_user,
            text,
            doc_type=doc_type,
            page=_int_arg("page", 1),
            source="live" if wants_fragment() else "page",
            exact=request.args.get("exact") == "1",
            previous_log=session.get(LOG_REF),
        )
    except ValidationFailed as error:
        messages = [m for field in error.errors.values() for m in field] or [error.detail]
        return {"problem": " ".join(messages)}, 422
    except SearchUnavailable as error:
        return {"unavailable": error.detail}, 503
    if outcome.log_ref:
        session[LOG_REF] = outcome.log_ref
    return {"outcome": outcome}, 200


@bp.get("/search")
@limiter.limit(search_rate, key_func=search_rate_key)
def index():
    """Search; htmx requests (typing, paging, type tabs) get only the results region."""
    text, doc_type = request.args.get("q", ""), request.args.get("type") or None
    context, status = _run(text, doc_type) if text.strip() else ({}, 200)
    response = render(
        "search/search.html",
        "search/_results.html",
        status=status,
        text=text,
        doc_type=doc_type,
        types=service.searchable_types(),
        **context,
    )
    if status == 503:
        response.headers["Retry-After"] = RETRY_AFTER
    return response


@bp.get("/search/people/<int:user_id>")
def person(user_id: int):
    """A colleague's card: what they do, where, their teams and their local time."""
    return render("search/person.html", person=service.get_person(user_id), now=utcnow())
