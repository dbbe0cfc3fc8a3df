"""Fail loudly (exit 1) when PostgreSQL or Redis cannot be reached, instead of skipping tests."""

import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg
from redis import Redis


def main(pg_url: str, redis_url: str) -> int:
    """Check both services; the test databases themselves are created by the test fixtures."""
    admin = urlunsplit(urlsplit(pg_url)._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        print(f"PostgreSQL is not reachable at {admin}: {error}", file=sys.stderr)
        return 1
    try:
        Redis.from_url(redis_url, socket_connect_timeout=5).ping()
    except Exception as error:  # noqa: BLE001 - any failure means the service is missing
        print(f"Redis is not reachable at {redis_url}: {error}", file=sys.stderr)
        return 1
    print(f"PostgreSQL and Redis are reachable ({admin}, {redis_url}).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
