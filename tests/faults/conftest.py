"""Fault fixtures: TCP proxies in front of the real PostgreSQL and Redis (ports 5150-5159 of this
checkout's range, two per xdist worker), so a test can cut them without touching the servers."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import TEST_SLOT, WORKERS_PER_SLOT, _worker_number
from tests.faults.proxy import TcpProxy
from tests.search.conftest import postgres_search_url  # noqa: F401 - a PostgreSQL in both runs

BASE_PORT = int(os.environ.get("FAULT_PROXY_BASE_PORT", "5150"))
PORTS_PER_WORKER = 10  # 0: the PostgreSQL proxy, 1: the Redis proxy, 2: the SMTP server


def fault_port(worker_id: str, offset: int) -> int:
    """A fixed port of this test worker's own: fault tests restart servers on the same port, so
    it cannot be a random one, and two checkouts (TEST_SLOT) or workers never share one."""
    worker = TEST_SLOT * WORKERS_PER_SLOT + _worker_number(worker_id)
    return BASE_PORT + PORTS_PER_WORKER * worker + offset


def _through(url: str, port: int) -> tuple[str, tuple[str, int]]:
    parts = urlsplit(url)
    target = (parts.hostname or "127.0.0.1", parts.port or {"redis": 6379}.get(parts.scheme, 5432))
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@127.0.0.1:{port}" if userinfo else f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=netloc)), target


@pytest.fixture
def postgres_proxy(postgres_search_url, worker_id):  # noqa: F811
    """(proxied DATABASE_URL, proxy) for a real PostgreSQL database."""
    url, target = _through(postgres_search_url, fault_port(worker_id, 0))
    proxy = TcpProxy(target, int(urlsplit(url).port))
    yield url, proxy
    proxy.close()


@pytest.fixture
def redis_proxy(redis_url, worker_id):
    """(proxied REDIS_URL, proxy) for this worker's Redis database."""
    url, target = _through(redis_url, fault_port(worker_id, 1))
    proxy = TcpProxy(target, int(urlsplit(url).port))
    yield url, proxy
    proxy.close()
