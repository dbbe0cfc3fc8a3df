"""Writing the index: drain pending changes in batches, and rebuild everything from the database.

Every write holds the backend's writer lock, so one process writes at a time (Whoosh allows only
one writer; it also keeps a rebuild and the incremental jobs apart). A job that cannot get the lock
within JOB_LOCK_WAIT leaves its changes pending: the lock holder drains the table before letting
go, and a periodic sweep (jobs.SWEEP_SECONDS) catches whatever is left.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, select, tuple_

from advocacy.background.models import JobRun, JobState
from advocacy.background.service import create_job_run, finish_job_run, report_progress
from advocacy.errors import Conflict
from advocacy.extensions import db
from advocacy.jobs import enqueue
from advocacy.models_base import utcnow
from advocacy.search.backends.base import SearchBackend, WriterBusy
from advocacy.search.documents import registry
from advocacy.search.extension import current_backend, search_state
from advocacy.search.models import SearchPendingChange

log = logging.getLogger("advocacy.search.indexing")

BATCH_SIZE = 200
JOB_LOCK_WAIT = 30.0  # seconds an indexing job waits for the writer lock
REBUILD_LOCK_WAIT = 120.0
REINDEX_KIND = "search_reindex"
REINDEX_TIMEOUT = 6 * 60 * 60
PROGRESS_EVERY = 1.0  # seconds between progress commits of a background rebuild


def index_pending(keys: Iterable[str] = ()) -> int:
    """Index `keys` and every pending change; returns how many keys were processed. A missing or
    unreadable index is rebuilt from the database first."""
    backend = current_backend()
    try:
        with backend.writer_lock(JOB_LOCK_WAIT):
            if not backend.exists():
                log.warning(
                    "search: the %s index is missing or unreadable; rebuilding", backend.name
                )
                _rebuild_locked(backend, lambda done, total: None, drain=False)
            return _drain(backend, set(keys))
    except WriterBusy:
        log.info("search: the index is being written elsewhere; changes stay pending")
        return 0


def _drain(backend: SearchBackend, extra_keys: set[str]) -> int:
    """Apply pending changes in batches. A pending row is deleted only if it did not change again
    while its batch was being indexed (its version is still the one read)."""
    processed = 0
    pending_table = SearchPendingChange.__table__
    while True:
        rows = db.session.execute(
            select(pending_table.c.key, pending_table.c.version)
            .order_by(pending_table.c.changed_at, pending_table.c.key)
            .limit(BATCH_SIZE)
        ).all()
        keys = {row.key for row in rows} | extra_keys
        extra_keys = set()
        if not keys:
            break
        documents, gone = registry().build(keys)
        backend.apply(documents, gone)
        if rows:
            seen = [(row.key, row.version) for row in rows]
            db.session.execute(
                delete(pending_table).where(
                    tuple_(pending_table.c.key, pending_table.c.version).in_(seen)
                )
            )
        db.session.commit()
        processed += len(keys)
        if len(rows) < BATCH_SIZE:
            break
    return processed


def rebuild_index(
    backend: SearchBackend | None = None,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> int:
    """Rebuild a backend (default: the configured one) from the database into a new index, switch
    to it, then apply what changed meanwhile. Returns the number of documents."""
    backend = backend or current_backend()
    live = backend is current_backend()
    with backend.writer_lock(REBUILD_LOCK_WAIT):
        return _rebuild_locked(backend, progress, drain=live)


def _rebuild_locked(backend: SearchBackend, progress, drain: bool) -> int:
    total = registry().count_rows()
    count = backend.rebuild(
        registry().iter_rows_and_documents(), lambda done: progress(done, total)
    )
    if drain:
        # Rows changed while the rebuild ran are still pending: they go into the new index now.
        _drain(backend, set())
    return count


# --- a rebuild started from the admin page: a background job with a status row --------------------


def running_reindex() -> JobRun | None:
    """The reindex that is queued or running, if any."""
    return db.session.scalar(
        select(JobRun)
        .where(
            JobRun.kind == REINDEX_KIND,
            JobRun.state.in_([JobState.QUEUED.value, JobState.RUNNING.value]),
        )
        .order_by(JobRun.id.desc())
        .limit(1)
    )


def start_reindex(owner_id: int) -> JobRun:
    """Queue a rebuild of the configured backend; Conflict if one is queued or running already."""
    if running_reindex() is not None:
        raise Conflict("The search index is being rebuilt already; follow its progress below.")
    run = create_job_run(REINDEX_KIND, owner_id, {"backend": search_state().backend_name})
    run.total = registry().count_rows()
    enqueue("advocacy.search.jobs.reindex", run.id, queue="search", timeout=REINDEX_TIMEOUT)
    db.session.commit()
    return run


def run_reindex(run_id: int) -> None:
    """Rebuild the index for a status row, reporting progress about once a second."""
    run = db.session.get(JobRun, run_id)
    if run is None or run.finished:
        return  # a retried job whose first attempt finished
    started = time.monotonic()
    last_report = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last_report
        if time.monotonic() - last_report >= PROGRESS_EVERY:
            last_report = time.monotonic()
            report_progress(run, done, max(total, done), "Rebuilding the search index…")

    report_progress(run, 0, run.total, "Waiting for the index writer…")
    count = rebuild_index(progress=progress)
    seconds = time.monotonic() - started
    finish_job_run(
        run,
        {"documents": count, "seconds": round(seconds, 1)},
        f"The search index was rebuilt: {count:,} documents in {seconds:.1f} s.",
    )


@dataclass(frozen=True)
class PendingSummary:
    """Changes not indexed yet: how many, and since when (the index's lag)."""

    count: int
    oldest: object  # datetime | None

    @property
    def lag_seconds(self) -> float:
        return max(0.0, (utcnow() - self.oldest).total_seconds()) if self.oldest else 0.0


def pending_summary() -> PendingSummary:
    """How far behind the database the index is."""
    count, oldest = db.session.execute(
        select(func.count(), func.min(SearchPendingChange.changed_at))
    ).one()
    return PendingSummary(count or 0, oldest)
