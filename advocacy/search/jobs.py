"""Background entry points for search, all run on the `search` queue."""

from __future__ import annotations

from flask import current_app

from advocacy.background.service import fail_job_run
from advocacy.search import analytics, indexing

SWEEP_SECONDS = 60  # the periodic run that indexes changes whose job was lost


def index_changes(keys: list[str] | None = None) -> int:
    """Index the changed documents `keys` and every other pending change (idempotent: each
    document is rebuilt from the database, or removed when its row is gone)."""
    return indexing.index_pending(keys or ())


def reindex(run_id: int) -> None:
    """Rebuild the index for an admin, reporting progress on the status row."""
    try:
        indexing.run_reindex(run_id)
    except Exception:
        fail_job_run(
            run_id, "The rebuild failed; the previous index is still in use. It is logged."
        )
        raise


def purge_query_log() -> int:
    """Forget searches older than SEARCH_LOG_RETENTION_DAYS."""
    return analytics.purge_query_log(current_app.config["SEARCH_LOG_RETENTION_DAYS"])
