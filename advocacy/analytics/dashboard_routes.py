"""The analytics dashboard pages: the overview, a drill-down fragment, and every table as CSV."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user

from advocacy.analytics import dashboard, maturity
from advocacy.analytics.access import reporting_required
from advocacy.analytics.headline import headline
from advocacy.leaderboard.reach.forms import range_of
from advocacy.web.csv_downloads import csv_response, wants_bom
from advocacy.web.htmx import render
from advocacy.web.params import text_arg

bp = Blueprint("dashboard", __name__, url_prefix="/analytics")

METRIC_HEADER = ("human clicks", "unique visitors", "conversions")


def _context():
    form, start, end = range_of(request.args)
    start, end = dashboard.default_range(start, end)
    if not (form.start.errors or form.end.errors):  # the range shown is the range in use
        form.start.data, form.end.data = start, end
    return form, dashboard.audience_of(current_user), start, end


def _within() -> tuple[str, str] | None:
    """The drill-down filter `within=<dimension>:<key>` of the query string, if any."""
    value = text_arg("within", "", 200)
    if not value:
        return None
    dimension, _, key = value.partition(":")
    return dimension, key


def chart_data(weeks: list[dashboard.Week]) -> dict:
    """The trends chart for static/js/charts.js."""
    return {
        "x": [week.start.isoformat() for week in weeks],
        "y_label": "Per week",
        "series": [
            {"label": "Human clicks", "values": [w.human_clicks for w in weeks]},
            {"label": "Shares", "values": [w.shares for w in weeks]},
            {"label": "Conversions", "values": [w.conversions for w in weeks]},
            {"label": "Active advocates", "values": [w.active_advocates for w in weeks]},
        ],
    }


@bp.get("/")
@reporting_required
def overview():
    """Trends, funnel, active share, breakdowns and top content over the range."""
    form, audience, start, end = _context()
    weeks = dashboard.weekly_trends(audience, start, end)
    breakdowns = {
        dim: dashboard.breakdown(audience, dim, start, end)
        for dim in dashboard.DIMENSIONS
        if dim != "content"
    }
    return render(
        "analytics/dashboard.html",
        "analytics/_dashboard_body.html",
        form=form,
        start=start,
        end=end,
        everything=audience.everything,
        weeks=weeks,
        chart=chart_data(weeks),
        months=dashboard.monthly_active_share(audience, start, end),
        funnel=dashboard.participation_funnel(audience, start, end),
        breakdowns=breakdowns,
        top_content=dashboard.breakdown(audience, "content", start, end)[: dashboard.TOP_CONTENT],
        tiles=headline(audience, start, end),
    )


@bp.get("/drill")
@reporting_required
def drill():
    """One row of a breakdown, broken down further (an htmx fragment, or a page without JS)."""
    _, audience, start, end = _context()
    within = _within()
    if within is None or within[0] not in dashboard.DRILL_NEXT:
        abort(404)
    by = dashboard.DRILL_NEXT[within[0]]
    rows = dashboard.breakdown(audience, by, start, end, within)
    return render(
        "analytics/drill.html",
        "analytics/_drill.html",
        rows=rows,
        by=by,
        within=within,
        label=text_arg("label", within[1], 200),
        start=start,
        end=end,
    )


@bp.get("/<any(trends, months, funnel, team, network, content, campaign, location):table>.csv")
@reporting_required
def table_csv(table: str):
    """Any dashboard table as CSV (`?excel=1` for Excel; `within=` for a drill-down)."""
    _, audience, start, end = _context()
    if table == "trends":
        header = ("week from", *METRIC_HEADER[::2], "shares", "active advocates")
        weeks = dashboard.weekly_trends(audience, start, end)
        rows = (
            (w.start, w.human_clicks, w.conversions, w.shares, w.active_advocates) for w in weeks
        )
    elif table == "months":
        header = ("month", "active advocates", "employees", "active share %")
        months = dashboard.monthly_active_share(audience, start, end)
        rows = ((m.month, m.active_advocates, m.employees, m.share) for m in months)
    elif table == "funnel":
        header = ("step", "people")
        rows = ((s.step, s.people) for s in dashboard.participation_funnel(audience, start, end))
    else:
        header = (table, *METRIC_HEADER)
        found = dashboard.breakdown(audience, table, start, end, _within())
        rows = ((r.label, r.human_clicks, r.unique_visitors, r.conversions) for r in found)
    return csv_response(f"{table}-{start}-{end}.csv", header, rows, bom=wants_bom(request.args))


@bp.get("/maturity")
@reporting_required
def maturity_stage():
    """The social maturity stage from measured data, its thresholds and what would move it up."""
    return render("analytics/maturity.html", assessment=maturity.assess())
