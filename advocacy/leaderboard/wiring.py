"""Plugs reach and points into the app. Reach: the click-path middleware, the event buffer, the
ingest and pruning schedules, reach pages and API, the content-page panel and the demo's clicks.
Points: the receivers of reach's and the feed's signals, the leaderboard pages and API, the
"My reach" points panel, the snapshot and period-closing schedules and `flask leaderboard`.
Reach never imports points: points listens to reach's signals and adds its panel here."""

from __future__ import annotations

from functools import partial

from flask import Flask

from advocacy import demo
from advocacy.accounts.models import User
from advocacy.extensions import api
from advocacy.feeds.panels import ContentPanel, register_content_panel
from advocacy.feeds.signals import share_recorded
from advocacy.jobs import Schedule, redis_connection, register_schedules
from advocacy.leaderboard.points import api_routes as points_api
from advocacy.leaderboard.points import closing, ledger
from advocacy.leaderboard.points import jobs as points_jobs
from advocacy.leaderboard.points import personal_data as points_data
from advocacy.leaderboard.points import routes as points_routes
from advocacy.leaderboard.points.cli import leaderboard_cli
from advocacy.leaderboard.reach import api_routes as reach_api
from advocacy.leaderboard.reach import personal_data as reach_data
from advocacy.leaderboard.reach import routes as reach_routes
from advocacy.leaderboard.reach.demo import seed_clicks
from advocacy.leaderboard.reach.events import ClickBuffer
from advocacy.leaderboard.reach.ingest import flush_local_buffer, ingest_clicks
from advocacy.leaderboard.reach.metrics import content_panel_totals
from advocacy.leaderboard.reach.panels import ReachPanel, register_reach_panel
from advocacy.leaderboard.reach.retention import prune_click_events
from advocacy.leaderboard.reach.signals import (
    conversion_recorded,
    human_clicks_recorded,
    shares_verified,
)
from advocacy.leaderboard.reach.tracking import Tracker, TrackingMiddleware
from advocacy.privacy.registry import PrivacyHandler, register_privacy_handler
from advocacy.web import templating

INGEST_INTERVAL = 5  # seconds between ingest runs in the worker
PRUNE_INTERVAL = 24 * 3600  # seconds: raw click events are pruned once a day
CLOSING_INTERVAL = (
    3600  # seconds: a period that ended at local midnight is announced within the hour
)
POINTS_PANEL_ENTRIES = 10

SCHEDULES = [
    Schedule("ingest-clicks", ingest_clicks, INGEST_INTERVAL, timeout=120),
    Schedule("prune-click-events", prune_click_events, PRUNE_INTERVAL, timeout=1800),
    Schedule(
        "leaderboard-snapshots",
        points_jobs.take_standings_snapshots,
        points_jobs.SNAPSHOT_INTERVAL,
        timeout=1800,
    ),
    Schedule("leaderboard-close-periods", closing.close_periods, CLOSING_INTERVAL, timeout=600),
]


def _on_share_recorded(share, **_) -> None:
    ledger.award_share_intent(share)


def _on_human_clicks(sender=None, clicks=(), **_) -> None:
    ledger.award_clicks(clicks)


def _on_conversion(sender=None, conversion=None, **_) -> None:
    if conversion is not None:
        ledger.award_conversion(conversion)


def _on_shares_verified(sender=None, share_ids=(), **_) -> None:
    ledger.award_verified_shares(list(share_ids))


def _points_panel(person: User) -> dict:
    return {"points_history": ledger.points_history(person, limit=POINTS_PANEL_ENTRIES)}


def _card_points(reader: User, items: list) -> dict[int, int]:
    return ledger.points_by_content(reader, [item.id for item in items])


def export_person(user: User) -> dict:
    """The leaderboard's part of a privacy export: points, then reach."""
    return {**points_data.export_person(user), **reach_data.export_person(user)}


def anonymise_person(user: User) -> None:
    """The leaderboard's part of an erasure."""
    points_data.anonymise_person(user)
    reach_data.anonymise_person(user)


def init_app(app: Flask) -> None:
    """Register reach and points; `/r/<code>` is answered by the middleware in front of Flask."""
    _init_reach(app)
    _init_points(app)
    register_schedules(app, SCHEDULES)
    demo.add_seed_step(seed_clicks)
    register_privacy_handler(
        app,
        PrivacyHandler(
            "leaderboard",
            export_person,
            anonymise_person,
            "your points, your leaderboard choice, the reach of your links per day and network, "
            "conversions credited to them and the followers you declared.",
        ),
    )


def _init_reach(app: Flask) -> None:
    with app.app_context():
        redis = redis_connection()
    # Under test nothing flushes behind the test's back: tests ingest when they choose to.
    flush = None if app.config.get("TESTING") else partial(flush_local_buffer, app)
    buffer = ClickBuffer(redis, flush, app.config.get("TRACKING_REDIS_BATCH_MS", 0) / 1000)
    tracker = Tracker(app, buffer)
    app.extensions["click_buffer"] = buffer
    app.extensions["tracker"] = tracker
    app.wsgi_app = TrackingMiddleware(tracker, app.wsgi_app)
    app.register_blueprint(reach_routes.tracking_bp)
    app.register_blueprint(reach_routes.bp)
    app.register_blueprint(reach_routes.admin_bp)
    api.register_blueprint(reach_api.bp)
    api.spec.components.schema("ConversionIn", schema=reach_api.ConversionInSchema)
    templating.register_nav(
        app, "My reach", "reach.mine", group="Reach", icon="activity", also=("reach.*",)
    )
    templating.register_manage_tool(
        app,
        "Reach settings",
        "reach_admin.settings",
        "activity",
        "Bot filters, attribution, retention.",
        lambda user: user.is_admin,
    )
    register_content_panel(
        app,
        ContentPanel("reach", content_panel_totals, page_template="leaderboard/_reach_panel.html"),
    )


def _init_points(app: Flask) -> None:
    # Module-level receivers: blinker holds them weakly, and the module keeps them alive.
    share_recorded.connect(_on_share_recorded)
    human_clicks_recorded.connect(_on_human_clicks)
    conversion_recorded.connect(_on_conversion)
    shares_verified.connect(_on_shares_verified)
    app.register_blueprint(points_routes.bp)
    app.register_blueprint(points_routes.admin_bp)
    api.register_blueprint(points_api.bp)
    templating.register_nav(
        app,
        "Leaderboard",
        "leaderboard.index",
        group="Reach",
        icon="trophy",
        also=("leaderboard.*",),
    )
    templating.register_manage_tool(
        app,
        "Points",
        "points_admin.settings",
        "award",
        "What earns points, caps, who is ranked.",
        lambda user: user.is_admin,
    )
    app.cli.add_command(leaderboard_cli)
    register_content_panel(
        app, ContentPanel("points", _card_points, card_template="leaderboard/_card_points.html")
    )
    register_reach_panel(
        app, ReachPanel("points", _points_panel, "leaderboard/_points_reach_panel.html")
    )
