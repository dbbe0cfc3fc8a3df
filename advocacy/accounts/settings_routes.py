"""A user's own settings: profile, password and personal API tokens."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user

from advocacy.accounts import service, tokens
from advocacy.accounts.forms import ChangePasswordForm, ProfileForm, TokenForm
from advocacy.errors import ValidationFailed
from advocacy.web.forms import apply_errors
from advocacy.web.htmx import fragment_or_redirect, render

bp = Blueprint("settings", __name__, url_prefix="/settings")


def _page(status: int = 200, new_token: str | None = None, **forms):
    # Only the token actions swap the tokens region; decide before the defaults fill `forms`.
    fragment = "accounts/_tokens.html" if new_token or "token_form" in forms else None
    forms.setdefault(
        "profile_form", ProfileForm(obj=current_user, languages=", ".join(current_user.languages))
    )
    forms.setdefault("password_form", ChangePasswordForm(formdata=None))
    forms.setdefault("token_form", TokenForm(formdata=None))
    return render(
        "accounts/settings.html",
        fragment,
        status=status,
        tokens=tokens.list_api_tokens(current_user),
        new_token=new_token,
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


@bp.post("/password")
def password():
    """Change the password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            service.change_password(current_user, form.current_password.data, form.password.data)
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            flash("Your password is changed.", "success")
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
