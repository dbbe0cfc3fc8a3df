"""Reach page panels: how other features (the points ledger) add a section to "My reach" without
reach importing them. A panel's `load(person)` gives its template's context; None shows nothing."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

from advocacy.accounts.models import User

EXTENSION_KEY = "reach_page_panels"


@dataclass(frozen=True)
class ReachPanel:
    """A section of the "My reach" page: `template` is rendered with what `load` returns."""

    name: str
    load: Callable[[User], Mapping[str, Any] | None]
    template: str


@dataclass(frozen=True)
class LoadedReachPanel:
    template: str
    context: Mapping[str, Any]


def register_reach_panel(app: Flask, panel: ReachPanel) -> None:
    """Add a section to "My reach" (sections show in registration order, each name once)."""
    panels = app.extensions.setdefault(EXTENSION_KEY, [])
    if all(existing.name != panel.name for existing in panels):
        panels.append(panel)


def load_reach_panels(person: User) -> list[LoadedReachPanel]:
    """Every registered section, loaded for `person`."""
    loaded = []
    for panel in current_app.extensions.get(EXTENSION_KEY, []):
        context = panel.load(person)
        if context is not None:
            loaded.append(LoadedReachPanel(panel.template, context))
    return loaded
