"""The click path under faults: Redis cut (behind a TCP proxy) while clicks arrive, and a real
`flask worker` SIGKILLed in the middle of a click batch. Every redirect still answers, and every
click is stored exactly once when things are back."""

from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager

import psycopg
import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.feeds.sharing import get_or_create_link
from advocacy.jobs import AppWorker, enqueue
from advocacy.leaderboard.reach.events import PENDING_KEY, PROCESSING_KEY
from advocacy.leaderboard.reach.ingest import (
    INGEST_LOCK_KEY,
    INGEST_LOCK_SECONDS,
    flush_local_buffer,
    ingest_clicks,
)
from advocacy.leaderboard.reach.models import ClickEvent, ReachDaily
from tests.factories import UserFactory
from tests.faults.processes import kill_with_its_work_horses, start_worker, wait_for
from tests.feeds.factories import ContentFactory
from tests.leaderboard.conftest import BROWSER


def tracked_link():
    sharer = UserFactory(display_name="Sam Sharer")
    return get_or_create_link(sharer, ContentFactory(), "linkedin")


def click(app, code: str, ip: str) -> float:
    """Follow the link as a browser at `ip`; the seconds the redirect took."""
    started = time.monotonic()
    response = app.test_client().get(
        f"/r/{code}", headers={"User-Agent": BROWSER}, environ_base={"REMOTE_ADDR": ip}
    )
    assert response.status_code == 302, response.status
    return time.monotonic() - started


def counted() -> tuple[int, int]:
    """(stored events, human clicks in the rollups)."""
    db.session.expire_all()
    events = db.session.scalar(select(func.count()).select_from(ClickEvent))
    clicks = db.session.scalar(select(func.coalesce(func.sum(ReachDaily.human_clicks), 0)))
    return events, clicks


@pytest.mark.redis
@pytest.mark.parametrize("batch_ms", [0, 20], ids=["push-per-click", "batched-push"])
def test_clicks_while_redis_is_cut_redirect_and_count_once(
    redis_proxy, redis_url, make_app, batch_ms
):
    url, proxy = redis_proxy
    app = make_app(REDIS_URL=url, TRACKING_REDIS_BATCH_MS=batch_ms)
    with app.app_context():
        code = tracked_link().code
        buffer = app.extensions["click_buffer"]
        direct = Redis.from_url(redis_url)  # not through the proxy

        def sent() -> bool:
            return not buffer.outbox

        before = [click(app, code, f"198.51.100.{n}") for n in range(4)]
        assert wait_for(sent, 5)
        proxy.cut()
        during = [click(app, code, f"198.51.100.{n}") for n in range(4, 10)]
        assert wait_for(sent, 5)
        proxy.restore()
        after = [click(app, code, f"198.51.100.{n}") for n in range(10, 13)]
        assert wait_for(sent, 5)

        assert max(before + during + after) < 1.0  # a cut Redis never holds a redirect up
        # The cut's clicks wait in this process; the others reached Redis.
        assert buffer.local.pending() == 6
        assert direct.llen(PENDING_KEY) == 7
        flush_local_buffer(app)  # the web process's flush thread: straight to the database
        ingest_clicks()  # the worker's schedule: what waited in Redis
        assert counted() == (13, 13)
        assert (buffer.local.pending(), direct.llen(PENDING_KEY)) == (0, 0)

        flush_local_buffer(app)
        ingest_clicks()
        assert counted() == (13, 13)  # nothing counted twice


@contextmanager
def click_events_locked(app):
    """Hold a write lock on the click events from another connection, so an ingest claims its
    batch and then waits to write it."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
    else:
        connection = psycopg.connect(url.replace("+psycopg", ""))
        connection.execute("LOCK TABLE click_event IN EXCLUSIVE MODE")
    try:
        yield
    finally:
        connection.rollback()
        connection.close()


@pytest.mark.redis
def test_a_worker_killed_mid_click_batch_counts_each_click_once(make_app, redis_url):
    app = make_app(REDIS_URL=redis_url)
    with app.app_context():
        code = tracked_link().code
        for n in range(6):
            click(app, code, f"203.0.113.{n}")
        redis = app.extensions["jobs"].redis
        default = Queue("default", connection=redis)
        enqueue(ingest_clicks)
        db.session.commit()  # enqueue() waits for the commit
        assert redis.llen(PENDING_KEY) == 6 and len(default) == 1

        with click_events_locked(app):
            process = start_worker(app, {})
            try:
                assert wait_for(lambda: redis.llen(PROCESSING_KEY) == 6), "no batch was claimed"
            finally:
                kill_with_its_work_horses(process)
        assert counted() == (0, 0)  # the batch died before its commit
        assert (redis.llen(PENDING_KEY), redis.llen(PROCESSING_KEY)) == (0, 6)

        # The dead run's lock expires by itself; it is not waited for here.
        assert 0 < redis.ttl(INGEST_LOCK_KEY) <= INGEST_LOCK_SECONDS
        redis.delete(INGEST_LOCK_KEY)
        click(app, code, "203.0.113.99")
        enqueue(ingest_clicks)  # the schedule's next run
        db.session.commit()
        restarted = AppWorker([default], connection=redis)
        restarted.flask_app = app
        restarted.work(burst=True, with_scheduler=False)
        assert counted() == (7, 7)
        assert (redis.llen(PENDING_KEY), redis.llen(PROCESSING_KEY)) == (0, 0)

        ingest_clicks()
        assert counted() == (7, 7)
