"""Plugs points and standings into the app: signal receivers, pages, API, navigation, CLI."""

from __future__ import annotations

from flask import Flask

from advocacy.extensions import api
from advocacy.feeds.signals import share_recorded
from advocacy.jobs import Schedule, register_schedules
from advocacy.leaderboard.points import api_routes, ledger, routes
from advocacy.leaderboard.points import jobs as points_jobs
from advocacy.leaderboard.points.cli import leaderboard_cli
from advocacy.leaderboard.reach.signals import (
    conversion_recorded,
    human_clicks_recorded,
    shares_verified,
)
from advocacy.web import templating


def _on_share_recorded(share, **_) -> None:
    ledger.award_share_intent(share)


def _on_human_clicks(sender=None, clicks=(), **_) -> None:
    ledger.award_clicks(clicks)


def _on_conversion(sender=None, conversion=None, **_) -> None:
    if conversion is not None:
        ledger.award_conversion(conversion)


def _on_shares_verified(sender=None, share_ids=(), **_) -> None:
    ledger.award_verified_shares(list(share_ids))


def init_app(app: Flask) -> None:
    """Register everything points and standings add to the app."""
    # Module-level receivers: blinker holds them weakly, and the module keeps them alive.
    share_recorded.connect(_on_share_recorded)
    human_clicks_recorded.connect(_on_human_clicks)
    conversion_recorded.connect(_on_conversion)
    shares_verified.connect(_on_shares_verified)
    app.register_blueprint(routes.bp)
    app.register_blueprint(routes.admin_bp)
    api.register_blueprint(api_routes.bp)
    templating.register_nav(app, "Leaderboard", "leaderboard.index")
    app.cli.add_command(leaderboard_cli)
    register_schedules(
        app,
        [
            Schedule(
                "leaderboard-snapshots",
                points_jobs.take_standings_snapshots,
                points_jobs.SNAPSHOT_INTERVAL,
                timeout=1800,
            )
        ],
    )
