"""Plugs privacy into the app: the export and erasure pages and the registries' core entries."""

from __future__ import annotations

from flask import Flask

from advocacy.privacy import models  # noqa: F401 - the erasure table


def init_app(app: Flask) -> None:
    """Register the privacy pages and the accounts' exporter and anonymiser."""
