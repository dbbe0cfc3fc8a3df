"""Privacy pages: download my data, erase my account; admins erase leavers and see erasures."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, url_for
from flask_login import current_user

from advocacy.accounts.auth import admin_required, sign_out
from advocacy.accounts.organisation import get_organisation
from advocacy.accounts.service import get_user
from advocacy.errors import Conflict, ValidationFailed
from advocacy.privacy import service
from advocacy.privacy.forms import EraseForm
from advocacy.web.forms import apply_errors
from advocacy.web.htmx import render

bp = Blueprint("privacy", __name__)


@bp.get("/settings/privacy")
def index():
    """What Advocacy keeps, the download, and the erasure form."""
    return render("privacy/index.html", form=EraseForm(formdata=None))


@bp.get("/settings/privacy/export.zip")
def export():
    """Everything Advocacy holds about me, as JSON files in a ZIP."""
    archive = service.export_archive(current_user, get_organisation().name)
    response = Response(archive, mimetype="application/zip")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{service.export_filename(current_user)}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/settings/privacy/erase")
def erase():
    """Erase my account now (confirmed by e-mail and password), then sign me out."""
    form = EraseForm()
    if form.validate_on_submit():
        try:
            service.erase_own_account(current_user, form.confirm_email.data, form.password.data)
        except (ValidationFailed, Conflict) as error:
            apply_errors(form, error)
            return render("privacy/index.html", status=error.status, form=form)
        sign_out()
        flash("Your account is erased. Thank you for all you shared.", "success")
        return redirect(url_for("accounts.login"), code=303)
    return render("privacy/index.html", status=422, form=form)


@bp.get("/admin/privacy")
@admin_required
def erasures():
    """The accounts erased so far."""
    return render("privacy/admin.html", erasures=service.erasures())


@bp.post("/admin/users/<int:user_id>/erase")
@admin_required
def erase_user(user_id: int):
    """Erase someone else's account (a leaver's), keeping aggregates without identity."""
    person = get_user(user_id)
    service.erase_account(person, current_user)
    flash(f"Account #{person.id} is erased.", "success")
    return redirect(url_for("privacy.erasures"), code=303)
