"""The review queue: submitted content the reviewer may approve, with bulk approve and reject."""

from __future__ import annotations

from flask import Blueprint, abort, flash, url_for
from flask_login import current_user

from advocacy.errors import ValidationFailed
from advocacy.feeds import workflow
from advocacy.feeds.forms import BulkReviewForm
from advocacy.feeds.pages import audience_summaries
from advocacy.feeds.panels import load_panels
from advocacy.web.forms import apply_errors
from advocacy.web.htmx import redirect_or_refresh, render, wants_fragment

bp = Blueprint("feeds_queue", __name__, url_prefix="/queue")


@bp.before_request
def _reviewers_only():
    """Curators, admins and team leaders have a queue; others get 403."""
    if not workflow.can_review_any(current_user):
        abort(403)


def _queue_page(status: int = 200, form: BulkReviewForm | None = None, outcome=None):
    items = workflow.review_queue(current_user)
    return render(
        "feeds/queue.html",
        "feeds/_queue.html",
        status=status,
        items=items,
        audiences=audience_summaries(items),
        panels=load_panels(current_user, items, "queue"),
        form=form or BulkReviewForm(formdata=None),
        outcome=outcome,
    )


@bp.get("/")
def index():
    """Submitted content waiting for this reviewer, oldest first."""
    return _queue_page()


@bp.post("/")
def bulk():
    """Approve or reject the selected items; refused ones are listed with the reason."""
    form = BulkReviewForm()
    if not form.validate_on_submit():
        return _queue_page(422, form)
    try:
        outcome = workflow.bulk_review(
            form.content_ids.data or [], form.action.data, current_user, form.note.data or ""
        )
    except ValidationFailed as error:
        apply_errors(form, error)
        return _queue_page(error.status, form)
    verb = "approved" if form.action.data == "approve" else "rejected"
    if outcome.done:
        flash(
            f"{len(outcome.done)} {'item' if len(outcome.done) == 1 else 'items'} {verb}.",
            "success",
        )
    for _content_id, title, reason in outcome.refused:
        flash(f"Not {verb}: {title}. {reason}", "error")
    if wants_fragment() or outcome.status != 200:
        return _queue_page(outcome.status, outcome=outcome)
    return redirect_or_refresh(url_for("feeds_queue.index"))
