"""Plugs recruiting into the app: application conversions open referrals, the HR page, the
referrals API and the demo's referrals."""

from __future__ import annotations

from flask import Flask

from advocacy import demo
from advocacy.analytics.access import can_report
from advocacy.analytics.demo import spread_demo_shares
from advocacy.extensions import api
from advocacy.leaderboard.reach.signals import conversion_recorded
from advocacy.privacy.registry import PrivacyHandler, register_privacy_handler
from advocacy.recruiting import api_routes as recruiting_api
from advocacy.recruiting import (
    models,  # noqa: F401 - the referral table
    referrals,
    routes,
)
from advocacy.recruiting.demo import seed_referrals
from advocacy.recruiting.personal_data import export_person
from advocacy.web.templating import register_nav


def _on_conversion(sender=None, conversion=None, **_) -> None:
    if conversion is not None:
        referrals.open_referral(conversion)


def init_app(app: Flask) -> None:
    """Register the referral flow, its page and API."""
    conversion_recorded.connect(_on_conversion)
    app.register_blueprint(routes.bp)
    register_nav(
        app, "Referrals", "recruiting.index", visible=can_report, group="Manage", icon="briefcase"
    )
    api.register_blueprint(recruiting_api.bp)
    api.spec.components.schema("StageIn", schema=recruiting_api.StageInSchema)
    demo.add_seed_step(seed_referrals)
    demo.add_seed_step(spread_demo_shares)  # last: after every demo share and click
    register_privacy_handler(
        app,
        PrivacyHandler(
            "referrals",
            export_person,
            None,
            "the candidates you referred: the opening, their stage and the dates.",
        ),
    )
