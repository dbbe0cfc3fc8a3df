"""Template helpers: times in the reader's zone, served asset hashes, the app shell's navigation
(grouped Share · Discuss · Reach · Manage) and the Manage area's tools, icons and avatars."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_request_context, request, url_for
from flask_login import current_user

from advocacy.web.emoji import emoji_image, emoji_name
from advocacy.web.icons import icon


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


# The sidebar's groups, by role: what an employee shares, where teams talk, how far it went,
# and the curators', HR's and admins' tools.
NAV_GROUPS = ("Share", "Discuss", "Reach", "Manage")


def everyone(user) -> bool:
    return True


@dataclass(frozen=True)
class NavItem:
    """A main-navigation link in a group, shown to users for whom `visible(user)` is true; it
    is the current entry on its own page and on those `also` names: endpoints, or "bp.*" for
    every page of a blueprint (a content item's page belongs to the feed, not "My content")."""

    label: str
    endpoint: str
    group: str
    icon: str
    visible: Callable = everyone
    also: tuple[str, ...] = ()

    def is_current(self, endpoint: str | None) -> bool:
        if not endpoint:
            return False
        if endpoint == self.endpoint or endpoint in self.also:
            return True
        return endpoint.rsplit(".", 1)[0] + ".*" in self.also


def register_nav(
    app: Flask,
    label: str,
    endpoint: str,
    visible: Callable = everyone,
    *,
    group: str,
    icon: str,
    also: tuple[str, ...] = (),
) -> None:
    """Add a feature's link to the main navigation, under one of NAV_GROUPS."""
    if group not in NAV_GROUPS:
        raise ValueError(f"nav group {group!r} is not one of {NAV_GROUPS}")
    app.extensions.setdefault("nav", []).append(
        NavItem(label, endpoint, group, icon, visible, also)
    )


@dataclass(frozen=True)
class ManageTool:
    """A tool on the Manage page (curators, HR, admins), shown to whom `visible(user)` allows."""

    label: str
    endpoint: str
    icon: str
    description: str
    visible: Callable


def register_manage_tool(
    app: Flask, label: str, endpoint: str, icon: str, description: str, visible: Callable
) -> None:
    """Add a feature's admin or curator tool to the Manage area."""
    app.extensions.setdefault("manage_tools", []).append(
        ManageTool(label, endpoint, icon, description, visible)
    )


def manage_tools(user) -> list[ManageTool]:
    return [tool for tool in current_app.extensions.get("manage_tools", []) if tool.visible(user)]


def _navigation_context() -> dict:
    groups: dict[str, list[dict]] = {}
    # E-mails are rendered by workers, outside any request: there is no reader and no navigation.
    if has_request_context() and current_user.is_authenticated:
        endpoint = request.endpoint
        for item in current_app.extensions.get("nav", []):
            if item.visible(current_user):
                groups.setdefault(item.group, []).append(
                    {
                        "label": item.label,
                        "url": url_for(item.endpoint),
                        "icon": item.icon,
                        "current": item.is_current(endpoint),
                        "endpoint": item.endpoint,
                    }
                )
    return {"nav_groups": [(name, groups[name]) for name in NAV_GROUPS if name in groups]}


def initials(name: str | None) -> str:
    """Up to two letters for an avatar: first and last word's first letters."""
    words = [word for word in (name or "").replace(".", " ").split() if word[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def name_hue(name: str | None) -> int:
    """One of the 12 avatar colours (.hue-0 … .hue-11), the same for a name everywhere."""
    return zlib.crc32((name or "").encode()) % 12


def ago(value: datetime | None, now: datetime | None = None) -> str:
    """A short relative time: "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago",
    then the local date (beyond a week, a date reads better than a count)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    seconds = (now - value).total_seconds()
    if seconds < 0:
        return localtime(value)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    zone = reader_timezone()
    same_year = value.astimezone(zone).year == now.astimezone(zone).year
    return localtime(value, "%d %b" if same_year else "%d %b %Y")


def day_label(value: datetime | None, now: datetime | None = None) -> str:
    """The reader's local day of `value` as a heading: "Today", "Yesterday", else the date."""
    if value is None:
        return ""
    zone = reader_timezone()
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    day = value.astimezone(zone).date()
    today = (now or datetime.now(UTC)).astimezone(zone).date()
    if day == today:
        return "Today"
    if (today - day).days == 1:
        return "Yesterday"
    return day.strftime("%A %d %B" if day.year == today.year else "%A %d %B %Y")


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """ "1 conversion", "3 conversions": a number and its noun in agreement."""
    return f"{count:,} {singular if count == 1 else (plural or singular + 's')}"


def init_app(app: Flask) -> None:
    """Register filters and globals."""
    app.context_processor(_navigation_context)
    assets = load_asset_manifest(app)
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["day_label"] = day_label
    app.jinja_env.filters["counted"] = counted
    app.jinja_env.filters["initials"] = initials
    app.jinja_env.filters["name_hue"] = name_hue
    app.jinja_env.globals["icon"] = icon
    app.jinja_env.globals["emoji_image"] = emoji_image
    app.jinja_env.globals["emoji_name"] = emoji_name
    app.jinja_env.globals["manage_tools"] = manage_tools
    app.jinja_env.globals["now_utc"] = lambda: datetime.now(UTC)
    app.jinja_env.globals["vendor_assets"] = assets

    def asset_url(name: str) -> str:
        """A vendored file's address, versioned by its hash: a browser never pairs a cached
        old file with the new integrity hash (which would block it)."""
        return url_for("static", filename=f"vendor/{name}", v=assets[name]["integrity"][7:19])

    app.jinja_env.globals["asset_url"] = asset_url
    app.jinja_env.globals["utc_iso"] = lambda value: (
        value.astimezone(UTC).isoformat() if value else ""
    )
