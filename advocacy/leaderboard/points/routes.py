"""Leaderboard pages: the board with its htmx switches, my points, and the points admin page."""

from __future__ import annotations

from flask import Blueprint, flash, url_for
from flask_login import current_user

from advocacy.accounts.auth import admin_required
from advocacy.accounts.service import find_user_by_email
from advocacy.errors import ValidationFailed
from advocacy.leaderboard.points import ledger
from advocacy.leaderboard.points import rules as points_rules
from advocacy.leaderboard.points import visibility as privacy
from advocacy.leaderboard.points.boards import (
    board_choices,
    board_query,
    leaderboard,
    named_people,
)
from advocacy.leaderboard.points.forms import (
    AdjustmentForm,
    OrganisationPrivacyForm,
    RulesForm,
    VisibilityForm,
)
from advocacy.web.forms import apply_errors
from advocacy.web.htmx import redirect_or_refresh, render
from advocacy.web.params import text_arg

bp = Blueprint("leaderboard", __name__, url_prefix="/leaderboard")
admin_bp = Blueprint("points_admin", __name__, url_prefix="/admin/points")

BOARD_ARGS = ("period", "scope", "team", "location", "network", "rank_by")


@bp.get("/")
def index():
    """The leaderboard; an htmx switch of period or filter swaps only the board."""
    args = {name: text_arg(name, "", 200) for name in BOARD_ARGS}
    args["period"] = args["period"] or "week"
    args["scope"] = args["scope"] or "people"
    args["rank_by"] = args["rank_by"] or "average"
    status, board, errors = 200, None, {}
    try:
        query = board_query(start=text_arg("from", "", 40), end=text_arg("to", "", 40), **args)
        board = leaderboard(query, current_user)
    except ValidationFailed as error:
        status, errors = 422, error.errors
    return render(
        "leaderboard/board.html",
        "leaderboard/_board.html",
        status=status,
        board=board,
        errors=errors,
        args={**args, "from": text_arg("from", "", 40), "to": text_arg("to", "", 40)},
        choices=board_choices(),
        people_by_id=named_people(board),
        visibility_form=VisibilityForm(
            formdata=None, visibility=privacy.visibility_of(current_user)
        ),
        pseudonymous=privacy.leaderboard_settings().pseudonymous_by_default,
    )


@bp.post("/privacy")
def set_visibility():
    """Show or hide my name on leaderboards."""
    form = VisibilityForm()
    if form.validate_on_submit():
        privacy.set_visibility(current_user, form.visibility.data)
        flash("Your leaderboard choice is saved.", "success")
    else:
        flash("Choose how you appear on leaderboards.", "error")
    return redirect_or_refresh(url_for("leaderboard.index"))


@bp.get("/points")
def my_points():
    """My points history."""
    return render(
        "leaderboard/points.html",
        "leaderboard/_points_history.html",
        points_history=ledger.points_history(current_user),
    )


@admin_bp.before_request
@admin_required
def _admins_only():
    """Every page here is for admins."""


def _admin_page(status: int = 200, **forms):
    rules = points_rules.current_rules()
    forms.setdefault(
        "rules_form",
        RulesForm(formdata=None, **{f: getattr(rules, f) for f in points_rules.VALUE_FIELDS}),
    )
    forms.setdefault("adjustment_form", AdjustmentForm(formdata=None))
    forms.setdefault(
        "privacy_form",
        OrganisationPrivacyForm(
            formdata=None,
            pseudonymous_by_default=privacy.leaderboard_settings().pseudonymous_by_default,
        ),
    )
    return render(
        "leaderboard/admin_points.html",
        status=status,
        rules=rules,
        history=points_rules.rule_history(),
        adjustments=ledger.recent_adjustments(),
        **forms,
    )


def _done(message: str):
    flash(message, "success")
    return redirect_or_refresh(url_for("points_admin.settings"))


@admin_bp.get("/")
def settings():
    """Point values (with their history), privacy of leaderboards, corrections."""
    return _admin_page()


@admin_bp.post("/rules")
def save_rules():
    """New point values, in force from now on."""
    form = RulesForm()
    if form.validate_on_submit():
        try:
            points_rules.set_rules(form.data, current_user)
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            return _done("The new point values are in force from now on.")
    return _admin_page(422, rules_form=form)


@admin_bp.post("/privacy")
def save_privacy():
    """Make everyone anonymous unless they opt in, or named unless they hide."""
    form = OrganisationPrivacyForm()
    if form.validate_on_submit():
        privacy.set_pseudonymous_by_default(form.pseudonymous_by_default.data, current_user)
        return _done("The leaderboard privacy setting is saved.")
    return _admin_page(422, privacy_form=form)


@admin_bp.post("/adjustments")
def adjust():
    """Correct an employee's points, with a reason (kept in the audit below)."""
    form = AdjustmentForm()
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user is None:
            form.email.errors = ["No employee has this e-mail address."]
        else:
            try:
                entry = ledger.adjust_points(
                    user, form.points.data, form.reason.data, current_user, day=form.day.data
                )
            except ValidationFailed as error:
                apply_errors(form, error)
            else:
                return _done(f"{entry.points:+d} points for {user.display_name}.")
    return _admin_page(422, adjustment_form=form)
