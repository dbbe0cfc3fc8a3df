"""Thread pages: reading, replying, following, pinning, closing, deleting, answers, assignment
and announcement acknowledgements."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from advocacy.accounts.service import get_user
from advocacy.discussions import access, qa, reading, threads
from advocacy.discussions.forms import AssignForm, ReplyForm
from advocacy.discussions.links import PostLinks
from advocacy.discussions.markdown import quote_markdown
from advocacy.discussions.models import ThreadKind
from advocacy.discussions.people_info import local_status_of
from advocacy.discussions.post_extras import load_post_extras
from advocacy.discussions.routes.spaces import private_space_page
from advocacy.errors import Forbidden, NotFound, ValidationFailed
from advocacy.web.forms import apply_errors
from advocacy.web.htmx import fragment_or_redirect, render
from advocacy.web.params import MAX_PAGE, id_arg, int_arg, page_arg

bp = Blueprint("threads", __name__, url_prefix="/discussions/threads")


def _readable_thread(thread_id: int):
    return access.get_readable_thread(current_user, thread_id)


def _thread_page(
    thread, form=None, status: int = 200, fragment: str | None = None, last_page: bool = False
):
    last_page = last_page or request.args.get("page") == "last"
    page = reading.LAST_PAGE if last_page else page_arg()
    per_page = int_arg("per_page", reading.POSTS_PER_PAGE, 1, MAX_PAGE)  # the service caps it
    view = reading.thread_page(current_user, thread, page, per_page)
    moderator = access.can_moderate(current_user, thread.space)
    assignee = thread.assignee
    return render(
        "discussions/thread.html",
        fragment,
        status=status,
        view=view,
        thread=thread,
        space=thread.space,
        form=form or ReplyForm(formdata=None),
        can_moderate=moderator,
        can_reply=access.can_reply(current_user, thread),
        can_accept=thread.is_question and (moderator or thread.author_id == current_user.id),
        following=reading.is_following_thread(current_user, thread),
        acknowledged=thread.is_announcement and qa.has_acknowledged(current_user, thread),
        acknowledgements=qa.acknowledgement_count(thread) if thread.is_announcement else 0,
        assignee_status=local_status_of(assignee) if assignee else None,
        links=PostLinks(thread.id),
        post_extras=load_post_extras(current_user, _shown_posts(view)),
    )


def _shown_posts(view: reading.ThreadPage) -> list:
    shown = [view.opening, *view.replies] + ([view.accepted] if view.accepted else [])
    return [post_view.post for post_view in shown]


@bp.get("/<int:thread_id>")
def view(thread_id: int):
    """A thread: the question or opening post, the accepted answer first, then the replies."""
    try:
        thread = _readable_thread(thread_id)
    except Forbidden:
        return private_space_page(access.space_of_thread(thread_id))
    form = ReplyForm(formdata=None)
    quoted = threads.quotable_post(thread, id_arg("quote"))
    if quoted is not None:
        author = quoted.author.display_name if quoted.author else "Someone"
        form.body.data = quote_markdown(quoted.body_source, author)
        form.quote_of.data = quoted.id
    response = _thread_page(thread, form)
    reading.mark_read(current_user, thread)
    return response


@bp.post("/<int:thread_id>/replies")
def post_reply(thread_id: int):
    """Reply; htmx gets the replies region of the last page (the new reply at its end)."""
    thread = _readable_thread(thread_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _thread_page(thread, form, 422, "discussions/_replies.html")
    quote_raw = form.quote_of.data or ""
    quote = threads.get_post(current_user, int(quote_raw)) if quote_raw.isdigit() else None
    try:
        post = threads.reply(current_user, thread, form.body.data, quote)
    except ValidationFailed as error:
        apply_errors(form, error)
        return _thread_page(thread, form, error.status, "discussions/_replies.html")

    def replies_region():
        response = _thread_page(thread, fragment="discussions/_replies.html", last_page=True)
        response.headers["HX-Trigger"] = '{"threadChanged": true, "notificationsChanged": true}'
        reading.mark_read(current_user, thread)
        return response

    last_page = url_for("threads.view", thread_id=thread.id, page="last") + f"#post-{post.id}"
    return fragment_or_redirect(replies_region, last_page, "Your reply is posted.")


def _back_to_thread(thread, message: str):
    flash(message, "success")
    return redirect(url_for("threads.view", thread_id=thread.id), code=303)


@bp.post("/<int:thread_id>/follow")
def follow(thread_id: int):
    """Follow or unfollow a thread (`following=0|1`)."""
    thread = _readable_thread(thread_id)
    following = request.form.get("following") == "1"
    reading.set_thread_follow(current_user, thread, following)
    return fragment_or_redirect(
        lambda: render(
            "discussions/thread.html",
            "discussions/_follow_thread.html",
            thread=thread,
            following=following,
            trigger="threadFollowChanged",
        ),
        url_for("threads.view", thread_id=thread.id),
        "You follow this thread." if following else "You no longer follow this thread.",
    )


@bp.post("/<int:thread_id>/pin")
def pin(thread_id: int):
    """Pin a thread to the top of its space, or unpin it (moderators)."""
    thread = _readable_thread(thread_id)
    threads.update_thread(current_user, thread, pinned=not thread.pinned)
    return _back_to_thread(
        thread, "The thread is pinned." if thread.pinned else "The thread is unpinned."
    )


@bp.post("/<int:thread_id>/close")
def close(thread_id: int):
    """Close a thread to replies, or reopen it (moderators)."""
    thread = _readable_thread(thread_id)
    threads.update_thread(current_user, thread, closed=not thread.closed)
    return _back_to_thread(
        thread, "The thread is closed." if thread.closed else "The thread is open again."
    )


@bp.post("/<int:thread_id>/delete")
def delete(thread_id: int):
    """Delete a thread (its author or a moderator; moderators can restore it)."""
    thread = _readable_thread(thread_id)
    threads.delete_thread(current_user, thread)
    flash("The thread is deleted.", "success")
    return redirect(url_for("spaces.view", space_id=thread.space_id), code=303)


@bp.post("/<int:thread_id>/restore")
def restore(thread_id: int):
    """Restore a deleted thread (moderators)."""
    thread = _readable_thread(thread_id)
    threads.restore_thread(current_user, thread)
    return _back_to_thread(thread, "The thread is restored.")


@bp.post("/<int:thread_id>/accept")
def accept(thread_id: int):
    """Accept a reply as the answer (`post_id`), or un-accept with an empty `post_id`."""
    thread = _readable_thread(thread_id)
    raw = request.form.get("post_id", "")
    if raw and not raw.isdigit():
        raise ValidationFailed.field("post_id", "Choose a reply to accept.")
    qa.accept_answer(current_user, thread, int(raw) if raw else None)
    return _back_to_thread(
        thread, "The answer is accepted." if raw else "The answer is no longer accepted."
    )


@bp.post("/<int:thread_id>/assign")
def assign(thread_id: int):
    """Ask a colleague to answer a question (`assignee_id`; 0 unassigns)."""
    thread = _readable_thread(thread_id)
    form = AssignForm()
    if not form.validate_on_submit():
        raise ValidationFailed.field("assignee_id", "Choose a colleague.")
    person = get_user(form.assignee_id.data) if form.assignee_id.data else None
    qa.assign_question(current_user, thread, person)
    message = f"{person.display_name} is asked to answer." if person else "Nobody is assigned now."
    return _back_to_thread(thread, message)


@bp.get("/<int:thread_id>/assign")
def assign_form(thread_id: int):
    """Choose whom to ask, with each person's local time (whose day is starting?)."""
    thread = _readable_thread(thread_id)
    if thread.kind != ThreadKind.QUESTION:
        raise NotFound("Only questions are assigned.")
    people = qa.assignee_choices(thread)
    form = AssignForm(formdata=None, assignee_id=thread.assignee_id or 0)
    statuses = [local_status_of(person) for person in people]
    form.assignee_id.choices = [SelectChoice(0, "Nobody")] + [
        SelectChoice(s.user.id, f"{s.user.display_name} — {s.local_time_text}, {s.availability}")
        for s in statuses
    ]
    return render(
        "discussions/assign.html", thread=thread, space=thread.space, form=form, statuses=statuses
    )


@bp.post("/<int:thread_id>/acknowledge")
def acknowledge(thread_id: int):
    """Acknowledge an announcement."""
    thread = _readable_thread(thread_id)
    qa.acknowledge(current_user, thread)
    return fragment_or_redirect(
        lambda: render(
            "discussions/thread.html",
            "discussions/_ack.html",
            thread=thread,
            acknowledged=True,
            acknowledgements=qa.acknowledgement_count(thread),
            can_moderate=access.can_moderate(current_user, thread.space),
            trigger="announcementAcknowledged",
        ),
        url_for("threads.view", thread_id=thread.id),
        "Thank you: your acknowledgement is recorded.",
    )


@bp.get("/<int:thread_id>/acknowledgements")
def acknowledgements(thread_id: int):
    """Who has acknowledged an announcement and who has not yet (moderators)."""
    thread = _readable_thread(thread_id)
    report = qa.acknowledgement_report(current_user, thread)
    return render(
        "discussions/acknowledgements.html", thread=thread, space=thread.space, report=report
    )
