"""Search backends behind one interface; `create_backend` picks one by name (SEARCH_BACKEND)."""

from __future__ import annotations

from collections.abc import Mapping

from advocacy.config import ConfigError
from advocacy.search.backends.base import SearchBackend
from advocacy.search.backends.postgres.backend import PostgresBackend
from advocacy.search.backends.whoosh.backend import WhooshBackend

BACKENDS = ("whoosh", "postgres")


def create_backend(name: str, config: Mapping) -> SearchBackend:
    """The backend called `name`, configured from the app's settings."""
    if name == "whoosh":
        return WhooshBackend(config["SEARCH_INDEX_DIR"])
    if name == "postgres":
        if not str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
            raise ConfigError("SEARCH_BACKEND=postgres needs a PostgreSQL DATABASE_URL")
        return PostgresBackend(config.get("SEARCH_PG_LANGUAGE", "english"))
    raise ConfigError(f"SEARCH_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}")
