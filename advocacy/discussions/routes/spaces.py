"""Space pages: the list of spaces, a space's threads, starting a thread, membership, follows
and the unanswered questions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from advocacy.accounts.service import find_user_by_email
from advocacy.discussions import access, membership, moderation, qa, reading, spaces, threads
from advocacy.discussions.forms import (
    AddSpaceMemberForm,
    JoinRequestForm,
    SpaceEditForm,
    SpaceForm,
    ThreadForm,
)
from advocacy.errors import Conflict, Forbidden, ServiceError, ValidationFailed
from advocacy.web.forms import apply_errors
from advocacy.web.htmx import fragment_or_redirect, redirect_or_refresh, render
from advocacy.web.params import page_arg, text_arg

bp = Blueprint("spaces", __name__, url_prefix="/discussions")


def _index_page(form=None, status: int = 200):
    return render(
        "discussions/index.html",
        status=status,
        summaries=spaces.list_spaces(current_user),
        unanswered_count=qa.count_unanswered(current_user),
        moderates=moderation.moderates_something(current_user),
        form=form or SpaceForm(formdata=None),
    )


@bp.get("/")
def index():
    """The spaces I may see, mine first, with what is new in each."""
    return _index_page()


@bp.post("/spaces")
def create():
    """Start a space; its creator owns it."""
    form = SpaceForm()
    if form.validate_on_submit():
        try:
            space = spaces.create_space(
                current_user,
                form.name.data,
                form.description.data,
                form.visibility.data,
                form.official.data,
            )
        except (ValidationFailed, Conflict, Forbidden) as error:
            apply_errors(form, error)
            return _index_page(form, error.status)
        flash(f"The space {space.name} is ready.", "success")
        return redirect(url_for("spaces.view", space_id=space.id), code=303)
    return _index_page(form, 422)


def private_space_page(space, status: int = 403, form=None):
    """What a non-member sees of a private space: its name, and a way to ask to join."""
    return render(
        "discussions/space_private.html",
        status=status,
        space=space,
        pending=membership.pending_request(current_user, space),
        form=form or JoinRequestForm(formdata=None),
    )


@bp.get("/spaces/<int:space_id>")
def view(space_id: int):
    """A space's threads, pinned first then by latest activity; filters swap only the list."""
    space = access.get_visible_space(current_user, space_id)
    if not access.can_read_space(current_user, space):
        return private_space_page(space)
    filter_by, tag = text_arg("filter", "all", 20), text_arg("tag", "", 200)[:30]
    rows, pages = reading.thread_list(current_user, space, filter_by, tag, page_arg())
    response = render(
        "discussions/space.html",
        "discussions/_thread_list.html",
        space=space,
        rows=rows,
        pages=pages,
        current_page=page_arg(),
        filter_by=filter_by,
        tag=tag,
        tags=reading.tags_in_space(space),
        role=access.space_role(current_user, space),
        can_moderate=access.can_moderate(current_user, space),
        can_start=access.can_start_thread(current_user, space),
        following=spaces.is_following_space(current_user, space),
        unanswered_count=qa.count_unanswered(current_user, space),
    )
    spaces.record_visit(current_user, space)
    return response


@bp.get("/spaces/<int:space_id>/new")
def new_thread(space_id: int):
    """The form to start a thread."""
    space = access.get_readable_space(current_user, space_id)
    if not access.can_start_thread(current_user, space):
        raise Forbidden(f"Only moderators start threads in {space.name}.")
    form = ThreadForm(formdata=None, kind=text_arg("kind", "discussion", 20))
    return _new_thread_page(space, form)


def _new_thread_page(space, form, status: int = 200):
    moderator = access.can_moderate(current_user, space)
    if not moderator:  # announcements are for moderators
        form.kind.choices = [c for c in form.kind.choices if c.value != "announcement"]
    return render(
        "discussions/new_thread.html",
        status=status,
        space=space,
        form=form,
        can_moderate=moderator,
    )


@bp.post("/spaces/<int:space_id>/threads")
def start_thread(space_id: int):
    """Start a thread; bad input comes back with every problem shown and nothing saved."""
    space = access.get_readable_space(current_user, space_id)
    form = ThreadForm()
    if not form.validate_on_submit():
        return _new_thread_page(space, form, 422)
    try:
        thread = threads.start_thread(
            current_user, space, form.title.data, form.body.data, form.kind.data, form.tags.data
        )
    except ValidationFailed as error:
        apply_errors(form, error)
        return _new_thread_page(space, form, error.status)
    flash("Your thread is posted.", "success")
    return redirect(url_for("threads.view", thread_id=thread.id), code=303)


@bp.post("/spaces/<int:space_id>/join")
def join(space_id: int):
    """Join a public space."""
    space = access.get_visible_space(current_user, space_id)
    membership.join_space(current_user, space)
    flash(f"You joined {space.name}.", "success")
    return redirect_or_refresh(url_for("spaces.view", space_id=space.id))


@bp.post("/spaces/<int:space_id>/request")
def request_to_join(space_id: int):
    """Ask to join a private space."""
    space = access.get_visible_space(current_user, space_id)
    form = JoinRequestForm()
    if not form.validate_on_submit():
        return private_space_page(space, 422, form)
    try:
        membership.request_to_join(current_user, space, form.message.data)
    except ValidationFailed as error:
        apply_errors(form, error)
        return private_space_page(space, error.status, form)
    flash(f"Your request to join {space.name} is sent to its moderators.", "success")
    return redirect(url_for("spaces.view", space_id=space.id), code=303)


