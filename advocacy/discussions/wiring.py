"""Internal discussions: spaces, threads, Q&A and mentions for teams that work across time zones.
This module wires the core into the app; notifications/ and bridge/ wire themselves after it."""

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
    moderation,
    personal_data,
    profiles,
    search_sources,
)
from advocacy.discussions import spaces as space_service
from advocacy.discussions.routes import posts, spaces, threads
from advocacy.extensions import api as api_extension
from advocacy.privacy.registry import PrivacyHandler, register_privacy_handler
from advocacy.web.templating import register_nav

# Requests that do not mean the person is here: the bell and the unanswered list poll by
# themselves (htmx names the polling element in HX-Trigger).
NOT_ACTIVITY = {"notifications.bell", "static"}
POLLING_ELEMENTS = {"bell", "unanswered"}


def init_app(app: Flask) -> None:
    """Register the pages, the API, the demo step, the team hook, search and the privacy export."""
    for blueprint in (spaces.bp, threads.bp, posts.bp, posts.moderation_bp, posts.people_bp):
        app.register_blueprint(blueprint)
    api_extension.register_blueprint(api_routes.bp)
    register_nav(
        app,
        "Discussions",
        "spaces.index",
        group="Discuss",
        icon="message-square",
        also=("spaces.*", "threads.*", "posts.*", "people.*"),
    )
    register_nav(app, "Unanswered", "spaces.unanswered", group="Discuss", icon="circle-help")
    register_nav(
        app,
        "Moderation",
        "moderation.queue",
        visible=moderation.moderates_something,
        group="Manage",
        icon="flag",
        also=("moderation.*",),
    )
    add_seed_step(demo.seed_discussions)
    cli.init_app(app)
    search_sources.register(app)
    team_created.connect(_give_team_a_space, weak=False)
    app.before_request(_record_activity)
    register_privacy_handler(
        app,
        PrivacyHandler(
            "discussions",
            personal_data.export_person,
            personal_data.anonymise_person,
            "your discussion settings, spaces, threads, posts as you wrote them, reactions, "
            "reports and follows.",
        ),
    )


def _give_team_a_space(team, **_kwargs) -> None:
    space_service.ensure_team_space(team)


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
