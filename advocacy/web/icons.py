"""The icons the interface uses: Lucide's outline set (ISC) and, for the networks people share
to, their marks from Simple Icons (CC0). scripts/vendor_assets.py writes exactly these into one
sprite; `icon(name)` draws one. Naming an icon not listed here fails loudly, at render time."""

from __future__ import annotations

from flask import url_for
from markupsafe import Markup

ICONS = (
    "activity",
    "at-sign",
    "award",
    "bell",
    "briefcase",
    "calendar",
    "chart-column",
    "check",
    "circle-alert",
    "circle-check",
    "circle-help",
    "clock",
    "copy",
    "ellipsis",
    "external-link",
    "eye",
    "file-text",
    "flag",
    "globe",
    "hash",
    "house",
    "image",
    "inbox",
    "info",
    "link",
    "list-checks",
    "lock",
    "log-out",
    "mail",
    "megaphone",
    "menu",
    "message-circle",
    "message-square",
    "moon",
    "newspaper",
    "pencil",
    "pin",
    "plus",
    "quote",
    "reply",
    "rocket",
    "rss",
    "search",
    "settings",
    "share-2",
    "shield",
    "sliders-horizontal",
    "sparkles",
    "star",
    "sun",
    "tags",
    "trash-2",
    "trophy",
    "user",
    "user-plus",
    "users",
    "webhook",
    "wrench",
    "x",
)
# our name -> Simple Icons' file (LinkedIn asked Simple Icons to remove its mark: it gets a
# lettermark from CSS instead, see the share dialog).
NETWORK_MARKS = {"net-x": "x", "net-facebook": "facebook", "net-xing": "xing"}


def icon(name: str, label: str | None = None, size: str = "") -> Markup:
    """An inline SVG drawing `name` from the sprite: decorative unless `label` names it."""
    if name not in ICONS and name not in NETWORK_MARKS:
        raise KeyError(f"icon {name!r} is not in advocacy/web/icons.py")
    href = url_for("static", filename="vendor/icons.svg") + "#icon-" + name
    css = (
        "icon" + (f" icon-{size}" if size else "") + (" icon-fill" if name in NETWORK_MARKS else "")
    )
    if label:
        return Markup(
            '<svg class="{}" role="img" aria-label="{}"><use href="{}"></use></svg>'
        ).format(css, label, href)
    return Markup(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}"></use></svg>'
    ).format(css, href)
