"""Content pages: suggest, edit, the content page with its share buttons and audit trail,
workflow actions, sharing, and the social media policy."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from advocacy.errors import Conflict, ValidationFailed
from advocacy.feeds import compliance, content, editing, sharing, workflow
from advocacy.feeds.forms import ContentForm, ReviewForm, ShareForm, content_form_errors
from advocacy.feeds.models import CAPTION_NETWORKS, ContentState, Network
from advocacy.feeds.pages import (
    card_context,
    content_page_context,
    share_option,
    share_panel_context,
)
from advocacy.web.forms import apply_errors
from advocacy.web.htmx import redirect_or_refresh, render, wants_fragment
from advocacy.web.params import text_arg
from advocacy.web.redirects import safe_next_url

bp = Blueprint("feeds", __name__)


def _content_form(formdata=None) -> ContentForm:
    kwargs = {} if formdata is not False else {"formdata": None}
    return ContentForm(
        teams=content.team_choices(),
        locations=content.location_choices(),
        languages=content.language_choices(),
        **kwargs,
    )


def _form_page(form: ContentForm, item=None, status: int = 200):
    return render(
        "feeds/edit.html",
        "feeds/_content_form.html",
        status=status,
        form=form,
        item=item,
        zone=current_user.timezone,
    )


def _save(form: ContentForm, item=None):
    """Validate and save the form; returns the content, or None with errors on the form."""
    if not form.validate_on_submit():
        return None
    try:
        data = form.content_input(current_user.timezone)
        if item is None:
            saved = content.create_content(data, current_user)
        else:
            saved = editing.update_content(item, data, current_user)
        if request.form.get("intent") == "submit" and saved.state == ContentState.DRAFT:
            workflow.transition(saved, "submit", current_user)
    except ValidationFailed as error:
        apply_errors(form, content_form_errors(error))
        form.form_errors.insert(0, error.detail)
        return None
    return saved


@bp.route("/content/new", methods=["GET", "POST"])
def new_content():
    """Suggest content: save a draft, or submit it for review at once."""
    form = _content_form(formdata=None if request.method == "POST" else False)
    if request.method == "POST":
        saved = _save(form)
        if saved is not None:
            flash(_saved_message(saved), "success")
            return redirect_or_refresh(url_for("feeds.content_page", content_id=saved.id))
    return _form_page(form, status=422 if form.is_submitted() else 200)


def _saved_message(saved) -> str:
    if saved.state == ContentState.SUBMITTED:
        return "Submitted for review. You will get an e-mail when it is reviewed."
    return "Saved."


@bp.route("/content/<int:content_id>/edit", methods=["GET", "POST"])
def edit_content(content_id: int):
    """Edit content (its author or a reviewer, while the workflow allows)."""
    item = workflow.get_visible_content(content_id, current_user)
    if not workflow.can_edit(current_user, item):
        raise Conflict(f"“{item.title}” cannot be edited by you while it is {item.state}.")
    form = _content_form(formdata=None if request.method == "POST" else False)
    if request.method == "GET":
        form.fill_from(content.content_to_input(item), current_user.timezone)
        return _form_page(form, item)
    saved = _save(form, item)
    if saved is None:
        return _form_page(form, item, status=422)
    flash(_saved_message(saved), "success")
    return redirect_or_refresh(url_for("feeds.content_page", content_id=saved.id))


@bp.get("/content/mine")
def mine():
    """What I suggested, in every state."""
    return render("feeds/mine.html", items=content.list_authored(current_user))


@bp.get("/content/<int:content_id>")
def content_page(content_id: int):
    """A content item: its share panel, its state, actions and audit trail."""
    item = workflow.get_visible_content(content_id, current_user)
    chosen = text_arg("network", "", 20)
    return render("feeds/content.html", **content_page_context(item, current_user, chosen=chosen))


@bp.post(
    "/content/<int:content_id>/<any(submit, withdraw, approve, reject, reopen, archive):action>"
)
def act(content_id: int, action: str):
    """Take a workflow action (reject needs a note)."""
    item = workflow.get_visible_content(content_id, current_user)
    form = ReviewForm()
    if not form.validate_on_submit():
        raise ValidationFailed("The note is too long.", {"note": form.note.errors})
    workflow.transition(item, action, current_user, form.note.data or "")
    flash(f"“{item.title}” is {workflow.TRANSITIONS[action].verb}.", "success")
    return redirect_or_refresh(url_for("feeds.content_page", content_id=item.id))


@bp.get("/content/<int:content_id>/share")
def share_panel(content_id: int):
    """The share panel of an item: the feed's share dialog loads it; without htmx, the item's
    page (which shows the same panel)."""
    item = workflow.get_visible_content(content_id, current_user)
    chosen = text_arg("network", "", 20)
    if wants_fragment():
        return render(
            "feeds/_share_panel.html",
            "feeds/_share_panel.html",
            **share_panel_context(item, current_user, chosen=chosen),
        )
    return redirect(url_for("feeds.content_page", content_id=item.id, _anchor="share"))


@bp.get("/content/<int:content_id>/card")
def card(content_id: int):
    """One feed card, refreshed after its item was shared (its "Shared" state and points)."""
    item = workflow.get_visible_content(content_id, current_user)
    return render("feeds/_card.html", "feeds/_card.html", **card_context(item, current_user))


@bp.get("/content/<int:content_id>/share/<network>")
def share_link_opened(content_id: int, network: str):
    """An old one-click share link, or a prefetcher: nothing is recorded on a GET, the share
    panel opens on that network instead."""
    item = workflow.get_visible_content(content_id, current_user)
    network = sharing.check_network(network).value
    return redirect(
        url_for("feeds.content_page", content_id=item.id, network=network, _anchor="share"),
        code=303,
    )


@bp.post("/content/<int:content_id>/share/<network>")
def share_now(content_id: int, network: str):
    """Share from the dialog: record the intent with the caption picked (or written) and go to
    the network's share dialog (the form opens a new tab; e-mail uses the same one). Before a
    first share the policy is acknowledged inline, in the same form."""
    item = workflow.get_visible_content(content_id, current_user)
    network = sharing.check_network(network).value
    form = ShareForm()
    try:
        if not form.validate_on_submit():
            raise ValidationFailed("The caption is too long.", {"caption": form.caption.errors})
        acknowledged = int_field("acknowledge")
        if acknowledged is not None and not compliance.has_acknowledged_current(current_user):
            compliance.acknowledge_policy(current_user, acknowledged)
        caption = form.caption.data if item.captions_editable and form.caption.data else None
        result = sharing.share_content(
            current_user, item, network, caption, variant=int_field("variant")
        )
    except (ValidationFailed, Conflict) as error:
        apply_errors(form, error)
        option = share_option(item, current_user, Network(network), form=form)
        return _share_answer(item, option, status=error.status)
    return redirect(result.intent_url, code=303)


def int_field(name: str) -> int | None:
    """A small whole number from the form (None when absent), else ValidationFailed."""
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 6:
        raise ValidationFailed.field(name, "This must be a whole number.")
    return int(raw)


@bp.post("/content/<int:content_id>/shares")
def share(content_id: int):
    """Get one's copyable tracked link (or prepare a post with an edited caption): the answer
    shows the link and caption to copy and the button that opens the network."""
    item = workflow.get_visible_content(content_id, current_user)
    form = ShareForm()
    network = sharing.check_network(request.form.get("network", "")).value
    caption = (
        form.caption.data if form.caption.data is not None and item.captions_editable else None
    )
    try:
        if not form.validate_on_submit():
            raise ValidationFailed("The caption is too long.", {"caption": form.caption.errors})
        result = sharing.share_content(current_user, item, network, caption)
    except (ValidationFailed, Conflict) as error:
        apply_errors(form, error)
        option = share_option(item, current_user, Network(network), form=form)
        return _share_answer(item, option, status=error.status)
    option = share_option(item, current_user, Network(network), result=result)
    return _share_answer(item, option, status=201)


def _share_answer(item, option, status: int):
    if wants_fragment():
        return render(
            "feeds/_share_network.html",
            "feeds/_share_network.html",
            status=status,
            **share_panel_context(item, current_user, replaced=option),
            option=option,
        )
    context = content_page_context(item, current_user, replaced=option)
    return render("feeds/content.html", status=status, **context)


@bp.route("/policy", methods=["GET", "POST"])
def policy():
    """The social media policy in force; acknowledging it unlocks sharing."""
    current = compliance.current_policy()
    next_url = safe_next_url(request.values.get("next"))
    if request.method == "POST":
        version = request.form.get("version", type=int)
        compliance.acknowledge_policy(current_user, version)
        flash("Thank you: you can share now.", "success")
        return redirect(next_url, code=303)
    return render(
        "feeds/policy.html",
        policy=current,
        acknowledged=compliance.has_acknowledged_current(current_user),
        next_url=next_url,
        networks=CAPTION_NETWORKS,
    )
