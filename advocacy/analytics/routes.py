"""Analytics pages: the ROI calculator (admins) and content supply vs demand (curators)."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, g, request, url_for
from flask_login import current_user

from advocacy.accounts.auth import admin_required
from advocacy.analytics import roi, supply
from advocacy.analytics.forms import SupplySettingsForm
from advocacy.errors import ValidationFailed
from advocacy.web.csv_downloads import csv_response, wants_bom
from advocacy.web.forms import apply_errors
from advocacy.web.htmx import redirect_or_refresh, render
from advocacy.web.params import text_arg

bp = Blueprint("analytics", __name__, url_prefix="/analytics")


def curator_or_admin(view):
    """Curators and admins: the people who keep the feed supplied."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_curator:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


@bp.get("/roi")
@admin_required
def roi_calculator():
    """The calculator: figures in the query string, so a result can be bookmarked and shared."""
    values = {field[0]: text_arg(field[0], "", 40) or field[4] for field in roi.FIELDS}
    errors, status = {}, 200
    try:
        inputs = roi.parse_inputs(values)
    except ValidationFailed as error:
        errors, status, inputs = error.errors, 422, None
    result = roi.calculate(inputs, roi.earned_media_value(*roi.last_year())) if inputs else None
    return render(
        "analytics/roi.html",
        "analytics/_roi_result.html",
        status=status,
        fields=roi.FIELDS,
        values=values,
        errors=errors,
        result=result,
    )


def _supply_page(form: SupplySettingsForm | None = None, status: int = 200):
    report = supply.supply_report()
    form = form or SupplySettingsForm(
        formdata=None, target=report.target, stale_days=report.stale_days
    )
    return render("analytics/supply.html", status=status, report=report, form=form)


@bp.get("/supply")
@curator_or_admin
def supply_page():
    """Approved content per 100 employees per week against the target, with the warnings."""
    return _supply_page()


@bp.post("/supply/settings")
@admin_required
def supply_settings():
    """Change the supply target and the staleness threshold."""
    form = SupplySettingsForm()
    if not form.validate_on_submit():
        return _supply_page(form, 422)
    try:
        supply.update_settings(float(form.target.data), form.stale_days.data, current_user)
    except ValidationFailed as error:
        apply_errors(form, error)
        return _supply_page(form, error.status)
    flash("The supply target is saved.", "success")
    return redirect_or_refresh(url_for("analytics.supply_page"))


@bp.get("/supply.csv")
@curator_or_admin
def supply_csv():
    """The weekly supply table as CSV (`?excel=1` for Excel)."""
    report = supply.supply_report()
    rows = (
        (w.start.date(), w.end.date(), w.approved, w.per_100, report.target) for w in report.weeks
    )
    return csv_response(
        "content-supply.csv",
        ("week from (UTC)", "week to (UTC)", "approved", "per 100 employees", "target"),
        rows,
        bom=wants_bom(request.args),
    )


def supply_warnings() -> list[str]:
    """The supply warnings for a curator's pages (computed once per request), else none."""
    if not (current_user.is_authenticated and current_user.is_curator):
        return []
    if "supply_warnings" not in g:
        g.supply_warnings = supply.supply_report().warnings
    return g.supply_warnings
