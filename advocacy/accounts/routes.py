"""Sign in and out, password reset and invitation acceptance."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import current_user

from advocacy.accounts import organisation, service, tokens
from advocacy.accounts.auth import public, sign_in, sign_out
from advocacy.accounts.forms import ForgotPasswordForm, LoginForm, NewPasswordForm
from advocacy.errors import Gone, ValidationFailed
from advocacy.extensions import limiter
from advocacy.web.forms import apply_errors
from advocacy.web.htmx import render
from advocacy.web.redirects import safe_next_url

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
@public
def login():
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render("accounts/login.html", form=form, status=422 if form.is_submitted() else 200)
    user = service.authenticate(form.email.data, form.password.data)
    if user is None:
        form.password.errors.append("The e-mail or password is not right.")
        return render("accounts/login.html", form=form, status=401)
    sign_in(user, remember=bool(form.remember.data))
    return redirect(safe_next_url(request.args.get("next")))


@bp.post("/logout")
def logout():
    """Sign out (POST only, so a link elsewhere cannot sign people out)."""
    sign_out()
    flash("You are signed out.", "info")
    return redirect(safe_next_url(request.form.get("next"), "accounts.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_PASSWORD_RESET"], methods=["POST"])
@public
def forgot_password():
    """Ask for a reset link; the answer is the same whether the e-mail exists or not."""
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return render(
            "accounts/forgot_password.html", form=form, status=422 if form.is_submitted() else 200
        )
    tokens.request_password_reset(form.email.data)
    flash(
        "If that address has an account, a reset link is on its way. It works for one hour.", "info"
    )
    return redirect(url_for("accounts.login"))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_PASSWORD_RESET"], methods=["POST"])
@public
def reset_password(token: str):
    """Choose a new password from an e-mailed link (an expired or used link says so at once)."""
    form = NewPasswordForm()
    if request.method == "GET":
        try:
            tokens.user_for_reset_token(token)
        except Gone as error:
            flash(error.detail, "error")
            return render("accounts/reset_password.html", form=form, expired=True, status=410)
    if form.validate_on_submit():
        try:
            tokens.reset_password(token, form.password.data)
        except Gone as error:
            flash(error.detail, "error")
            return render("accounts/reset_password.html", form=form, expired=True, status=410)
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            flash("Your password is changed. Sign in with it now.", "success")
            return redirect(url_for("accounts.login"))
    return render(
        "accounts/reset_password.html",
        form=form,
        expired=False,
        status=422 if form.is_submitted() else 200,
    )


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    """Accept an invitation by choosing a password."""
    try:
        invitation = tokens.find_invitation(token)
    except Gone as error:
        return render("accounts/invitation.html", problem=error.detail, form=None, status=410)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = tokens.accept_invitation(token, form.password.data)
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            sign_in(user)
            flash(
                f"Welcome to {organisation.get_organisation().name}, {user.display_name}!",
                "success",
            )
            return redirect(url_for("home.index"))
    return render(
        "accounts/invitation.html",
        invitation=invitation,
        form=form,
        problem=None,
        status=422 if form.is_submitted() else 200,
    )