@bp.post("/spaces/<int:space_id>/leave")
def leave(space_id: int):
    """Leave a space."""
    space = access.get_visible_space(current_user, space_id)
    membership.remove_member(current_user, space, current_user)
    flash(f"You left {space.name}.", "success")
    target = "spaces.view" if access.can_see_space(current_user, space) else "spaces.index"
    return redirect_or_refresh(url_for(target, space_id=space.id))


@bp.post("/spaces/<int:space_id>/follow")
def follow(space_id: int):
    """Follow or stop following a space (`following=0|1`)."""
    space = access.get_readable_space(current_user, space_id)
    following = request.form.get("following") == "1"
    spaces.set_space_follow(current_user, space, following)
    return fragment_or_redirect(
        lambda: render(
            "discussions/space.html",
            "discussions/_follow_space.html",
            space=space,
            following=following,
            trigger="spaceFollowChanged",
        ),
        url_for("spaces.view", space_id=space.id),
        f"You {'follow' if following else 'no longer follow'} {space.name}.",
    )


def _members_page(space, form=None, edit_form=None, status: int = 200):
    return render(
        "discussions/members.html",
        "discussions/_members.html",
        status=status,
        space=space,
        members=membership.members_of(space),
        requests=membership.join_requests(space),
        form=form or AddSpaceMemberForm(formdata=None),
        edit_form=edit_form or SpaceEditForm(formdata=None, obj=space),
        can_moderate=access.can_moderate(current_user, space),
    )


@bp.get("/spaces/<int:space_id>/members")
def members(space_id: int):
    """Who is in the space; moderators manage members and requests here."""
    return _members_page(access.get_readable_space(current_user, space_id))


@bp.post("/spaces/<int:space_id>/members")
def add_member(space_id: int):
    """Add someone (or change their role), approving their request if they made one."""
    space = access.get_readable_space(current_user, space_id)
    access.check_can_moderate(current_user, space)
    form = AddSpaceMemberForm()
    if not form.validate_on_submit():
        return _members_page(space, form, status=422)
    person = find_user_by_email(form.email.data)
    try:
        if person is None:
            raise ValidationFailed.field("email", "Nobody has this e-mail address.")
        membership.add_member(current_user, space, person, form.role.data)
    except ServiceError as error:
        apply_errors(form, error)
        return _members_page(space, form, status=error.status)
    flash(f"{person.display_name} is a {form.role.data} of {space.name}.", "success")
    return fragment_or_redirect(
        lambda: _members_page(space), url_for("spaces.members", space_id=space.id)
    )


@bp.post("/spaces/<int:space_id>/members/<int:user_id>/remove")
def remove_member(space_id: int, user_id: int):
    """Take someone out of the space."""
    space = access.get_readable_space(current_user, space_id)
    person = membership.member_user(space, user_id)
    membership.remove_member(current_user, space, person)
    flash(f"{person.display_name} is no longer in {space.name}.", "success")
    return fragment_or_redirect(
        lambda: _members_page(space), url_for("spaces.members", space_id=space.id)
    )


@bp.post("/spaces/<int:space_id>/requests/<int:user_id>/approve")
def approve_request(space_id: int, user_id: int):
    """Let someone in who asked to join."""
    space = access.get_readable_space(current_user, space_id)
    person = membership.requesting_user(space, user_id)
    membership.add_member(current_user, space, person)
    flash(f"{person.display_name} joined {space.name}.", "success")
    return fragment_or_redirect(
        lambda: _members_page(space), url_for("spaces.members", space_id=space.id)
    )


@bp.post("/spaces/<int:space_id>/requests/<int:user_id>/decline")
def decline_request(space_id: int, user_id: int):
    """Turn down a request to join."""
    space = access.get_readable_space(current_user, space_id)
    membership.decline_request(current_user, space, user_id)
    flash("The request is declined.", "success")
    return fragment_or_redirect(
        lambda: _members_page(space), url_for("spaces.members", space_id=space.id)
    )


@bp.post("/spaces/<int:space_id>/edit")
def edit(space_id: int):
    """Rename a space or change its description (moderators)."""
    space = access.get_readable_space(current_user, space_id)
    access.check_can_moderate(current_user, space)
    form = SpaceEditForm()
    if form.validate_on_submit():
        try:
            spaces.update_space(current_user, space, form.name.data, form.description.data)
        except (ValidationFailed, Conflict) as error:
            apply_errors(form, error)
            return _members_page(space, edit_form=form, status=error.status)
        flash("The space is saved.", "success")
        return redirect(url_for("spaces.members", space_id=space.id), code=303)
    return _members_page(space, edit_form=form, status=422)


def _unanswered_page(space=None):
    scope = text_arg("scope", "mine", 20)
    return render(
        "discussions/unanswered.html",
        "discussions/_unanswered_list.html",
        space=space,
        scope=scope,
        questions=qa.unanswered(current_user, space, scope),
    )


@bp.get("/unanswered")
def unanswered():
    """Questions waiting for an answer in my spaces (or all I can read), oldest first."""
    return _unanswered_page()


@bp.get("/spaces/<int:space_id>/unanswered")
def space_unanswered(space_id: int):
    """Questions waiting for an answer in one space, oldest first."""
    return _unanswered_page(access.get_readable_space(current_user, space_id))
