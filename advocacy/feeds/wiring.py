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
from advocacy.feeds.onboarding import register_feed_steps
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
    templating.register_nav(
        app,
        "Feed",
        "home.index",
        group="Share",
        icon="house",
        also=("home.*", "feeds.content_page", "feeds.policy", "feeds.share"),
    )
    templating.register_nav(
        app,
        "My content",
        "feeds.mine",
        group="Share",
        icon="file-text",
        also=("feeds.new_content", "feeds.edit_content"),
    )
    templating.register_nav(app, "Topics", "feeds_topics.index", group="Share", icon="tags")
    templating.register_nav(
        app,
        "Review queue",
        "feeds_queue.index",
        visible=can_review_any,
        group="Manage",
        icon="inbox",
        also=("feeds_queue.*",),
    )
    for label, endpoint, icon, description in (
        ("Content sources", "feeds_admin.sources_index", "rss", "RSS feeds that suggest content."),
        ("Compliance", "feeds_admin.compliance_settings", "shield", "Policy, disclosure, terms."),
    ):
        templating.register_manage_tool(
            app, label, endpoint, icon, description, lambda user: user.is_admin
        )
    register_feed_steps(app)
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
