"""Plugs analytics into the app: the ROI calculator and content supply pages, the navigation
and the supply warning the review queue shows curators."""

from __future__ import annotations

from flask import Flask

from advocacy.analytics import (
    models,  # noqa: F401 - the settings table
    routes,
)
from advocacy.analytics.roi import register_earned_media_source
from advocacy.leaderboard.reach import earned_media_between
from advocacy.web.templating import register_nav


def init_app(app: Flask) -> None:
    """Register the analytics pages, their navigation link and the template helper."""
    app.register_blueprint(routes.bp)
    register_earned_media_source(app, earned_media_between)
    register_nav(app, "Analytics", "analytics.supply_page", visible=lambda u: u.is_curator)
    app.jinja_env.globals["supply_warnings"] = routes.supply_warnings
