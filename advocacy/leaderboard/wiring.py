"""Plugs reach tracking into the app: the click-path middleware, the event buffer, the ingest
schedule, reach pages and API, the content-page panel, and the demo's clicks."""

from __future__ import annotations

from functools import partial

from flask import Flask

from advocacy import demo
from advocacy.extensions import api
from advocacy.feeds.panels import ContentPanel, register_content_panel
from advocacy.jobs import Schedule, redis_connection, register_schedules
from advocacy.leaderboard.reach import api_routes, personal_data, routes
from advocacy.leaderboard.reach.demo import seed_clicks
from advocacy.leaderboard.reach.events import ClickBuffer
from advocacy.leaderboard.reach.ingest import flush_local_buffer, ingest_clicks
from advocacy.leaderboard.reach.metrics import content_panel_totals
from advocacy.leaderboard.reach.retention import prune_click_events
from advocacy.leaderboard.reach.tracking import Tracker, TrackingMiddleware
from advocacy.privacy.registry import PrivacyHandler, register_privacy_handler
from advocacy.web import templating

INGEST_INTERVAL = 5  # seconds between ingest runs in the worker

PRUNE_INTERVAL = 24 * 3600  # seconds: raw click events are pruned once a day

SCHEDULES = [
    Schedule("ingest-clicks", ingest_clicks, INGEST_INTERVAL, timeout=120),
    Schedule("prune-click-events", prune_click_events, PRUNE_INTERVAL, timeout=1800),
]


def init_app(app: Flask) -> None:
    """Register reach tracking; `/r/<code>` is answered by the middleware in front of Flask."""
    with app.app_context():
        redis = redis_connection()
    # Under test nothing flushes behind the test's back: tests ingest when they choose to.
    flush = None if app.config.get("TESTING") else partial(flush_local_buffer, app)
    buffer = ClickBuffer(redis, flush, app.config.get("TRACKING_REDIS_BATCH_MS", 0) / 1000)
    tracker = Tracker(app, buffer)
    app.extensions["click_buffer"] = buffer
    app.extensions["tracker"] = tracker
    app.wsgi_app = TrackingMiddleware(tracker, app.wsgi_app)
    app.register_blueprint(routes.tracking_bp)
    app.register_blueprint(routes.bp)
    app.register_blueprint(routes.admin_bp)
    api.register_blueprint(api_routes.bp)
    api.spec.components.schema("ConversionIn", schema=api_routes.ConversionInSchema)
    register_schedules(app, SCHEDULES)
    templating.register_nav(app, "My reach", "reach.mine")
    register_content_panel(
        app,
        ContentPanel("reach", content_panel_totals, page_template="leaderboard/_reach_panel.html"),
    )
    demo.add_seed_step(seed_clicks)
    register_privacy_handler(
        app,
        PrivacyHandler(
            "leaderboard",
            personal_data.export_person,
            personal_data.anonymise_person,
            "your points, your leaderboard choice, the reach of your links per day and network, "
            "conversions credited to them and the followers you declared.",
        ),
    )
