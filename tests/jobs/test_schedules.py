"""Periodic jobs: with Redis one scheduler holds the leader lock; without, they run in-process."""

from __future__ import annotations

import threading
import time

from rq import Queue

from advocacy.jobs import Schedule, redis_connection, register_schedules, run_schedules_forever
from tests.jobs import sample_jobs

LEADER_KEY = "advocacy:scheduler:leader"


def wait_for(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def start_scheduler(app, stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(target=run_schedules_forever, args=(app, stop), daemon=True)
    thread.start()
    return thread


def only(app, schedules) -> None:
    """Replace the features' own schedules with the test's, so queue counts are the test's."""
    app.extensions["jobs"].schedules.clear()
    register_schedules(app, schedules)


def test_two_schedulers_enqueue_once(rq_app):
    only(rq_app, [Schedule("tick", sample_jobs.tick, interval=3600)])
    queue = Queue("default", connection=redis_connection())
    stop = threading.Event()
    first = start_scheduler(rq_app, stop)
    try:
        assert wait_for(lambda: queue.count == 1)
        leader = redis_connection().get(LEADER_KEY)
        second = start_scheduler(rq_app, stop)
        time.sleep(0.3)  # long enough for the second scheduler's first pass
        assert queue.count == 1
        assert redis_connection().get(LEADER_KEY) == leader
        assert redis_connection().ttl(LEADER_KEY) > 0
    finally:
        stop.set()
        first.join(5)
    second.join(5)
    assert not first.is_alive() and not second.is_alive()
    [job] = queue.get_jobs()
    assert job.func_name == "tests.jobs.sample_jobs.tick"


def test_a_new_leader_takes_over_when_the_lock_lapses(rq_app):
    only(rq_app, [Schedule("tick", sample_jobs.tick, interval=3600)])
    queue = Queue("default", connection=redis_connection())
    redis_connection().set(LEADER_KEY, "someone-else", ex=1)
    stop = threading.Event()
    thread = start_scheduler(rq_app, stop)
    try:
        time.sleep(0.2)
        assert queue.count == 0  # someone else leads
        redis_connection().delete(LEADER_KEY)  # ... until their lock lapses
        stop.set()
        thread.join(5)
        stop.clear()
        thread = start_scheduler(rq_app, stop)
        assert wait_for(lambda: queue.count == 1)
    finally:
        stop.set()
        thread.join(5)


def test_without_redis_schedules_run_in_process(make_app):
    app = make_app(REDIS_URL="")
    calls = []
    only(app, [Schedule("record", lambda: calls.append("ran"), interval=3600)])
    stop = threading.Event()
    thread = start_scheduler(app, stop)
    try:
        assert wait_for(lambda: calls == ["ran"])
    finally:
        stop.set()
        thread.join(5)
