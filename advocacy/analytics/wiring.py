"""Plugs analytics into the app: the ROI calculator and content supply pages, the navigation
and the supply warning the review queue shows curators."""

from __future__ import annotations

from flask import Flask

from advocacy.analytics import api_routes as analytics_api
from advocacy.analytics import (
    dashboard_routes,
    models,  # noqa: F401 - the settings table
    routes,
)
from advocacy.analytics.access import can_report
from advocacy.analytics.roi import register_earned_media_source
from advocacy.extensions import api
from advocacy.leaderboard.reach.metrics import earned_media_between
from advocacy.web.templating import register_nav


def init_app(app: Flask) -> None:
    """Register the analytics pages, their navigation link and the template helper."""
    app.register_blueprint(routes.bp)
    app.register_blueprint(dashboard_routes.bp)
    api.register_blueprint(analytics_api.bp)
    register_earned_media_source(app, earned_media_between)
    register_nav(
        app,
        "Analytics",
        "dashboard.overview",
        visible=can_report,
        group="Manage",
        icon="chart-column",
        also=("dashboard.*", "analytics.*"),
    )
    app.jinja_env.globals["supply_warnings"] = routes.supply_warnings
