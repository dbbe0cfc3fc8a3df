"""HR pages: the referral funnel per opening and per employee, culture-story reach, CSVs."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user

from advocacy.analytics.access import reporting_required
from advocacy.leaderboard.reach.forms import range_of
from advocacy.recruiting import reports
from advocacy.web.csv_downloads import csv_response, wants_bom
from advocacy.web.htmx import render

bp = Blueprint("recruiting", __name__, url_prefix="/recruiting")

FUNNEL_HEADER = ("clicks", "applications", "hires")


@bp.get("/")
@reporting_required
def index():
    """Openings and employees (the referral leaderboard) and culture stories over a range."""
    form, start, end = range_of(request.args)
    return render(
        "recruiting/index.html",
        "recruiting/_body.html",
        form=form,
        range_args={"from": start.isoformat(), "to": end.isoformat()} if start else {},
        openings=reports.funnel(current_user, "opening", start, end),
        employees=reports.funnel(current_user, "employee", start, end),
        stories=reports.culture_story_reach(current_user, start, end),
    )


@bp.get("/<any(opening, employee):by>.csv")
@reporting_required
def funnel_csv(by: str):
    """One funnel table as CSV (`?excel=1` for Excel)."""
    _, start, end = range_of(request.args)
    funnel = reports.funnel(current_user, by, start, end)
    rows = ((r.label, r.clicks, r.applications, r.hires) for r in funnel.rows)
    return csv_response(
        f"referrals-by-{by}-{funnel.start}-{funnel.end}.csv",
        (by, *FUNNEL_HEADER),
        rows,
        bom=wants_bom(request.args),
    )
