"""Pages of the bridge to the advocacy feed: propose a post as shareable content, and open a
content item's internal discussion (from its content page)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user

from advocacy.discussions import threads
from advocacy.discussions.bridge import service
from advocacy.discussions.bridge.forms import ProposalForm
from advocacy.discussions.markdown import plain_text
from advocacy.errors import Conflict, ValidationFailed
from advocacy.feeds import workflow
from advocacy.web.forms import apply_errors
from advocacy.web.htmx import redirect_or_refresh, render

bp = Blueprint("bridge", __name__, url_prefix="/discussions")
EXCERPT_MAX = 400


def _propose_page(post, form: ProposalForm, status: int = 200):
    existing = service.find_proposal(post)
    return render(
        "discussions/propose.html",
        "discussions/_propose_form.html",
        status=status,
        post=post,
        thread=post.thread,
        space=post.thread.space,
        form=form,
        existing=existing,
        existing_content=service.proposal_content(existing, current_user) if existing else None,
        excerpt=plain_text(post.body_html, EXCERPT_MAX),
    )


@bp.get("/posts/<int:post_id>/propose")
def propose_form(post_id: int):
    """Propose a post (or, through its opening post, a thread) as content for the feed."""
    post = threads.get_post(current_user, post_id)
    form = ProposalForm(formdata=None, obj=service.proposal_defaults(post))
    return _propose_page(post, form)


@bp.post("/posts/<int:post_id>/propose")
def propose(post_id: int):
    """Submit the proposal to the curators; bad input or a duplicate comes back with the text
    as typed and the reason."""
    post = threads.get_post(current_user, post_id)
    form = ProposalForm()
    if not form.validate_on_submit():
        return _propose_page(post, form, 422)
    try:
        item = service.propose_post(current_user, post, form.proposal())
    except (ValidationFailed, Conflict) as error:
        apply_errors(form, error)
        if error.errors and error.detail not in form.form_errors:
            form.form_errors.insert(0, error.detail)
        return _propose_page(post, form, error.status)
    flash("Proposed: the curators will review it, and you will get an e-mail then.", "success")
    return redirect_or_refresh(url_for("feeds.content_page", content_id=item.id))


@bp.post("/content/<int:content_id>/discussion")
def discuss(content_id: int):
    """Open a content item's internal discussion, starting its thread on first use."""
    item = workflow.get_visible_content(content_id, current_user)
    thread = service.open_content_discussion(current_user, item)
    return redirect(url_for("threads.view", thread_id=thread.id), code=303)
