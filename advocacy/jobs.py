"""The one place that touches RQ: `enqueue()`, periodic schedules, and the `flask worker` command.

Rules every job relies on:
- `enqueue()` called inside a transaction waits for that transaction's commit (and is dropped on
  rollback), so a job never looks for rows that are not committed yet.
- Jobs take IDs, load fresh rows, and are idempotent: RQ may run a retried job twice.
- A service names its job by dotted path ("advocacy.accounts.jobs.import_users"): jobs call
  services, so a service importing its jobs module would make a cycle.
- With no REDIS_URL, jobs run in-process: in a single background thread for `flask run`, or
  synchronously under test so a failing job fails the test. When Redis is configured but cannot
  be reached, `enqueue()` does the same rather than fail the request.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Queue, Retry, SimpleWorker, Worker
from rq.cron import CronScheduler
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.utils import import_string

from advocacy.extensions import db

log = logging.getLogger("advocacy.jobs")

QUEUES = ("default", "mail", "search")
DEFAULT_TIMEOUT = 10 * 60
RETRY_INTERVALS = [10, 60, 300]  # seconds between RQ retries
FAILURE_TTL = 7 * 24 * 3600  # failed jobs stay inspectable for a week
RESULT_TTL = 24 * 3600
REDIS_CONNECT_TIMEOUT = 3  # seconds
SCHEDULER_LOCK_TTL = 90  # a scheduler that stops refreshing its lock hands over within this


@dataclass(frozen=True)
class PendingJob:
    """A job waiting for its transaction to commit."""

    func: Callable | str
    args: tuple
    queue: str
    timeout: int
    retries: int


@dataclass(frozen=True)
class Schedule:
    """Periodic work as data: run `func()` every `interval` seconds on `queue`."""

    name: str
    func: Callable
    interval: int
    queue: str = "default"
    timeout: int = DEFAULT_TIMEOUT


@dataclass
class JobRunner:
    """Per-app state: the Redis connection (or None) and the in-process executor."""

    redis: Redis | None
    schedules: list[Schedule] = field(default_factory=list)
    executor: ThreadPoolExecutor | None = None


def init_app(app: Flask) -> None:
    """Attach the job runner to the app; register `flask worker`."""
    redis_url = app.config.get("REDIS_URL")
    # A Redis that does not answer must not hold a request for long (reads may block: workers).
    redis = (
        Redis.from_url(redis_url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT)
        if redis_url
        else None
    )
    runner = JobRunner(redis=redis)
    app.extensions["jobs"] = runner
    app.cli.add_command(worker_command)


def register_schedules(app: Flask, schedules: list[Schedule]) -> None:
    """Add a feature's periodic jobs; the worker runs them."""
    app.extensions["jobs"].schedules.extend(schedules)


def runner() -> JobRunner:
    """This app's job runner."""
    return current_app.extensions["jobs"]


def redis_connection() -> Redis | None:
    """The app's Redis connection, or None in the embedded default."""
    return runner().redis


def enqueue(
    func: Callable | str,
    *args,
    queue: str = "default",
    timeout: int = DEFAULT_TIMEOUT,
    retries: int = 3,
    at_once: bool = False,
) -> None:
    """Run `func(*args)` in the background once the current transaction commits (`at_once`:
    right away, for jobs that need nothing this transaction writes)."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    job = PendingJob(func, args, queue, timeout, retries)
    session = db.session()
    if session.in_transaction() and not at_once:
        session.info.setdefault("pending_jobs", []).append(job)
    else:
        _dispatch(current_app._get_current_object(), job)


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    jobs = session.info.pop("pending_jobs", [])
    if jobs:
        app = current_app._get_current_object()
        for job in jobs:
            _dispatch(app, job)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop("pending_jobs", None)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_soft_rollback(session: Session, previous_transaction) -> None:
    session.info.pop("pending_jobs", None)


def _dispatch(app: Flask, job: PendingJob) -> None:
    state: JobRunner = app.extensions["jobs"]
    if state.redis is not None:
        try:
            Queue(job.queue, connection=state.redis).enqueue(
                job.func,
                *job.args,
                job_timeout=job.timeout,
                retry=Retry(max=job.retries, interval=RETRY_INTERVALS) if job.retries else None,
                failure_ttl=FAILURE_TTL,
                result_ttl=RESULT_TTL,
            )
            return
        except (RedisConnectionError, RedisTimeoutError) as error:
            # Redis is down: the work still happens, in this process as in the embedded
            # default (jobs are idempotent, so one that reached Redis before the error is safe).
            log.warning("Redis unreachable (%s); running %s in-process", error, job.func)
    if app.config.get("TESTING"):
        _run_in_process(app, job)
    else:
        if state.executor is None:
            state.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="advocacy-job")
        state.executor.submit(_run_in_process, app, job)


def _run_in_process(app: Flask, job: PendingJob) -> None:
    """Run a job in a fresh app context (its own session), retrying like RQ would."""
    for attempt in range(job.retries + 1):
        with app.app_context():
            try:
                func = import_string(job.func) if isinstance(job.func, str) else job.func
                func(*job.args)
                return
            except Exception:
                db.session.rollback()
                if attempt == job.retries:
                    log.exception("job %s failed after %d attempts", job.func, attempt + 1)
                    if app.config.get("JOBS_RAISE_IN_PROCESS"):
                        raise


class _AppContextJobs:
    """Runs every job inside a fresh app context of the app that started the worker."""

    flask_app: Flask

    def perform_job(self, job, queue, *args, **kwargs):
        # RQ 3 passes the execution too: forward whatever RQ passes rather than pin its signature.
        with self.flask_app.app_context():
            self.prepare_connections()
            try:
                return super().perform_job(job, queue, *args, **kwargs)
            finally:
                db.session.remove()

    def prepare_connections(self) -> None:
        """Nothing to do when the job runs in the worker's own process."""


