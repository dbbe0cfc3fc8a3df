"""The ingest: idempotent batches, signals, share verification, and no loss when the worker or
Redis is down."""

from __future__ import annotations

import time

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.feeds.models import Share
from advocacy.jobs import enqueue
from advocacy.leaderboard.reach import ingest as ingest_module
from advocacy.leaderboard.reach.events import PENDING_KEY, PROCESSING_KEY, Hit, RedisBuffer
from advocacy.leaderboard.reach.ingest import ingest_batch
from advocacy.leaderboard.reach.models import ClickEvent, ReachDaily
from advocacy.leaderboard.reach.signals import human_clicks_recorded, shares_verified
from advocacy.leaderboard.reach.tracking import visitor_key
from tests.leaderboard.conftest import BROWSER


def hits_for(link, count: int, kind: str = "human") -> list[Hit]:
    now = time.time()
    return [
        Hit(f"ev{n:030d}", link.id, now + n, kind, visitor_key(b"s", f"10.0.0.{n}", "ua"), "")
        for n in range(count)
    ]


def stored_events() -> int:
    return db.session.scalar(select(func.count()).select_from(ClickEvent))


def test_a_retried_batch_counts_nothing_twice(app, link, teams):
    received = []
    with human_clicks_recorded.connected_to(lambda sender, clicks: received.extend(clicks)):
        assert ingest_batch(hits_for(link, 5)) == 5
        assert ingest_batch(hits_for(link, 5)) == 0  # the same event ids again
        assert ingest_batch(hits_for(link, 7)) == 2
    assert stored_events() == 7
    assert db.session.scalar(select(ReachDaily.human_clicks)) == 7
    assert len({click.event_id for click in received}) == len(received) == 7
    click = received[0]
    assert (click.user_id, click.content_id, click.network, click.campaign) == (
        link.user_id,
        link.content_id,
        "linkedin",
        "spring",
    )
    assert click.team_ids == tuple(sorted(team.id for team in teams))
    assert click.occurred_at.tzinfo is not None and click.local_day == click.occurred_at.date()


def test_the_first_human_click_verifies_the_share(app, client, user, link, visit, ingest):
    share = Share(
        tracked_link_id=link.id,
        user_id=link.user_id,
        content_id=link.content_id,
        network="linkedin",
    )
    db.session.add(share)
    db.session.commit()
    verified = []
    with shares_verified.connected_to(lambda sender, share_ids: verified.extend(share_ids)):
        visit(link.code, ua="LinkedInBot/1.0")
        ingest()
        assert db.session.get(Share, share.id).verified_at is None  # a bot verifies nothing
        visit(link.code)
        visit(link.code, ip="198.51.100.9")
        ingest()
    assert db.session.get(Share, share.id).verified_at is not None
    assert verified == [share.id]


def test_a_failed_batch_stays_buffered_and_is_retried(app, link, visit, ingest):
    for n in range(3):
        visit(link.code, ip=f"198.51.100.{n}")

    def explode(sender, clicks):
        raise RuntimeError("the database went away")

    with human_clicks_recorded.connected_to(explode), pytest.raises(RuntimeError):
        ingest()
    assert stored_events() == 0
    assert ingest() == 3
    assert stored_events() == 3
    assert ingest() == 0


def redis_visit(rq_app, code: str, ip: str) -> None:
    response = rq_app.test_client().get(
        f"/r/{code}", headers={"User-Agent": BROWSER}, environ_base={"REMOTE_ADDR": ip}
    )
    assert response.status_code == 302


@pytest.mark.redis
def test_clicks_wait_in_redis_while_the_worker_is_down(link, rq_app, worker):
    for n in range(4):
        redis_visit(rq_app, link.code, f"198.51.100.{n}")
    buffer = rq_app.extensions["click_buffer"]
    redis = buffer.redis.redis
    assert redis.llen(PENDING_KEY) == 4 and stored_events() == 0  # no worker yet: nothing lost
    # A worker dies after claiming a batch, before its commit: the batch waits in processing.
    buffer.redis.claim(10)
    assert (redis.llen(PENDING_KEY), redis.llen(PROCESSING_KEY)) == (0, 4)
    redis_visit(rq_app, link.code, "198.51.100.99")
    enqueue(ingest_module.ingest_clicks)
    db.session.commit()  # enqueue() waits for the commit
    assert Queue("default", connection=redis).count == 1
    worker.work(burst=True, with_scheduler=False)
    db.session.expire_all()
    assert stored_events() == 5
    assert db.session.scalar(select(ReachDaily.human_clicks)) == 5
    assert (redis.llen(PENDING_KEY), redis.llen(PROCESSING_KEY)) == (0, 0)


@pytest.mark.redis
def test_clicks_are_kept_in_process_when_redis_is_unreachable(link, rq_app):
    buffer = rq_app.extensions["click_buffer"]
    buffer.redis = RedisBuffer(Redis.from_url("redis://127.0.0.1:1/0"))  # nothing listens there
    redis_visit(rq_app, link.code, "198.51.100.1")
    assert buffer.local.pending() == 1
    ingest_module.drain(buffer.local)
    assert stored_events() == 1


@pytest.mark.redis
def test_batched_clicks_reach_redis_in_one_push(link, rq_app):
    buffer = rq_app.extensions["click_buffer"]
    buffer.redis_batch_seconds = 60  # the sender thread would wait a minute: we send by hand
    buffer._sender = "not started in this test"
    for n in range(3):
        redis_visit(rq_app, link.code, f"198.51.100.{n}")
    redis = buffer.redis.redis
    assert (len(buffer.outbox), redis.llen(PENDING_KEY)) == (3, 0)
    assert buffer.send_outbox() == 3
    assert (len(buffer.outbox), redis.llen(PENDING_KEY)) == (0, 3)


def test_hits_of_a_deleted_link_are_dropped(app, link):
    hits = hits_for(link, 2)
    db.session.delete(link)
    db.session.commit()
    assert ingest_batch(hits) == 0
    assert stored_events() == 0
