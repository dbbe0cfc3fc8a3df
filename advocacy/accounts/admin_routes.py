"""Admin pages: users (search, invite, role, deactivation), CSV import and the organisation."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import current_user

from advocacy.accounts import administration, service, validation
from advocacy.accounts.auth import admin_required
from advocacy.accounts.forms import ImportForm, InviteForm, OrganisationForm, RoleForm
from advocacy.accounts.imports import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, start_user_import
from advocacy.accounts.organisation import get_organisation, update_organisation
from advocacy.errors import Conflict, ValidationFailed
from advocacy.web.csv_downloads import csv_response, wants_bom
from advocacy.web.forms import apply_errors
from advocacy.web.htmx import fragment_or_redirect, render
from advocacy.web.params import text_arg

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@admin_required
def _admins_only():
    """Every page here is for admins."""


def _users_page(
    status: int = 200,
    fragment: str = "accounts/_admin_users_table.html",
    form=None,
    trigger: str | None = None,
):
    search = text_arg("q", "", 100)
    return render(
        "accounts/admin_users.html",
        fragment,
        status=status,
        trigger=trigger,
        users=administration.search_users(search),
        search=search,
        invite_form=form or InviteForm(formdata=None, team_names=administration.team_names()),
    )


@bp.get("/users/")
def users():
    """Users, searchable by name or e-mail; htmx searches get only the table."""
    return _users_page()


@bp.get("/users.csv")
def users_csv():
    """The users table (same search) as CSV; `?excel=1` adds the BOM Excel needs."""
    rows = (
        (
            person.id,
            person.display_name,
            person.email,
            person.role,
            ", ".join(sorted(m.team.name for m in person.memberships)),
            person.job_title,
            person.department,
            person.location,
            "active" if person.active else "deactivated",
            person.created_at,
            person.last_login_at,
        )
        for person in administration.search_users(text_arg("q", "", 100))
    )
    header = ("id", "name", "e-mail", "role", "teams", "job title", "department", "location")
    return csv_response(
        "users.csv",
        (*header, "state", "created (UTC)", "last sign-in (UTC)"),
        rows,
        bom=wants_bom(request.args),
    )


@bp.post("/users/invite")
def invite():
    """Invite a user: create the account and e-mail them a link to choose a password."""
    form = InviteForm(team_names=administration.team_names())
    status = 422
    if form.validate_on_submit():
        try:
            administration.invite_and_notify(
                form.email.data,
                service.Profile(display_name=form.display_name.data),
                form.role.data,
                form.teams.data,
                current_user,
            )
        except (ValidationFailed, Conflict) as error:
            apply_errors(form, error)
            if error.errors:  # the field says what is wrong; the summary says what happened
                form.form_errors.insert(0, error.detail)
            status = error.status
        else:
            flash(f"{form.email.data} is invited; the e-mail is on its way.", "success")
            # htmx gets a fresh form; the table listens for usersChanged and reloads
            return fragment_or_redirect(
                lambda: _users_page(201, "accounts/_admin_invite.html", trigger="usersChanged"),
                url_for("admin.users"),
            )
    return _users_page(status, "accounts/_admin_invite.html", form)


def _user_page(user, status: int = 200, form=None, trigger: str | None = None):
    return render(
        "accounts/admin_user.html",
        "accounts/_admin_user_account.html",
        status=status,
        trigger=trigger,
        person=user,
        role_form=form or RoleForm(formdata=None, role=user.role),
    )


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    """One user: their role and whether they can sign in."""
    return _user_page(service.get_user(user_id))


def _after_change(user, message: str):
    flash(message, "success")
    return fragment_or_redirect(
        lambda: _user_page(user, trigger="userChanged"), url_for("admin.user", user_id=user.id)
    )


@bp.post("/users/<int:user_id>/role")
def change_role(user_id: int):
    """Change a user's organisation role."""
    user, form = service.get_user(user_id), RoleForm()
    if not form.validate_on_submit():
        return _user_page(user, 422, form)
    try:
        service.set_role(user, form.role.data, current_user)
    except (ValidationFailed, Conflict) as error:
        apply_errors(form, error)
        return _user_page(user, error.status, form)
    return _after_change(user, f"{user.display_name} is now {user.role}.")


@bp.post("/users/<int:user_id>/deactivate")
def deactivate(user_id: int):
    """Stop a user signing in; their history stays attributed to them."""
    user = service.deactivate_user(service.get_user(user_id), current_user)
    return _after_change(user, f"{user.display_name} is deactivated.")


@bp.post("/users/<int:user_id>/reactivate")
def reactivate(user_id: int):
    """Let a deactivated user sign in again."""
    user = service.reactivate_user(service.get_user(user_id))
    return _after_change(user, f"{user.display_name} can sign in again.")


@bp.route("/users/import", methods=["GET", "POST"])
def import_users():
    """Upload a CSV of users; the import runs in the background and reports each bad row."""
    form = ImportForm()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            try:
                run = start_user_import(
                    form.file.data.read(),
                    form.import_valid_rows.data,
                    form.send_invitations.data,
                    current_user.id,
                    max_bytes=current_app.config["CSV_IMPORT_MAX_BYTES"],
                )
            except ValidationFailed as error:
                apply_errors(form, error)
            else:
                return redirect(url_for("background.job_status", run_id=run.id), code=303)
    return render(
        "accounts/admin_import.html",
        "accounts/_admin_import_form.html",
        status=status,
        form=form,
        required_columns=REQUIRED_COLUMNS,
        optional_columns=OPTIONAL_COLUMNS,
    )


@bp.route("/organisation", methods=["GET", "POST"])
def organisation():
    """The organisation's name and default time zone."""
    current = get_organisation()
    form = OrganisationForm(obj=current, timezones=validation.timezone_choices())
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            try:
                update_organisation(form.name.data, form.default_timezone.data)
            except ValidationFailed as error:
                apply_errors(form, error)
            else:
                flash("The organisation settings are saved.", "success")
                return redirect(url_for("admin.organisation"), code=303)
    return render(
        "accounts/admin_organisation.html",
        "accounts/_admin_organisation_form.html",
        status=status,
        form=form,
    )
