"""Reach pages (my reach, declared followers, a content item's reach, the admin's values), and
`/r/<code>` as Flask sees it: the tracking middleware answers every known code first, so that
view serves the 404 page of unknown ones (and any request that bypasses the middleware)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from advocacy.accounts.auth import admin_required, public
from advocacy.errors import Forbidden, ValidationFailed
from advocacy.feeds.content import get_content
from advocacy.leaderboard.reach import audience, conversions, metrics
from advocacy.leaderboard.reach.forms import RangeForm, ReachValuesForm, followers_form, range_of
from advocacy.leaderboard.reach.panels import load_reach_panels
from advocacy.web.htmx import redirect_or_refresh, render

tracking_bp = Blueprint("tracking", __name__)
bp = Blueprint("reach", __name__, url_prefix="/reach")
admin_bp = Blueprint("reach_admin", __name__, url_prefix="/admin/reach")


@tracking_bp.get("/r/<code>")
@public
def follow(code: str):
    """302 to the tracked link's destination, recording the hit; unknown codes are 404."""
    result = current_app.extensions["tracker"].redirect(request.environ, code)
    if result is None:
        abort(404, "This link is unknown. Check it was copied whole.")
    response = redirect(result[0], code=302)
    response.headers["Cache-Control"] = "no-store"
    return response


def _range() -> tuple[RangeForm, object, object]:
    return range_of(request.args)


def chart_data(report: metrics.Report) -> dict:
    """The data of a clicks-per-day chart for static/js/charts.js."""
    series = metrics.daily_series(report)
    return {
        "x": [row.key for row in series],
        "series": [
            {"label": "Human clicks", "values": [row.human_clicks for row in series]},
            {"label": "Bot hits", "values": [row.bot_hits for row in series]},
            {"label": "Conversions", "values": [row.conversions for row in series]},
        ],
    }


@bp.get("/")
def mine():
    """My reach: totals, clicks per day (chart and table), per content item."""
    form, start, end = _range()
    try:
        days = metrics.reach_report(current_user, "day", start, end, only_user_id=current_user.id)
    except ValidationFailed as error:
        form.start.errors = list(error.errors.get("from", [error.detail]))
        days = metrics.reach_report(current_user, "day", only_user_id=current_user.id)
    items = metrics.reach_report(
        current_user, "content", days.start, days.end, only_user_id=current_user.id
    )
    return render(
        "leaderboard/reach_mine.html",
        "leaderboard/_reach_mine_body.html",
        form=form,
        days=days,
        series=metrics.daily_series(days),
        items=items,
        chart_data=chart_data(days),
        followers=audience.declared_followers(current_user),
        panels=load_reach_panels(current_user),
    )


@bp.route("/followers", methods=["GET", "POST"])
def followers():
    """Declare follower counts per network (the basis of *potential* reach)."""
    form = followers_form(
        audience.declared_followers(current_user),
        request.form if request.method == "POST" else None,
    )
    if form.validate_on_submit():
        audience.declare_followers(
            current_user, {name: form[name].data for name in audience.NETWORKS_WITH_FOLLOWERS}
        )
        flash("Your follower counts are saved.", "success")
        return redirect_or_refresh(url_for("reach.mine"))
    return render("leaderboard/reach_followers.html", form=form)


@bp.get("/content/<int:content_id>")
def content(content_id: int):
    """A content item's reach (curators and admins): per day, network and employee."""
    if not (current_user.is_curator or current_user.is_admin):
        raise Forbidden("The reach of content is for curators and admins.")
    item = get_content(content_id)
    form, start, end = _range()
    days = metrics.reach_report(current_user, "day", start, end, only_content_id=item.id)
    networks = metrics.reach_report(
        current_user, "network", days.start, days.end, only_content_id=item.id
    )
    people = metrics.reach_report(
        current_user, "employee", days.start, days.end, only_content_id=item.id
    )
    return render(
        "leaderboard/reach_content.html",
        "leaderboard/_reach_content_body.html",
        item=item,
        form=form,
        days=days,
        series=metrics.daily_series(days),
        networks=networks,
        people=people,
        chart_data=chart_data(days),
    )


@admin_bp.route("/", methods=["GET", "POST"])
@admin_required
def settings():
    """Earned-media values and the conversions signing secret."""
    values = audience.reach_settings()
    form = ReachValuesForm(obj=values)
    if form.validate_on_submit():
        audience.update_reach_values(
            current_user,
            float(form.click_value.data),
            float(form.conversion_value.data),
            form.currency.data,
        )
        flash("Reach values saved.", "success")
        return redirect_or_refresh(url_for("reach_admin.settings"))
    secret_from_env = bool(current_app.config.get("CONVERSIONS_SECRET"))
    return render(
        "leaderboard/reach_admin.html",
        form=form,
        secret_from_env=secret_from_env,
        secret=None if secret_from_env else values.conversions_secret,
    )


@admin_bp.post("/secret")
@admin_required
def rotate_secret():
    """Make a new conversions signing secret (the old one stops working at once)."""
    conversions.rotate_conversions_secret()
    flash("A new conversions secret is in force; update the sites that report conversions.")
    return redirect_or_refresh(url_for("reach_admin.settings"))
