"""Search's per-app state: the document sources, the backend, the visibility provider."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import Flask, current_app

from advocacy.search.backends import create_backend
from advocacy.search.backends.base import SearchBackend
from advocacy.search.documents import SourceRegistry
from advocacy.search.permissions import _no_spaces, _targeted_only


@dataclass
class SearchState:
    """What search knows about one app."""

    backend_name: str
    config: dict
    registry: SourceRegistry = field(default_factory=SourceRegistry)
    visible_spaces: Callable[[object], Iterable[int]] = _no_spaces
    sees_all_audiences: Callable[[object], bool] = _targeted_only
    backends: dict[str, SearchBackend] = field(default_factory=dict)
    indexing_deferred: bool = False  # a bulk load indexes once, at its end

    def backend(self, name: str | None = None) -> SearchBackend:
        """The configured backend (or the one named), created on first use."""
        name = name or self.backend_name
        if name not in self.backends:
            self.backends[name] = create_backend(name, self.config)
        return self.backends[name]


def search_state(app: Flask | None = None) -> SearchState:
    """The search state of `app` (default: the current app)."""
    return (app or current_app).extensions["search"]


def current_backend() -> SearchBackend:
    """The configured backend of the current app."""
    return search_state().backend()
