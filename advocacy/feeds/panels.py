"""Content panels: the extension point through which other features add a section to the content
page, a line to the review queue and a few words to feed cards, so that feeds never imports them
(dependencies run one way: discussions uses feeds' services; feeds knows nothing of discussions).

A feature registers a `ContentPanel` when the app starts. A page calls each panel's `load` once
with every item it shows and the reader, and includes the panel's template for each item `load`
returned a value for (the template gets `item` and `panel_value`). One call per page, whatever
the number of items, keeps the queue at a bounded number of queries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from flask import Flask, current_app

from advocacy.accounts.models import User
from advocacy.feeds.models import Content

Place = Literal["page", "queue", "card"]
EXTENSION_KEY = "feeds_content_panels"


@dataclass(frozen=True)
class ContentPanel:
    """A feature's panel: `load(reader, items)` gives a value per content id (items absent from
    the answer show nothing); templates say how it looks on the content page and in the queue
    (None: not shown there)."""

    name: str
    load: Callable[[User, list[Content]], Mapping[int, Any]]
    page_template: str | None = None
    queue_template: str | None = None
    card_template: str | None = None  # a few words on a feed card (points earned)

    def template(self, place: Place) -> str | None:
        return {"page": self.page_template, "queue": self.queue_template}.get(
            place, self.card_template
        )


@dataclass(frozen=True)
class LoadedPanel:
    """A panel's template and its values for the items of one page."""

    name: str
    template: str
    values: Mapping[int, Any]


def register_content_panel(app: Flask, panel: ContentPanel) -> None:
    """Add a panel to content pages and/or the review queue (panels show in registration order)."""
    panels = app.extensions.setdefault(EXTENSION_KEY, [])
    if all(existing.name != panel.name for existing in panels):
        panels.append(panel)


def load_panels(reader: User, items: list[Content], place: Place) -> list[LoadedPanel]:
    """Every registered panel shown at `place`, loaded once for all `items`."""
    if not items:
        return []
    loaded = []
    for panel in current_app.extensions.get(EXTENSION_KEY, []):
        template = panel.template(place)
        if template is None:
            continue
        values = panel.load(reader, items)
        if values:
            loaded.append(LoadedPanel(panel.name, template, values))
    return loaded
