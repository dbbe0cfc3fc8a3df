"""Feed page benchmark: 50k content items and 10k users in a database of its own, measured
through the real app (Flask test client): server time per request (p50/p95) and SQL queries per
request, for the first feed page and a page deep in the infinite scroll, next to references
measured in the same run (the sign-in page, and a bare indexed SELECT of 20 rows).

    .venv/bin/python bench/feed_bench.py                  # SQLite, then PostgreSQL
    .venv/bin/python bench/feed_bench.py --no-postgres    # SQLite only
    .venv/bin/python bench/feed_bench.py --postgres postgresql://postgres@127.0.0.1:5432/db

The PostgreSQL database named by --postgres is dropped and created again. Figures are written
into bench/RESULTS.md (the "Feed page" section) unless --no-write.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import event, insert, select, text, update  # noqa: E402

from advocacy import create_app  # noqa: E402
from advocacy.accounts.models import Team, TeamMembership, User  # noqa: E402
from advocacy.accounts.passwords import hash_password  # noqa: E402
from advocacy.extensions import db  # noqa: E402
from advocacy.feeds import feed  # noqa: E402
from advocacy.feeds.models import (  # noqa: E402
    Content,
    ContentAudience,
    Share,
    Topic,
    TrackedLink,
    content_topic,
    location_key,
)
from bench.results_file import write_section  # noqa: E402

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/advocacy_bench_feeds"
RESULTS = ROOT / "bench" / "RESULTS.md"
DATA = ROOT / "bench" / "data"
PASSWORD = "bench password 1"  # noqa: S105 - a throwaway database
TEAMS = 25
LOCATIONS = ["London, United Kingdom", "Vancouver, Canada", "Singapore", "Berlin, Germany"]
LANGUAGES = ["en", "fr", "de", "zh", "es"]
TOPICS = ["Culture", "Careers", "Product", "Company news", "Engineering", "Sales", "Events"]
BATCH = 5000
GOAL_P95_MS = 50.0


def build(items: int, users: int, seed: int = 7) -> int:
    """Fill an empty schema; returns the id of the user whose feed is measured."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    password_hash = hash_password(PASSWORD)
    db.session.execute(
        insert(Team), [{"name": f"Team {i}", "description": ""} for i in range(TEAMS)]
    )
    team_ids = [row[0] for row in db.session.execute(text("SELECT id FROM team ORDER BY id"))]
    people = [
        {
            "email": f"person{i}@bench.example",
            "display_name": f"Person {i}",
            "password_hash": password_hash,
            "role": "curator" if i == 0 else "member",
            "location": LOCATIONS[i % len(LOCATIONS)],
            "timezone": "Europe/London",
            "languages": ["en"] + ([LANGUAGES[i % len(LANGUAGES)]] if i % 3 else []),
        }
        for i in range(users)
    ]
    for start in range(0, users, BATCH):
        db.session.execute(insert(User), people[start : start + BATCH])
    user_ids = [row[0] for row in db.session.execute(text('SELECT id FROM "user" ORDER BY id'))]
    memberships = [
        {"team_id": team_ids[n % TEAMS], "user_id": uid, "is_leader": n < TEAMS}
        for n, uid in enumerate(user_ids)
    ]
    memberships += [
        {"team_id": team_ids[(n + 7) % TEAMS], "user_id": uid, "is_leader": False}
        for n, uid in enumerate(user_ids)
        if n % 4 == 0
    ]
    for start in range(0, len(memberships), BATCH):
        db.session.execute(insert(TeamMembership), memberships[start : start + BATCH])
    db.session.execute(insert(Topic), [{"name": t, "slug": t.lower()} for t in TOPICS])
    topic_ids = [row[0] for row in db.session.execute(text("SELECT id FROM topic ORDER BY id"))]

    states = (
        ["approved"] * 80 + ["submitted"] * 8 + ["expired"] * 6 + ["draft"] * 4 + ["archived"] * 2
    )
    rows = []
    for n in range(items):
        publish_at = now - timedelta(minutes=n * 7 + rng.randint(0, 5))
        rows.append(
            {
                "kind": rng.choice(
                    ["link", "link", "culture_story", "job_opening", "announcement"]
                ),
                "state": rng.choice(states),
                "title": f"Acme story number {n}: what we shipped and why it matters",
                "destination_url": f"https://www.acme.example/news/{n}?ref=feed",
                "summary": "A short summary of the story, as curators write them. " * 3,
                "campaign": "bench",
                "publish_at": publish_at,
                "published_at": publish_at,
                "expire_at": None if n % 5 else publish_at + timedelta(days=400),
                "author_id": user_ids[n % users],
                "created_at": publish_at,
                "updated_at": publish_at,
            }
        )
    for start in range(0, items, BATCH):
        db.session.execute(insert(Content), rows[start : start + BATCH])
    content_ids = [row[0] for row in db.session.execute(text("SELECT id FROM content ORDER BY id"))]
    audience, tags = [], []
    for n, content_id in enumerate(content_ids):
        roll = n % 10
        if roll in (1, 2):  # 20 % aimed at one or two teams
            audience.append(
                {"content_id": content_id, "dimension": "team", "value": str(team_ids[n % TEAMS])}
            )
            if roll == 2:
                audience.append(
                    {
                        "content_id": content_id,
                        "dimension": "team",
                        "value": str(team_ids[(n + 3) % TEAMS]),
                    }
                )
        elif roll == 3:  # 10 % aimed at a location
            audience.append(
                {
                    "content_id": content_id,
                    "dimension": "location",
                    "value": location_key(LOCATIONS[n % 4]),
                }
            )
        elif roll == 4:  # 10 % aimed at a language
            audience.append(
                {"content_id": content_id, "dimension": "language", "value": LANGUAGES[n % 5]}
            )
        for topic_id in rng.sample(topic_ids, 2):
            tags.append({"content_id": content_id, "topic_id": topic_id})
    for start in range(0, len(audience), BATCH):
        db.session.execute(insert(ContentAudience), audience[start : start + BATCH])
    for dimension, flag in (
        ("team", Content.targets_teams),
        ("location", Content.targets_locations),
        ("language", Content.targets_languages),
    ):
        targeted = select(ContentAudience.content_id).where(ContentAudience.dimension == dimension)
        db.session.execute(update(Content).where(Content.id.in_(targeted)).values({flag: True}))
    for start in range(0, len(tags), BATCH):
        db.session.execute(insert(content_topic), tags[start : start + BATCH])
    reader = user_ids[1]
    # The reader has shared a few hundred items, so the "shared by you" lookup has rows to find.
    links = [
        {
            "code": f"bench{n:06d}",
            "user_id": reader,
            "content_id": cid,
            "network": "linkedin",
            "created_at": now,
        }
        for n, cid in enumerate(content_ids[:: max(1, items // 300)])
    ]
    db.session.execute(insert(TrackedLink), links)
    link_rows = db.session.execute(text("SELECT id, content_id FROM tracked_link")).all()
    db.session.execute(
        insert(Share),
        [
            {
                "tracked_link_id": lid,
                "user_id": reader,
                "content_id": cid,
                "network": "linkedin",
                "caption": "",
                "created_at": now,
            }
            for lid, cid in link_rows
        ],
    )
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return reader


class QueryCounter:
    """Counts the SQL statements the app runs (a before_cursor_execute listener)."""

    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args):
        self.count += 1


def measure(fn, runs: int, counter: QueryCounter) -> dict:
    """p50, p95 (ms) and queries per call of `fn` after a warm-up."""
    for _ in range(5):
        fn()
    times, queries = [], []
    for _ in range(runs):
        before = counter.count
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        queries.append(counter.count - before)
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[max(0, int(len(times) * 0.95) - 1)],
        "queries": max(queries),
    }


def run(database_url: str, label: str, items: int, users: int, runs: int) -> list[tuple]:
    """Build the data in `database_url` and measure; returns table rows."""
    DATA.mkdir(parents=True, exist_ok=True)
    os.environ["ADVOCACY_INSTANCE_PATH"] = str(DATA / "instance")
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "bench",
            "REDIS_URL": "",
            "PASSWORD_HASH_FAST": True,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    logging_quiet()
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        reader_id = build(items, users)
        built = time.perf_counter() - started
        reader = db.session.get(User, reader_id)
        deep = feed.feed_page(reader, limit=50)
        for _ in range(20):  # about 1,000 items down the infinite scroll
            deep = feed.feed_page(reader, cursor=deep.next_cursor, limit=50)
        cursor = deep.next_cursor
        email = reader.email
        db.session.remove()
    print(f"{label}: built {items:,} items and {users:,} users in {built:.1f} s", flush=True)

    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    anonymous = app.test_client()

    def page(url: str, headers: dict | None = None):
        def call():
            with app.app_context():
                response = client.get(url, headers=headers or {})
                assert response.status_code == 200, (url, response.status_code)

        return call

    def sign_in_page():
        with app.app_context():
            assert anonymous.get("/login").status_code == 200

    def bare_select():
        with app.app_context():
            db.session.execute(
                text(
                    "SELECT id, title FROM content WHERE state = 'approved' "
                    "ORDER BY publish_at DESC, id DESC LIMIT 20"
                )
            ).all()
            db.session.remove()

    with app.app_context():
        counter = QueryCounter(db.engine)
    fragment = {"HX-Request": "true", "HX-Target": "feed-more"}
    cases = [
        ("feed, first page (GET /)", page("/")),
        ("feed, ~1,000 items down (htmx next page)", page(f"/?cursor={cursor}", fragment)),
        ("feed, first page, topic + not shared", page("/?topic=culture&unshared=1")),
        ("reference: sign-in page", sign_in_page),
        ("reference: bare indexed SELECT of 20 rows", bare_select),
    ]
    rows = []
    for name, fn in cases:
        figures = measure(fn, runs, counter)
        rows.append((label, name, figures["p50"], figures["p95"], figures["queries"]))
        print(
            f"  {name:<45} p50 {figures['p50']:6.1f} ms  p95 {figures['p95']:6.1f} ms  "
            f"queries {figures['queries']}",
            flush=True,
        )
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return rows


def logging_quiet() -> None:
    import logging

    logging.getLogger().setLevel(logging.WARNING)


def fresh_postgres(url: str) -> str:
    """Drop and create the benchmark's PostgreSQL database; returns its URL."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def table(rows: list[tuple]) -> str:
    lines = [
        "| database | request | p50 ms | p95 ms | SQL queries |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {db_} | {name} | {p50:.1f} | {p95:.1f} | {q} |" for db_, name, p50, p95, q in rows
    ]
    return "\n".join(lines)


def write_results(rows: list[tuple], items: int, users: int, runs: int, load: str) -> None:
    """Replace the feed section of bench/RESULTS.md with these figures."""
    section = f"""## Feed page (`bench/feed_bench.py`)

{items:,} content items (80 % approved, a fifth of them aimed at teams, locations or languages),
{users:,} users in {TEAMS} teams, one reader with ~300 shares. Server time through the real app
(Flask test client, one process, {runs} requests each after a warm-up), measured
{datetime.now(UTC):%Y-%m-%d} on the 2-core development machine, shared with other engineers'
test runs (load average {load}): read each figure against the references beside it. Goal:
p95 ≤ {GOAL_P95_MS:.0f} ms and a bounded number of queries (no N+1: the count does not grow
with the page).

{table(rows)}

The feed query is a keyset page on the `ix_content_state_publish_at_id` index (state,
publish_at, id): a later page costs the same as the first. Audience checks are correlated
`EXISTS` probes on `content_audience`'s unique (content_id, dimension, value) index; topics of
the page come in one `selectin` query; "shared by you" in one query for the page's ids."""
    write_section("feed-bench", section)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    sqlite_file = DATA / "feed_bench.db"
    DATA.mkdir(parents=True, exist_ok=True)
    sqlite_file.unlink(missing_ok=True)
    rows = run(f"sqlite:///{sqlite_file}", "SQLite", args.items, args.users, args.runs)
    if not args.no_postgres:
        rows += run(fresh_postgres(args.postgres), "PostgreSQL", args.items, args.users, args.runs)
    load = f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    print()
    print(table(rows))
    print(f"\nLoad average: {load}")
    if not args.no_write:
        write_results(rows, args.items, args.users, args.runs, load)
        print(f"\nWritten to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
