"""Plugs the feed into the app: blueprints, API, periodic jobs, navigation, CLI, demo data."""

from __future__ import annotations

from flask import Flask

from advocacy import demo
from advocacy.extensions import api
from advocacy.feeds import (
    admin_routes,
    content_routes,
    personal_data,
    queue_routes,
    routes,
    search_sources,
)
from advocacy.feeds import api_routes as feeds_api
from advocacy.feeds.cli import feeds_cli
from advocacy.feeds.demo import seed_feed
from advocacy.feeds.jobs import SCHEDULES
from advocacy.feeds.workflow import can_review_any
from advocacy.jobs import register_schedules
from advocacy.privacy.registry import PrivacyHandler, register_privacy_handler
from advocacy.web import templating


def init_app(app: Flask) -> None:
    """Register everything the feed adds to the app; `/` becomes the employee's feed."""
    app.register_blueprint(routes.bp)
    app.register_blueprint(routes.topics_bp)
    app.register_blueprint(content_routes.bp)
    app.register_blueprint(queue_routes.bp)
    app.register_blueprint(admin_routes.bp)
    api.register_blueprint(feeds_api.bp)
    register_schedules(app, SCHEDULES)
    templating.register_nav(app, "My content", "feeds.mine")
    templating.register_nav(app, "Topics", "feeds_topics.index")
    templating.register_nav(app, "Review queue", "feeds_queue.index", visible=can_review_any)
    app.cli.add_command(feeds_cli)
    demo.add_seed_step(seed_feed)
    search_sources.register(app)
    register_privacy_handler(
        app,
        PrivacyHandler(
            "feed",
            personal_data.export_person,
            personal_data.anonymise_person,
            "content you wrote, your review actions, tracked links, shares, policy "
            "acknowledgements and followed topics.",
        ),
    )
