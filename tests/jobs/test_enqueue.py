"""enqueue() against a real Redis and a real RQ worker drained in burst mode, and in-process."""

from __future__ import annotations

import itertools

import pytest
from rq import Queue
from rq.registry import FailedJobRegistry
from sqlalchemy import func, select

from advocacy.accounts.imports import start_user_import
from advocacy.accounts.models import Team, User
from advocacy.background.models import JobRun
from advocacy.extensions import db
from advocacy.jobs import DEFAULT_TIMEOUT, FAILURE_TTL, enqueue, redis_connection
from tests.factories import UserFactory
from tests.jobs import sample_jobs

CSV = (
    b"email,name,job_title,timezone,teams\n"
    b"lena@example.com,Lena Park,Designer,America/Vancouver,Marketing\n"
    b"omar@example.com,Omar Haddad,Engineer,Europe/London,Engineering;Sales\n"
)

TEAM_NUMBERS = itertools.count()


def default_queue() -> Queue:
    return Queue("default", connection=redis_connection())


def start_transaction() -> None:
    """Leave an uncommitted change in the session, as a service would before its commit."""
    db.session.add(Team(name=f"Pending {next(TEAM_NUMBERS)}"))
    db.session.flush()


def test_enqueue_waits_for_the_commit(rq_app):
    start_transaction()
    enqueue("tests.jobs.sample_jobs.tick")
    assert default_queue().count == 0
    db.session.commit()
    assert default_queue().count == 1


def test_rollback_drops_the_job(rq_app):
    start_transaction()
    enqueue("tests.jobs.sample_jobs.tick")
    db.session.rollback()
    db.session.commit()
    assert default_queue().count == 0


def test_outside_a_transaction_the_job_is_enqueued_at_once(rq_app):
    enqueue("tests.jobs.sample_jobs.tick", queue="mail")
    assert Queue("mail", connection=redis_connection()).count == 1


def test_jobs_carry_timeout_retries_and_failure_ttl(rq_app):
    enqueue("tests.jobs.sample_jobs.tick", retries=2)
    [job] = default_queue().get_jobs()
    assert job.timeout == DEFAULT_TIMEOUT
    assert job.failure_ttl == FAILURE_TTL
    assert job.retries_left == 2


def test_unknown_queue_is_refused(rq_app):
    with pytest.raises(ValueError, match="unknown queue"):
        enqueue("tests.jobs.sample_jobs.tick", queue="nope")


def test_worker_runs_a_job_that_writes_to_the_database(rq_app, worker):
    admin = UserFactory(role="admin")
    run = start_user_import(CSV, False, False, admin.id, 1024 * 1024)
    assert db.session.scalar(select(func.count(User.id))) == 1  # only queued so far

    assert worker.work(burst=True, with_scheduler=False)

    db.session.expire_all()
    assert db.session.get(JobRun, run.id).state == "done"
    assert {u.email for u in db.session.scalars(select(User))} == {
        admin.email,
        "lena@example.com",
        "omar@example.com",
    }
    assert db.session.scalar(select(func.count(Team.id))) == 3


def test_a_failing_job_lands_in_the_failed_registry(rq_app, worker):
    enqueue("tests.jobs.sample_jobs.explode", retries=0)

    worker.work(burst=True, with_scheduler=False)

    registry = FailedJobRegistry(queue=default_queue())
    [job_id] = registry.get_job_ids()
    job = default_queue().fetch_job(job_id)
    assert "RuntimeError: boom" in job.latest_result().exc_string
    assert default_queue().count == 0


def test_flask_worker_burst_drains_the_queues(rq_app):
    admin = UserFactory(role="admin")
    run = start_user_import(CSV, False, False, admin.id, 1024 * 1024)

    result = rq_app.test_cli_runner().invoke(args=["worker", "--burst"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(JobRun, run.id).state == "done"
    assert default_queue().count == 0


def test_in_process_mode_runs_the_job_after_the_commit(make_app):
    app = make_app(REDIS_URL="")
    sample_jobs.CALLS.clear()
    with app.app_context():
        start_transaction()
        enqueue("tests.jobs.sample_jobs.record", "after commit")
        assert sample_jobs.CALLS == []
        db.session.commit()
        assert sample_jobs.CALLS == ["after commit"]

        start_transaction()
        enqueue(sample_jobs.record, "rolled back")
        db.session.rollback()
        assert sample_jobs.CALLS == ["after commit"]


def test_in_process_mode_imports_users(make_app):
    app = make_app(REDIS_URL="")
    with app.app_context():
        admin = UserFactory(role="admin")
        run = start_user_import(CSV, False, False, admin.id, 1024 * 1024)
        db.session.expire_all()
        assert db.session.get(JobRun, run.id).state == "done"
        assert db.session.scalar(select(func.count(User.id))) == 3


def test_in_process_failures_fail_the_test_run(make_app):
    app = make_app(REDIS_URL="")
    with app.app_context(), pytest.raises(RuntimeError, match="boom"):
        enqueue(sample_jobs.explode, retries=1)
