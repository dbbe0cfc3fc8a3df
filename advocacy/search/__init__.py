"""Search: one permission-aware full-text search over threads, posts, content, people and spaces.

`init_app(app)` wires it into the app factory. Features make their rows searchable with
`documents.register_source` / `documents.watch`, and tell search which spaces a user may see with
`permissions.set_visible_spaces_provider` (see the README's Search section).
"""

from __future__ import annotations

from flask import Flask

from advocacy import extensions
from advocacy.jobs import Schedule, register_schedules
from advocacy.search import admin, cli, hooks, jobs, people, routes
from advocacy.search import api as search_api
from advocacy.search.extension import SearchState

__all__ = ["init_app", "hooks"]


def init_app(app: Flask) -> None:
    """Set search up: its state, the chosen backend (checked now, not at the first search), the
    people source, pages, API, commands and periodic jobs."""
    state = SearchState(app.config["SEARCH_BACKEND"], app.config)
    app.extensions["search"] = state
    state.backend()
    people.register(app)
    app.register_blueprint(routes.bp)
    app.register_blueprint(admin.bp)
    extensions.api.register_blueprint(search_api.bp)
    cli.init_app(app)
    register_schedules(
        app,
        [
            Schedule("search-index-pending", jobs.index_changes, jobs.SWEEP_SECONDS, "search"),
            Schedule("search-purge-query-log", jobs.purge_query_log, 86400, "search"),
        ],
    )
