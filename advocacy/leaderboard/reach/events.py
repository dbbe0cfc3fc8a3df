"""The click-event buffer between the redirect and the ingest job.

A redirect pushes one small event and answers; the ingest job claims events in batches and acks
them only once their batch has committed, so nothing is lost when the job or its worker dies:
- with Redis: RPUSH to a list; a claim moves up to N events to a processing list in one Lua
  script, and an ack deletes the processing list. A claim finds unacked events there first.
- embedded (no Redis), or when Redis cannot be reached: an in-process deque flushed by a
  daemon thread every FLUSH_INTERVAL seconds or FLUSH_SIZE events, and once more at exit.
"""

from __future__ import annotations

import atexit
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import astuple, dataclass

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger("advocacy.leaderboard.reach.events")

PENDING_KEY = "advocacy:clicks:pending"
PROCESSING_KEY = "advocacy:clicks:processing"
FLUSH_INTERVAL = 0.5  # seconds an embedded event may wait before its batch is written
FLUSH_SIZE = 500

# Moves up to ARGV[1] events from pending to processing, unless processing still holds a claimed
# batch that was never acked (its job died): that batch is handed out again first.
_CLAIM = """
local left = redis.call('LRANGE', KEYS[2], 0, -1)
if #left > 0 then return left end
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items > 0 then
  redis.call('LTRIM', KEYS[1], #items, -1)
  redis.call('RPUSH', KEYS[2], unpack(items))
end
return items
"""


@dataclass(frozen=True, slots=True)
class Hit:
    """A hit as the redirect saw it; attribution is added at ingest from the link's row."""

    event_id: str
    link_id: int
    at: float  # UNIX time
    kind: str  # human (a candidate: ingest may find it a repeat), self or bot
    visitor_key: str
    previous_visitor_key: str  # the same visitor under yesterday's salt (dedupe across days)
    referrer_domain: str = ""
    country: str = ""

    def encode(self) -> str:
        return json.dumps(astuple(self), separators=(",", ":"))

    @classmethod
    def decode(cls, data: str | bytes) -> Hit:
        return cls(*json.loads(data))


class RedisBuffer:
    """Events in a Redis list; safe across processes and worker restarts."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._claim = redis.register_script(_CLAIM)

    def claim(self, limit: int) -> list[Hit]:
        return [
            Hit.decode(item)
            for item in self._claim(keys=[PENDING_KEY, PROCESSING_KEY], args=[limit])
        ]

    def ack(self) -> None:
        self.redis.delete(PROCESSING_KEY)

    def pending(self) -> int:
        return self.redis.llen(PENDING_KEY) + self.redis.llen(PROCESSING_KEY)


class MemoryBuffer:
    """Events in this process's memory, written by a daemon thread calling `flush`."""

    def __init__(self, flush: Callable[[], None] | None = None) -> None:
        self._events: deque[Hit] = deque()
        self._claimed: list[Hit] = []
        self._lock = threading.Lock()
        self._flush = flush
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def push(self, hit: Hit) -> None:
        self._events.append(hit)  # deque.append is atomic: no lock on the hot path
        if self._flush is not None:
            if self._thread is None:
                self._start()
            if len(self._events) >= FLUSH_SIZE:
                self._wake.set()

    def claim(self, limit: int) -> list[Hit]:
        with self._lock:
            if not self._claimed:
                while self._events and len(self._claimed) < limit:
                    self._claimed.append(self._events.popleft())
            return list(self._claimed)

    def ack(self) -> None:
        with self._lock:
            self._claimed.clear()

    def pending(self) -> int:
        return len(self._events) + len(self._claimed)

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(
                target=self._run, name="advocacy-click-flush", daemon=True
            )
            self._thread.start()
            atexit.register(self._flush_quietly)

    def _run(self) -> None:
        while True:
            self._wake.wait(FLUSH_INTERVAL)
            self._wake.clear()
            if self.pending():
                self._flush_quietly()

    def _flush_quietly(self) -> None:
        try:
            self._flush()
        except Exception:  # noqa: BLE001 - the events stay claimed and are retried next time
            log.exception("writing buffered clicks failed; they stay buffered")


class ClickBuffer:
    """The app's buffer: Redis when configured, with the in-process one as a fallback when a
    push to Redis fails (those events are then written from this process).

    With `redis_batch_seconds` > 0 a redirect does not wait for Redis: its event joins an
    outbox that a sender thread pushes every `redis_batch_seconds` in one RPUSH (and once more
    at exit). That takes the Redis round trip (the largest part of a redirect's time) off the
    request; the price is that a worker killed with SIGKILL loses at most that window."""

    def __init__(
        self,
        redis: Redis | None,
        flush_local: Callable[[], None] | None,
        redis_batch_seconds: float = 0.0,
    ) -> None:
        self.redis = RedisBuffer(redis) if redis is not None else None
        self.local = MemoryBuffer(flush_local)
        self.redis_batch_seconds = redis_batch_seconds
        self.outbox: deque[Hit] = deque()
        self._sender: threading.Thread | None = None
        self._sender_lock = threading.Lock()

    def push(self, hit: Hit) -> None:
        if self.redis is None:
            self.local.push(hit)
        elif self.redis_batch_seconds > 0:
            self.outbox.append(hit)
            if self._sender is None:
                self._start_sender()
        else:
            self._send([hit])

    def send_outbox(self) -> int:
        """Push every event waiting in the outbox to Redis in one command; how many."""
        hits = []
        while self.outbox:
            try:
                hits.append(self.outbox.popleft())
            except IndexError:
                break
        if hits:
            self._send(hits)
        return len(hits)

    def _send(self, hits: list[Hit]) -> None:
        try:
            self.redis.redis.rpush(PENDING_KEY, *(hit.encode() for hit in hits))
        except RedisError:
            log.warning("Redis unreachable: %d clicks buffered in process", len(hits))
            for hit in hits:
                self.local.push(hit)

    def _start_sender(self) -> None:
        with self._sender_lock:
            if self._sender is not None:
                return
            self._sender = threading.Thread(
                target=self._send_forever, name="advocacy-click-sender", daemon=True
            )
            self._sender.start()
            atexit.register(self.send_outbox)

    def _send_forever(self) -> None:
        while True:
            time.sleep(self.redis_batch_seconds)
            try:
                self.send_outbox()
            except Exception:  # noqa: BLE001 - never let the sender die; _send falls back
                log.exception("sending clicks to Redis failed")

    def sources(self) -> list[RedisBuffer | MemoryBuffer]:
        """Where the ingest job takes events from, this process's own buffer first."""
        return [self.local] + ([self.redis] if self.redis is not None else [])
