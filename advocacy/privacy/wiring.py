"""Plugs privacy into the app: the export and erasure pages and the accounts' registry entry
(the other features register their own from their wiring)."""

from __future__ import annotations

from flask import Flask

from advocacy.accounts import personal_data as accounts_privacy
from advocacy.privacy import (
    models,  # noqa: F401 - the erasure table
    routes,
)
from advocacy.privacy.registry import PrivacyHandler, register_privacy_handler
from advocacy.web.templating import register_manage_tool


def init_app(app: Flask) -> None:
    """Register the privacy pages and the accounts' exporter and anonymiser."""
    app.register_blueprint(routes.bp)
    register_manage_tool(
        app,
        "Privacy",
        "privacy.erasures",
        "lock",
        "Erasure requests and what was erased.",
        lambda user: user.is_admin,
    )
    register_privacy_handler(
        app,
        PrivacyHandler(
            "profile",
            accounts_privacy.export_person,
            accounts_privacy.anonymise_person,
            "your profile, teams, API tokens (names and dates) and invitations.",
            order=100,  # last: it renames the user the other anonymisers look up
        ),
    )
