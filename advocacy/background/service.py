"""Status rows for long jobs: create one, report progress, finish or fail it."""

from __future__ import annotations

from sqlalchemy import select

from advocacy.background.models import JobRun, JobState
from advocacy.extensions import db


def create_job_run(kind: str, owner_id: int | None, payload: dict) -> JobRun:
    """Add a queued status row (the caller commits, then enqueues the job with its id)."""
    run = JobRun(kind=kind, owner_id=owner_id, payload=payload, state=JobState.QUEUED.value)
    db.session.add(run)
    db.session.flush()
    return run


def get_job_run(run_id: int, owner_id: int | None = None) -> JobRun | None:
    """A status row, only when `owner_id` (if given) owns it."""
    query = select(JobRun).where(JobRun.id == run_id)
    if owner_id is not None:
        query = query.where(JobRun.owner_id == owner_id)
    return db.session.scalar(query)


def report_progress(run: JobRun, done: int, total: int, message: str = "") -> None:
    """Record progress and commit it so the polling page sees it at once."""
    run.state = JobState.RUNNING.value
    run.done, run.total = done, total
    if message:
        run.message = message
    db.session.commit()


def finish_job_run(run: JobRun, result: dict, message: str) -> None:
    """Mark the job done with its result."""
    run.state = JobState.DONE.value
    run.done = run.total
    run.result, run.message = result, message
    db.session.commit()


def fail_job_run(run_id: int, message: str) -> None:
    """Mark the job failed (after rolling back whatever it half did)."""
    db.session.rollback()
    run = db.session.get(JobRun, run_id)
    if run is not None:
        run.state = JobState.FAILED.value
        run.message = message
        db.session.commit()