class AppWorker(_AppContextJobs, Worker):
    """The `flask worker` process: RQ's forking worker, one work horse per job."""

    def prepare_connections(self) -> None:
        # The work horse is a forked child: never share the parent's pooled connections.
        db.engine.dispose(close=False)


class InlineAppWorker(_AppContextJobs, SimpleWorker):
    """Runs jobs in the worker's own process (no fork): for tests that inspect in-memory state.
    In RQ 3 `Worker` and `SimpleWorker` are siblings, so the base decides whether jobs fork."""


def run_schedules_forever(app: Flask, stop: threading.Event) -> None:
    """Enqueue periodic jobs when due. With Redis, one process at a time holds the leader lock."""
    state: JobRunner = app.extensions["jobs"]
    if state.redis is None:
        _run_embedded_schedules(app, state.schedules, stop)
        return
    # Each process needs its own name: the leader lock compares it to tell "mine" from "theirs".
    cron = CronScheduler(connection=state.redis)
    for schedule in state.schedules:
        cron.register(
            schedule.func,
            queue_name=schedule.queue,
            interval=schedule.interval,
            job_timeout=schedule.timeout,
            failure_ttl=FAILURE_TTL,
            name=schedule.name,
        )
    lock_key = "advocacy:scheduler:leader"
    me = cron.name
    while not stop.is_set():
        leader = state.redis.set(lock_key, me, nx=True, ex=SCHEDULER_LOCK_TTL)
        if leader or state.redis.get(lock_key) == me.encode():
            state.redis.expire(lock_key, SCHEDULER_LOCK_TTL)
            cron.enqueue_jobs()
        stop.wait(min(cron.calculate_sleep_interval() or 1, 30))


def _run_embedded_schedules(app: Flask, schedules: list[Schedule], stop: threading.Event) -> None:
    next_run = {schedule.name: 0.0 for schedule in schedules}
    while not stop.is_set():
        now = time.monotonic()
        for schedule in schedules:
            if now >= next_run[schedule.name]:
                next_run[schedule.name] = now + schedule.interval
                _run_in_process(app, PendingJob(schedule.func, (), schedule.queue, 0, 0))
        stop.wait(1)


def freeze_startup_objects() -> None:
    """Take the objects alive after start-up (the app, its modules and tables) out of the
    garbage collector's full scans: during the click ingest each full collection went through
    all ~240,000 of them (~0.13 s on a loaded machine; a tenth of the ingest's time). Forked
    work horses inherit the frozen state and share those pages instead of copying them."""
    gc.freeze()


# Queues whose dedicated workers run jobs in their own process instead of forking a work horse
# per job. search: its one writer keeps the index (and its searchers) open from one job to the
# next; a forked work horse reopened it every time. mail: jobs are short (~75 ms: one reply's
# notification e-mails) and many; under the mixed load a fork per job cost about as much again,
# and the mail queue was the first to lag. A worker serving other queues too still forks.
INLINE_QUEUES = frozenset({"search", "mail"})


@click.command("worker")
@click.option("--queues", default=",".join(QUEUES), show_default=True, help="Queues to serve.")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--no-scheduler", is_flag=True, help="Do not run the periodic jobs.")
@with_appcontext
def worker_command(queues: str, burst: bool, no_scheduler: bool) -> None:
    """Run background jobs (RQ with Redis; periodic jobs only in the embedded default)."""
    app = current_app._get_current_object()
    state: JobRunner = app.extensions["jobs"]
    stop = threading.Event()
    if not no_scheduler and not burst:
        threading.Thread(
            target=run_schedules_forever, args=(app, stop), name="scheduler", daemon=True
        ).start()
    if state.redis is None:
        click.echo("No REDIS_URL: jobs run inside the web process; this runs the periodic jobs.")
        try:
            while not burst and not stop.wait(3600):
                pass
        except KeyboardInterrupt:
            stop.set()
        return
    names = [name.strip() for name in queues.split(",") if name.strip()]
    worker_class = InlineAppWorker if set(names) <= INLINE_QUEUES else AppWorker
    worker = worker_class(
        [Queue(name, connection=state.redis) for name in names], connection=state.redis
    )
    worker.flask_app = app
    freeze_startup_objects()
    try:
        worker.work(burst=burst, with_scheduler=True)
    finally:
        stop.set()
