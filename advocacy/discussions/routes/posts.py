"""Post actions: edit and its history, delete and restore, reactions and flags; the moderation
queue; a person's page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from advocacy.discussions import access, moderation, people_info, reading, threads
from advocacy.discussions.forms import EditPostForm, FlagForm
from advocacy.discussions.links import PostLinks
from advocacy.discussions.routes.spaces import private_space_page
from advocacy.errors import Conflict, Forbidden, ValidationFailed
from advocacy.web.forms import apply_errors
from advocacy.web.htmx import fragment_or_redirect, render

bp = Blueprint("posts", __name__, url_prefix="/discussions/posts")
moderation_bp = Blueprint("moderation", __name__, url_prefix="/discussions/moderation")
people_bp = Blueprint("people", __name__, url_prefix="/people")


def _post_url(post) -> str:
    return url_for("threads.view", thread_id=post.thread_id) + f"#post-{post.id}"


@bp.get("/<int:post_id>")
def permalink(post_id: int):
    """A post's lasting address: its thread, on the page that shows it."""
    try:
        post = threads.get_post(current_user, post_id)
    except Forbidden:
        return private_space_page(access.space_of_post(post_id))
    page = reading.page_of_post(post)
    anchor = f"#post-{post.id}"
    if page == 1:
        return redirect(url_for("threads.view", thread_id=post.thread_id) + anchor)
    return redirect(url_for("threads.view", thread_id=post.thread_id, page=page) + anchor)


def _edit_page(post, form, status: int = 200):
    return render(
        "discussions/edit_post.html", status=status, post=post, thread=post.thread, form=form
    )


@bp.get("/<int:post_id>/edit")
def edit_form(post_id: int):
    """The edit form of a post (the thread's title too for an opening post)."""
    post = threads.get_post(current_user, post_id)
    if not threads.can_edit(current_user, post):
        access.check_can_moderate(current_user, post.thread.space)
    form = EditPostForm(formdata=None, body=post.body_source, title=post.thread.title)
    return _edit_page(post, form)


@bp.post("/<int:post_id>/edit")
def edit(post_id: int):
    """Save an edit; the earlier version goes to the history."""
    post = threads.get_post(current_user, post_id)
    form = EditPostForm()
    if not form.validate_on_submit():
        return _edit_page(post, form, 422)
    try:
        threads.edit_post(
            current_user, post, form.body.data, form.title.data if post.is_opening else None
        )
    except (ValidationFailed, Conflict) as error:
        apply_errors(form, error)
        return _edit_page(post, form, error.status)
    flash("Your changes are saved.", "success")
    return redirect(_post_url(post), code=303)


@bp.get("/<int:post_id>/history")
def history(post_id: int):
    """Earlier versions of a post, newest first."""
    post = threads.get_post(current_user, post_id)
    return render(
        "discussions/history.html", post=post, thread=post.thread, revisions=threads.revisions(post)
    )


@bp.post("/<int:post_id>/delete")
def delete(post_id: int):
    """Delete a reply (its author or a moderator)."""
    post = threads.get_post(current_user, post_id)
    threads.delete_post(current_user, post)
    flash("The reply is deleted. Moderators can restore it.", "success")
    return redirect(_post_url(post), code=303)


@bp.post("/<int:post_id>/restore")
def restore(post_id: int):
    """Restore a deleted reply (moderators)."""
    post = threads.get_post(current_user, post_id)
    threads.restore_post(current_user, post)
    flash("The reply is restored.", "success")
    return redirect(_post_url(post), code=303)


@bp.post("/<int:post_id>/reactions")
def react(post_id: int):
    """Toggle one emoji on a post; htmx gets the post's reactions back."""
    post = threads.get_post(current_user, post_id)
    added = reading.toggle_reaction(current_user, post, request.form.get("emoji", ""))
    return fragment_or_redirect(
        lambda: render(
            "discussions/thread.html",
            "discussions/_reactions.html",
            post=post,
            buttons=reading.reaction_buttons(reading.post_reactions(current_user, post)),
            links=PostLinks(post.thread_id),
            trigger="reactionChanged",
        ),
        _post_url(post),
        "Your reaction is added." if added else "Your reaction is removed.",
    )


def _flag_page(post, form, status: int = 200):
    return render("discussions/flag.html", status=status, post=post, thread=post.thread, form=form)


@bp.get("/<int:post_id>/flag")
def flag_form(post_id: int):
    """Report a post to the moderators."""
    return _flag_page(threads.get_post(current_user, post_id), FlagForm(formdata=None))


@bp.post("/<int:post_id>/flag")
def flag(post_id: int):
    """Send a report; the moderators see it in their queue."""
    post = threads.get_post(current_user, post_id)
    form = FlagForm()
    if not form.validate_on_submit():
        return _flag_page(post, form, 422)
    try:
        moderation.flag_post(current_user, post, form.reason.data)
    except (ValidationFailed, Conflict) as error:
        apply_errors(form, error)
        return _flag_page(post, form, error.status)
    flash("Thank you: the moderators will look at this post.", "success")
    return redirect(_post_url(post), code=303)


@moderation_bp.get("/")
def queue():
    """Open flags in the spaces I moderate, oldest first."""
    moderation.check_moderates_something(current_user)
    return render(
        "discussions/moderation.html",
        "discussions/_flags.html",
        flags=moderation.open_flags(current_user),
    )


@moderation_bp.post("/flags/<int:flag_id>")
def resolve(flag_id: int):
    """Dismiss a flag or delete the flagged post (`action=dismiss|delete`)."""
    moderation.resolve_flag(current_user, flag_id, request.form.get("action", ""))
    flash("The flag is handled.", "success")
    return fragment_or_redirect(
        lambda: render(
            "discussions/moderation.html",
            "discussions/_flags.html",
            flags=moderation.open_flags(current_user),
            trigger="flagsChanged",
        ),
        url_for("moderation.queue"),
    )


@people_bp.get("/<int:user_id>")
def profile(user_id: int):
    """A colleague: their local time now, working hours, teams and recent threads."""
    return render("discussions/person.html", person=people_info.person(current_user, user_id))
