"""Plugs the bridge between discussions and the advocacy feed into the app: its pages, the panels
it adds to the feed's content pages and queue and to thread pages, and its demo step. Neither the
feed nor the discussions core imports the bridge."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import exists, select

from advocacy.demo import add_seed_step
from advocacy.discussions.bridge import demo, panels, routes
from advocacy.discussions.models import Thread
from advocacy.discussions.post_extras import register_post_extras
from advocacy.extensions import db
from advocacy.feeds.onboarding import OnboardingStep, register_onboarding_step
from advocacy.feeds.panels import register_content_panel


def _asked_something(user) -> bool:
    """The checklist's last step: the person opened a thread (a question, usually)."""
    return db.session.scalar(select(exists().where(Thread.author_id == user.id)))


def init_app(app: Flask) -> None:
    """Register the bridge after the feed and the discussions core (its demo step needs both)."""
    app.register_blueprint(routes.bp)
    for panel in panels.PANELS:
        register_content_panel(app, panel)
    register_post_extras(app, "bridge.proposals", panels.post_proposals)
    add_seed_step(demo.seed_bridge)
    register_onboarding_step(
        app,
        OnboardingStep("question", "Ask your first question", "spaces.index", _asked_something),
    )
