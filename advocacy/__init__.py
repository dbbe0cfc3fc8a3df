"""Advocacy: employee advocacy and internal social collaboration, as a Flask app factory."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

from advocacy import extensions, jobs, outbound
from advocacy.accounts import admin_routes as accounts_admin
from advocacy.accounts import api_routes as accounts_api
from advocacy.accounts import auth
from advocacy.accounts import cli as accounts_cli
from advocacy.accounts import routes as accounts_routes
from advocacy.accounts import settings_routes as accounts_settings
from advocacy.accounts import team_routes as accounts_teams
from advocacy.analytics import wiring as analytics
from advocacy.background import routes as background_routes
from advocacy.backup import cli as backup_cli
from advocacy.config import load_config
from advocacy.demo import add_seed_step, seed_demo_command
from advocacy.discussions import wiring as discussions
from advocacy.discussions.bridge import wiring as discussions_bridge
from advocacy.discussions.notifications import wiring as notifications
from advocacy.extensions import api, csrf, db, htmx, limiter, login_manager, migrate, talisman
from advocacy.feeds import wiring as feeds
from advocacy.feeds.links import SHARE_INTENT_ORIGINS
from advocacy.leaderboard import wiring as leaderboard
from advocacy.media import wiring as media
from advocacy.privacy import wiring as privacy
from advocacy.recruiting import wiring as recruiting
from advocacy.search import wiring as search
from advocacy.web import (
    converters,
    errors,
    input_guard,
    manage_routes,
    shell_routes,
    templating,
)
from advocacy.webhooks import wiring as webhooks

ROOT = Path(__file__).resolve().parent.parent

# Only our own files: no inline script, no CDN. Images from elsewhere are fetched once and served
# from here (media/), so a page never makes a reader's browser call another host.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    # a share form's answer redirects to the network's share page (browsers hold redirects
    # after a form to form-action too): those origins and mailto:, nothing else
    "form-action": ["'self'", *SHARE_INTENT_ORIGINS],
    "frame-ancestors": "'none'",
}


def is_admin(user) -> bool:
    return user.is_admin


def create_app(config: dict | None = None) -> Flask:
    """Build the app. `config` is read like the environment (DATABASE_URL, REDIS_URL...) and then
    overrides the resulting Flask config, so tests can pass either kind of setting."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("ADVOCACY_INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    env = dict(os.environ)
    env.update({k: v for k, v in (config or {}).items() if isinstance(v, str)})
    app.config.update(load_config(env, app.instance_path))
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    _init_extensions(app)
    _register_features(app)
    return app


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    extensions.mail.init_app(app)  # not `mail`: the advocacy.mail module shadows that name
    login_manager.init_app(app)
    talisman.init_app(
        app,
        content_security_policy=CONTENT_SECURITY_POLICY,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        strict_transport_security=app.config["SESSION_COOKIE_SECURE"],
        referrer_policy="strict-origin-when-cross-origin",
        frame_options="DENY",
    )
    app.config.update(
        API_TITLE="Advocacy API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
    )
    converters.init_app(app, api)
    api.init_app(app, spec_kwargs={"info": {"description": _API_DESCRIPTION}})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    jobs.init_app(app)
    outbound.init_app(app)


_API_DESCRIPTION = (
    "Advocacy's JSON API. Authenticate with `Authorization: Bearer <token>` (create a token on "
    "your settings page or with `flask tokens create`). Errors are `application/problem+json`; "
    "lists are paginated with `page` and `per_page`."
)


def _register_features(app: Flask) -> None:
    errors.init_app(app)
    input_guard.init_app(app)
    templating.init_app(app)
    auth.init_app(app)
    app.register_blueprint(accounts_routes.bp)
    app.register_blueprint(accounts_settings.bp)
    app.register_blueprint(accounts_admin.bp)
    app.register_blueprint(accounts_teams.bp)
    search.init_app(app)  # before the features that make their rows searchable
    media.init_app(app)
    feeds.init_app(app)  # before the other links: the feed leads the navigation
    for label, endpoint, icon, description in (
        ("People", "admin.users", "users", "Invite, import, change roles, deactivate."),
        ("Organisation", "admin.organisation", "settings", "Name, default time zone, week start."),
    ):
        templating.register_manage_tool(app, label, endpoint, icon, description, is_admin)
    app.register_blueprint(background_routes.bp)
    api.register_blueprint(accounts_api.bp)
    accounts_cli.init_app(app)
    discussions.init_app(app)
    templating.register_nav(app, "Teams", "teams.index", group="Discuss", icon="users")
    notifications.init_app(app)  # after the core: its demo step reads the core's threads
    discussions_bridge.init_app(app)  # after the feed and the core, which it links
    leaderboard.init_app(app)  # after the feed: the demo's clicks land on its shares
    webhooks.init_app(app)
    privacy.init_app(app)
    analytics.init_app(app)
    recruiting.init_app(app)  # after reach: its demo step needs the demo's clicks
    manage_routes.init_app(app)  # last: its link closes the Manage group
    shell_routes.init_app(app)
    add_seed_step(search.seed_index)  # last: the demo's index holds what the steps seeded
    app.cli.add_command(seed_demo_command)
    backup_cli.init_app(app)
