"""Template helpers: times in the reader's zone, served asset hashes, navigation context."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_request_context, url_for
from flask_login import current_user


def reader_timezone() -> ZoneInfo:
    """The signed-in reader's zone (the organisation's default until they change it), else UTC."""
    name = (getattr(current_user, "timezone", None) if has_request_context() else None) or "UTC"
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def localtime(value: datetime | None, fmt: str = "%d %b %Y, %H:%M", zone: str | None = None) -> str:
    """Format a UTC datetime in `zone` (an e-mail's recipient), else the reader's time zone."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo(zone) if zone else reader_timezone()).strftime(fmt)


def load_asset_manifest(app: Flask) -> dict:
    """The served vendor files and their integrity hashes, written by scripts/vendor_assets.py."""
    manifest = Path(app.static_folder) / "vendor" / "manifest.json"
    if not manifest.exists():
        raise RuntimeError(
            f"{manifest} is missing: run `make install` (npm ci + scripts/vendor_assets.py)"
        )
    return json.loads(manifest.read_text())


@dataclass(frozen=True)
class NavItem:
    """A main-navigation link, shown to users for whom `visible(user)` is true."""

    label: str
    endpoint: str
    visible: Callable = lambda user: True

    @property
    def prefix(self) -> str:
        return self.endpoint.rsplit(".", 1)[0] + "."


def register_nav(
    app: Flask, label: str, endpoint: str, visible: Callable = lambda user: True
) -> None:
    """Add a feature's link to the main navigation."""
    app.extensions.setdefault("nav", []).append(NavItem(label, endpoint, visible))


def _navigation_context() -> dict:
    items = []
    # E-mails are rendered by workers, outside any request: there is no reader and no navigation.
    if has_request_context() and current_user.is_authenticated:
        items = [
            {"label": item.label, "url": url_for(item.endpoint), "prefix": item.prefix}
            for item in current_app.extensions.get("nav", [])
            if item.visible(current_user)
        ]
    return {"nav_items": items}


def init_app(app: Flask) -> None:
    """Register filters and globals."""
    app.context_processor(_navigation_context)
    assets = load_asset_manifest(app)
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.globals["vendor_assets"] = assets
    app.jinja_env.globals["utc_iso"] = lambda value: (
        value.astimezone(UTC).isoformat() if value else ""
    )
