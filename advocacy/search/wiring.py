"""Plugs search into the app factory: its state, the chosen backend, the people source, pages, API,
commands, periodic jobs and the demo's index. (Importing `hooks` is what makes every session's
flushes and commits reach the index.)"""

from __future__ import annotations

from flask import Flask

from advocacy import extensions
from advocacy.demo import add_seed_step
from advocacy.jobs import Schedule, register_schedules
from advocacy.search import admin_routes, cli, hooks, indexing, jobs, people, routes  # noqa: F401
from advocacy.search import api_routes as search_api
from advocacy.search.backends.warm_up import warm_in_background
from advocacy.search.extension import SearchState, search_state
from advocacy.web.templating import register_manage_tool


def init_app(app: Flask) -> None:
    """Set search up: its state, the chosen backend (checked now, not at the first search), the
    people source, pages, API, commands and periodic jobs."""
    state = SearchState(app.config["SEARCH_BACKEND"], app.config)
    app.extensions["search"] = state
    state.backend()
    if app.config.get("SEARCH_WARM_UP", not app.testing):
        warm_in_background(state.backend())
    people.register(app)
    app.register_blueprint(routes.bp)
    app.register_blueprint(admin_routes.bp)
    for label, endpoint, description in (
        ("Search index", "search_admin.status", "Engine, index health, rebuild."),
        ("Search analytics", "search_admin.analytics_page", "What people look for and miss."),
    ):
        register_manage_tool(app, label, endpoint, "search", description, _is_admin)
    extensions.api.register_blueprint(search_api.bp)
    cli.init_app(app)
    add_seed_step(defer_indexing)  # search is set up before the features that seed content
    register_schedules(
        app,
        [
            Schedule("search-index-pending", jobs.index_changes, jobs.SWEEP_SECONDS, "search"),
            Schedule("search-purge-query-log", jobs.purge_query_log, 86400, "search"),
        ],
    )


def _is_admin(user) -> bool:
    return user.is_admin


def defer_indexing(demo) -> None:
    """A demo step before the features' own: index once at the end, not after every commit."""
    search_state().indexing_deferred = True


def seed_index(demo) -> None:
    """The demo's last step: build the index from everything seeded, so search works at once
    (with Redis the indexing jobs would wait for a worker)."""
    search_state().indexing_deferred = False
    count = indexing.rebuild_index()
    demo.echo(f"Search index built: {count:,} documents ({search_state().backend_name}).")
