"""Admin pages: the index's status (with a rebuild and its progress) and search analytics."""

from __future__ import annotations

from flask import Blueprint, request, url_for
from flask_login import current_user

from advocacy.accounts.auth import admin_required
from advocacy.errors import Conflict, ValidationFailed
from advocacy.search import analytics, indexing, service
from advocacy.web.htmx import fragment_or_redirect, render

bp = Blueprint("search_admin", __name__, url_prefix="/admin/search")


@bp.before_request
@admin_required
def _admins_only():
    """Every page here is for admins."""


def _status_page(status: int = 200, error: str | None = None, started=None):
    return render(
        "search/admin_status.html",
        "search/_admin_status.html",
        status=status,
        index=service.index_status(),
        error=error,
        started=started,
    )


@bp.get("/")
def status():
    """The index: backend, health, documents per type, last update, lag, a rebuild in progress."""
    return _status_page()


@bp.post("/reindex")
def reindex():
    """Start rebuilding the index in the background; the page shows its progress."""
    try:
        run = indexing.start_reindex(current_user.id)
    except Conflict as error:
        return _status_page(409, error.detail)
    # htmx: the progress replaces the button, polling itself
    return fragment_or_redirect(
        lambda: _status_page(202, started=run), url_for("background.job_status", run_id=run.id)
    )


@bp.get("/analytics")
def analytics_page():
    """Top searches and searches that found nothing, over a period."""
    days = request.args.get("days", "30")
    if not days.isdigit() or int(days) not in analytics.PERIODS:
        raise ValidationFailed.field(
            "days", f"Choose a period of {', '.join(map(str, analytics.PERIODS))} days."
        )
    days = int(days)
    return render(
        "search/admin_analytics.html",
        days=days,
        periods=analytics.PERIODS,
        totals=analytics.search_totals(days),
        top=analytics.top_queries(days),
        zero=analytics.zero_result_queries(days),
    )
