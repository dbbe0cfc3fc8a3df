"""Plugs analytics into the app: the ROI calculator and content supply pages."""

from __future__ import annotations

from flask import Flask

from advocacy.analytics import models  # noqa: F401 - the settings table


def init_app(app: Flask) -> None:
    """Register the analytics pages."""
