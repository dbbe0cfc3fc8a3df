"""Plugs webhooks into the app: admin pages, API, the event sources and the retry sweep."""

from __future__ import annotations

from flask import Flask

from advocacy.extensions import api
from advocacy.jobs import register_schedules
from advocacy.web.templating import register_manage_tool
from advocacy.webhooks import api_routes as webhooks_api
from advocacy.webhooks import jobs, routes, sources


def init_app(app: Flask) -> None:
    """Register the pages, the API, the signal receivers and the periodic retry sweep."""
    app.register_blueprint(routes.bp)
    register_manage_tool(
        app,
        "Webhooks",
        "webhooks_admin.index",
        "webhook",
        "Send events to other systems and chat.",
        lambda user: user.is_admin,
    )
    api.register_blueprint(webhooks_api.bp)
    sources.connect()
    register_schedules(app, jobs.schedules(app))
