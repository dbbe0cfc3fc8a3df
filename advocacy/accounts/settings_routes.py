"""A user's own settings: profile and picture, appearance, password, personal API tokens and
sessions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user

from advocacy.accounts import appearance, service, sessions, tokens
from advocacy.accounts.auth import current_session_key, sign_out
from advocacy.accounts.forms import (
    AppearanceForm,
    ChangePasswordForm,
    PictureForm,
    ProfileForm,
    TokenForm,
)
from advocacy.accounts.validation import time_zone_names
from advocacy.errors import NotFound, ValidationFailed
from advocacy.web.forms import apply_errors
from advocacy.web.htmx import fragment_or_redirect, render

bp = Blueprint("settings", __name__, url_prefix="/settings")


def _page(status: int = 200, new_token: str | None = None, fragment: str | None = None, **forms):
    # Only the token actions swap the tokens region; decide before the defaults fill `forms`.
    if new_token or "token_form" in forms:
        fragment = "accounts/_tokens.html"
    forms.setdefault("profile_form", ProfileForm.for_user(current_user))
    forms.setdefault("picture_form", PictureForm(formdata=None))
    forms.setdefault("appearance_form", AppearanceForm(formdata=None, theme=current_user.theme))
    forms.setdefault("password_form", ChangePasswordForm(formdata=None))
    forms.setdefault("token_form", TokenForm(formdata=None))
    live = sessions.active_sessions(current_user)
    return render(
        "accounts/settings.html",
        fragment,
        status=status,
        tokens=tokens.list_api_tokens(current_user),
        time_zones=time_zone_names(),
        new_token=new_token,
        sessions=live,
        current_session_id=next(
            (row.id for row in live if sessions.is_current(row, current_session_key())), None
        ),
        **forms,
    )


@bp.get("/")
def index():
    """The settings page."""
    return _page()


@bp.post("/profile")
def profile():
    """Save the profile."""
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            service.update_profile(
                current_user,
                service.Profile(
                    display_name=form.display_name.data,
                    job_title=form.job_title.data,
                    department=form.department.data,
                    location=form.location.data,
                    timezone=form.timezone.data,
                    working_hours_start=form.working_hours_start.data,
                    working_hours_end=form.working_hours_end.data,
                    languages=tuple((form.languages.data or "").split(",")),
                ),
            )
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            flash("Your profile is saved.", "success")
            return redirect(url_for("settings.index"))
    return _page(422, profile_form=form)


@bp.post("/picture")
def picture():
    """Upload a profile picture (shown as a square beside one's name)."""
    form = PictureForm()
    if form.validate_on_submit():
        try:
            appearance.set_picture(current_user, form.picture.data.read())
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            flash("Your picture is saved.", "success")
            return redirect(url_for("settings.index", _anchor="picture"), code=303)
    return _page(422, picture_form=form)


@bp.post("/picture/remove")
def remove_picture():
    """Back to initials."""
    appearance.remove_picture(current_user)
    flash("Your picture is removed: colleagues see your initials.", "success")
    return redirect(url_for("settings.index", _anchor="picture"), code=303)


@bp.post("/appearance")
def set_appearance():
    """Light, dark, or as the device says."""
    form = AppearanceForm()
    if form.validate_on_submit():
        appearance.set_theme(current_user, form.theme.data)
        flash("Appearance saved.", "success")
        return redirect(url_for("settings.index", _anchor="appearance"), code=303)
    return _page(422, appearance_form=form)


@bp.post("/password")
def password():
    """Change the password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            service.change_password(
                current_user,
                form.current_password.data,
                form.password.data,
                keep_session=current_session_key(),
            )
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            flash("Your password is changed; your other sessions are signed out.", "success")
            return redirect(url_for("settings.index"))
    return _page(422, password_form=form)


@bp.post("/tokens")
def create_token():
    """Create a personal API token and show it once."""
    form = TokenForm()
    if form.validate_on_submit():
        _token, plaintext = tokens.create_api_token(current_user, form.name.data)
        flash("Copy the token now: it will not be shown again.", "success")
        return _page(201, new_token=plaintext, token_form=TokenForm(formdata=None))
    return _page(422, token_form=form)


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    """Revoke one of my tokens."""
    tokens.revoke_api_token(current_user, token_id)
    flash("The token is revoked; programs using it are refused from now on.", "success")
    return fragment_or_redirect(
        lambda: _page(token_form=TokenForm(formdata=None)), url_for("settings.index")
    )


@bp.post("/sessions/<int:session_id>/end")
def end_session(session_id: int):
    """Sign one of my browsers out (this one too, if it is the one chosen)."""
    ending_this_one = any(
        row.id == session_id and sessions.is_current(row, current_session_key())
        for row in sessions.active_sessions(current_user)
    )
    if not sessions.end_session_of(current_user, session_id):
        raise NotFound("No such session: it may have ended already.")
    if ending_this_one:
        sign_out()
        flash("You are signed out.", "info")
        return redirect(url_for("accounts.login"), code=303)
    return fragment_or_redirect(
        lambda: _page(fragment="accounts/_sessions.html"),
        url_for("settings.index") + "#sessions-title",
        "That session is signed out.",
    )


@bp.post("/sessions/end-others")
def end_other_sessions():
    """Sign out everywhere but here."""
    ended = sessions.end_sessions(current_user, "signed out everywhere", current_session_key())
    flash(f"{ended} other session{'s' * (ended != 1)} signed out.", "success")
    return fragment_or_redirect(
        lambda: _page(fragment="accounts/_sessions.html"),
        url_for("settings.index") + "#sessions-title",
    )
