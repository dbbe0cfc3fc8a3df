"""Ingest benchmark: sustained human clicks per second from the event buffer into the database
and its daily rollups, with one worker (this process running the ingest job's loop), against a
reference measured in the same run: a plain multi-row INSERT of the same events.

    .venv/bin/python bench/ingest_bench.py                 # PostgreSQL + Redis, then SQLite
    .venv/bin/python bench/ingest_bench.py --clicks 20000 --no-write

Every click is a distinct visitor (so every one is a counted human click: the most work per
event), spread over 2,000 links of 500 employees in 20 teams and 7 days. After the run the
stored events and the rollups' human clicks must equal the clicks pushed: 0 lost, none twice.
The PostgreSQL database named by --postgres is dropped and created; --redis is flushed.
Goal: >= 3,000 clicks/s.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from redis import Redis  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from advocacy import create_app  # noqa: E402
from advocacy.accounts.models import Team, TeamMembership, User  # noqa: E402
from advocacy.extensions import db  # noqa: E402
from advocacy.feeds.models import Content, TrackedLink  # noqa: E402
from advocacy.jobs import freeze_startup_objects  # noqa: E402
from advocacy.leaderboard.reach.events import Hit, MemoryBuffer, RedisBuffer  # noqa: E402
from advocacy.leaderboard.reach.ingest import drain  # noqa: E402
from advocacy.leaderboard.reach.models import ClickEvent, ReachDaily  # noqa: E402
from bench.redirect_bench import DEFAULT_REDIS, fresh_postgres  # noqa: E402
from bench.results_file import write_section  # noqa: E402

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/advocacy_bench_ingest"
RESULTS = ROOT / "bench" / "RESULTS.md"
EMPLOYEES, LINKS, TEAMS, DAYS = 500, 2000, 20, 7
GOAL = 3000.0


def build() -> list[int]:
    """Employees in teams, content and tracked links; returns the link ids."""
    db.create_all()
    db.session.execute(insert(Team), [{"name": f"Team {n}"} for n in range(TEAMS)])
    db.session.execute(
        insert(User),
        [
            {"email": f"e{n}@bench.example", "display_name": f"Employee {n}", "role": "member"}
            for n in range(EMPLOYEES)
        ],
    )
    users = db.session.scalars(select(User.id)).all()
    teams = db.session.scalars(select(Team.id)).all()
    db.session.execute(
        insert(TeamMembership),
        [{"user_id": u, "team_id": teams[i % TEAMS]} for i, u in enumerate(users)],
    )
    db.session.execute(
        insert(Content),
        [
            {
                "title": f"Story {n}",
                "destination_url": f"https://acme.example/{n}",
                "state": "approved",
                "campaign": "bench",
            }
            for n in range(LINKS // len(users) + 1)
        ],
    )
    contents = db.session.scalars(select(Content.id)).all()
    db.session.execute(
        insert(TrackedLink),
        [
            {
                "code": f"c{n:07d}",
                "user_id": users[n % len(users)],
                "content_id": contents[n // len(users)],
                "network": "linkedin",
            }
            for n in range(LINKS)
        ],
    )
    db.session.commit()
    return list(db.session.scalars(select(TrackedLink.id)))


def make_hits(link_ids: list[int], count: int) -> list[Hit]:
    rng = random.Random(11)
    start = time.time() - DAYS * 86400
    return [
        Hit(
            secrets.token_hex(16),
            rng.choice(link_ids),
            start + rng.random() * DAYS * 86400,
            "human",
            secrets.token_hex(16),
            "",
            "news.example",
        )
        for _ in range(count)
    ]


def measure(mode: str, config: dict, clicks: int) -> dict:
    app = create_app({**config, "ADVOCACY_ENV": "development", "SECRET_KEY": "bench"})
    with app.app_context():
        link_ids = build()
        hits = make_hits(link_ids, clicks)
        if config.get("REDIS_URL"):
            redis = Redis.from_url(config["REDIS_URL"])
            source = RedisBuffer(redis)
            pipe = redis.pipeline(transaction=False)
            for hit in hits:
                pipe.rpush("advocacy:clicks:pending", hit.encode())
            pipe.execute()
            freeze_startup_objects()  # as `flask worker` does before its first job
        else:
            source = MemoryBuffer()  # written by this process, as the embedded flusher does
            for hit in hits:
                source.push(hit)
        began = time.perf_counter()
        stored = drain(source, time_budget=3600)
        elapsed = time.perf_counter() - began
        events = db.session.scalar(select(func.count()).select_from(ClickEvent))
        rolled = db.session.scalar(select(func.sum(ReachDaily.human_clicks)))
        now = datetime.now(UTC)
        # The reference: the same rows in one plain multi-row INSERT per 2,000, nothing else.
        rows = [
            {
                "event_id": secrets.token_hex(16),
                "tracked_link_id": h.link_id,
                "user_id": 1,
                "content_id": 1,
                "network": "linkedin",
                "campaign": "",
                "team_ids": [],
                "kind": "bot",
                "visitor_key": h.visitor_key,
                "referrer_domain": "",
                "country": "",
                "occurred_at": now,
                "local_day": now.date(),
            }
            for h in hits
        ]
        began = time.perf_counter()
        for position in range(0, len(rows), 2000):
            db.session.execute(insert(ClickEvent), rows[position : position + 2000])
            db.session.commit()
        reference = time.perf_counter() - began
        db.session.remove()
        db.drop_all()
        gc.unfreeze()  # the next backend's run starts as its own process would
    return {
        "mode": mode,
        "clicks": clicks,
        "stored": stored,
        "events": events,
        "rolled": rolled,
        "rate": clicks / elapsed,
        "reference": clicks / reference,
    }


def table(results: list[dict]) -> str:
    lines = [
        "| backend | clicks | ingest clicks/s | plain INSERT rows/s (reference) | stored | "
        "in rollups | lost |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['mode']} | {r['clicks']:,} | {r['rate']:,.0f} | {r['reference']:,.0f} | "
            f"{r['events']:,} | {r['rolled']:,} | {r['clicks'] - r['events']} |"
        )
    lines.append("")
    lines.append(
        f"Goal: >= {GOAL:,.0f} human clicks/s with one worker, 0 lost. Load average at the end "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores."
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clicks", type=int, default=60_000)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    results = []
    if not args.no_postgres:
        fresh_postgres(args.postgres)
        Redis.from_url(args.redis).flushdb()
        config = {"DATABASE_URL": args.postgres, "REDIS_URL": args.redis}
        results.append(measure("PostgreSQL + Redis", config, args.clicks))
    folder = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    config = {
        "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
        "REDIS_URL": "",
        "ADVOCACY_INSTANCE_PATH": str(folder),
    }
    results.append(measure("SQLite, in-process buffer", config, args.clicks))
    rows = table(results)
    print(rows)
    if not args.no_write:
        write_section("ingest-bench", rows, "Click ingest: `bench/ingest_bench.py`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
