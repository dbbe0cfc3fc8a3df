"""Internal discussions: spaces, threads, Q&A, mentions, notifications and digests for teams
that work across time zones. This module wires the feature into the app."""

from __future__ import annotations

import time

from flask import Flask, request, session
from flask_login import current_user

from advocacy.accounts.signals import team_created
from advocacy.demo import add_seed_step
from advocacy.discussions import (
    api_routes,
    cli,
    demo,
    personal_data,
    profiles,
    search_sources,
    spaces,
)
from advocacy.discussions.bridge import demo as bridge_demo
from advocacy.discussions.bridge import panels as bridge_panels
from advocacy.discussions.bridge import routes
from advocacy.discussions.notifications import routes as notification_routes
from advocacy.discussions.notifications import service
from advocacy.discussions.notifications.jobs import SCHEDULES
from advocacy.discussions.routes import posts, threads
from advocacy.discussions.routes import spaces as space_routes
from advocacy.extensions import api as api_extension
from advocacy.feeds.panels import register_content_panel
from advocacy.jobs import register_schedules
from advocacy.privacy.registry import PrivacyHandler, register_privacy_handler
from advocacy.web.templating import register_nav

# Requests that do not mean the person is here: the bell and the unanswered list poll by
# themselves (htmx names the polling element in HX-Trigger).
NOT_ACTIVITY = {"notifications.bell", "static"}
POLLING_ELEMENTS = {"bell", "unanswered"}


def init_app(app: Flask) -> None:
    """Register the pages, the API, the periodic jobs, the demo steps, the team hook and the
    panels the feed's pages show (the bridge to advocacy)."""
    for blueprint in (
        space_routes.bp,
        threads.bp,
        posts.bp,
        posts.moderation_bp,
        posts.people_bp,
        notification_routes.bp,
        routes.bp,
    ):
        app.register_blueprint(blueprint)
    api_extension.register_blueprint(api_routes.bp)
    register_nav(app, "Discussions", "spaces.index")
    register_schedules(app, SCHEDULES)
    add_seed_step(demo.seed_discussions)
    add_seed_step(bridge_demo.seed_bridge)  # after the feed's step and the discussions' own
    for panel in bridge_panels.PANELS:  # the feed's content pages and queue show the bridge
        register_content_panel(app, panel)
    cli.init_app(app)
    search_sources.register(app)
    team_created.connect(_give_team_a_space, weak=False)
    app.before_request(_record_activity)
    app.jinja_env.globals["notification_count"] = _notification_count
    register_privacy_handler(
        app,
        PrivacyHandler(
            "discussions",
            personal_data.export_person,
            personal_data.anonymise_person,
            "your discussion settings, spaces, threads, posts as you wrote them, reactions, "
            "reports, follows and notifications.",
        ),
    )


def _give_team_a_space(team, **_kwargs) -> None:
    spaces.ensure_team_space(team)


def _notification_count() -> int:
    return service.unread_count(current_user) if current_user.is_authenticated else 0


def _record_activity() -> None:
    """Note when people use the pages (for digests), at most once per few minutes each: the
    session remembers the last write so most requests touch no row."""
    if request.endpoint in NOT_ACTIVITY or request.path.startswith("/api/"):
        return
    if request.headers.get("HX-Trigger") in POLLING_ELEMENTS:
        return
    if not current_user.is_authenticated:
        return
    now = time.time()
    if now - session.get("seen_at", 0) < profiles.LAST_SEEN_INTERVAL.total_seconds():
        return
    session["seen_at"] = now
    profiles.record_seen(current_user)
