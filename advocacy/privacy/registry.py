"""The registry features fill so privacy never imports them: for each feature, a function
exporting what it holds about a person and one anonymising it.

- `export(user)` returns JSON-ready data (dicts, lists, strings, numbers, ISO dates); it becomes
  `<name>.json` in the person's ZIP.
- `anonymise(user)` removes or neutralises personal data and must not commit: every feature's
  anonymiser runs in one transaction, so an erasure happens completely or not at all. Aggregates
  (counts, clicks, points) are kept; they point at the user row, which becomes anonymous.
- `order` sorts anonymisers (lower first); accounts goes last since it renames the user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from advocacy.accounts.models import User


@dataclass(frozen=True)
class PrivacyHandler:
    """One feature's part of an export and an erasure."""

    name: str
    export: Callable[[User], object] | None = None
    anonymise: Callable[[User], None] | None = None
    description: str = ""
    order: int = 50


def register_privacy_handler(app: Flask, handler: PrivacyHandler) -> None:
    """Add a feature's exporter and anonymiser (names are unique: they are file names)."""
    handlers = app.extensions.setdefault("privacy_handlers", {})
    if handler.name in handlers:
        raise ValueError(f"a privacy handler named {handler.name!r} is already registered")
    handlers[handler.name] = handler


def privacy_handlers() -> list[PrivacyHandler]:
    """Every registered handler, in anonymisation order (then by registration)."""
    handlers = list(current_app.extensions.get("privacy_handlers", {}).values())
    return sorted(handlers, key=lambda h: h.order)
