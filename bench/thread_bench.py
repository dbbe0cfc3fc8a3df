"""Benchmark: a discussion thread with 500 replies (Markdown, reactions, many authors), served
through the real app, on SQLite and on PostgreSQL.

For each database it reports server time p50/p95 and SQL queries per request for the thread's
first page (50 replies), the whole 500 replies on one page, and two references measured in the
same run on the same machine: the sign-in page, and a bare ORM select of the 500 reply rows.
Goal: the 500-reply page at p95 <= 100 ms with a bounded number of queries (no N+1).

    .venv/bin/python bench/thread_bench.py [--requests 60] [--postgres URL] [--no-postgres]
        [--write bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from sqlalchemy import event, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advocacy import create_app  # noqa: E402
from advocacy.accounts.models import User  # noqa: E402
from advocacy.accounts.passwords import hash_password  # noqa: E402
from advocacy.discussions import spaces  # noqa: E402
from advocacy.discussions.models import REACTIONS, Post, Reaction, Thread  # noqa: E402
from advocacy.discussions.profiles import ensure_profiles  # noqa: E402
from advocacy.discussions.threads import render_post_body  # noqa: E402
from advocacy.extensions import db  # noqa: E402
from advocacy.models_base import utcnow  # noqa: E402
from bench.results_file import write_section  # noqa: E402

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/advocacy_bench_discussions"
PASSWORD = "bench password 1234"  # noqa: S105 - a throwaway benchmark account
REPLIES = 500
AUTHORS = 40
BODIES = [
    "Thanks @{handle}, that **fixed it**. The trick was in `config.yaml`:\n\n```\nretries: 3\n```",
    "I'd add two things:\n\n1. check the *staging* logs first\n2. ping the on-call in #ops\n\n"
    "See https://wiki.example.com/runbooks/{n}",
    "> quoted from above\n\nAgreed. Let's also track it in the roadmap doc.",
    "| Office | Hour |\n|---|---|\n| London | 09:00 |\n| Singapore | 17:00 |",
    "Short answer: yes. Long answer: it depends on the region, see [the policy](https://example.com).",
]


def fresh_postgres(url: str) -> str:
    """Drop and recreate the benchmark database."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def build_app(database_url: str, instance: str):
    """The real app on this database, with the schema and a 500-reply thread."""
    os.environ["ADVOCACY_INSTANCE_PATH"] = instance
    app = create_app(
        {
            "ADVOCACY_ENV": "development",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "bench",
            "REDIS_URL": "",
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_FAST": True,
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_thread()
    return app


def seed_thread() -> int:
    """A public space with one thread of 500 replies by 40 people, with reactions."""
    rng = random.Random(7)
    people = [
        User(
            email=f"author{n}@bench.example",
            display_name=f"Author {n}",
            job_title="Engineer",
            timezone=rng.choice(["America/Vancouver", "Europe/London", "Asia/Singapore"]),
            password_hash=hash_password(PASSWORD),
        )
        for n in range(AUTHORS)
    ]
    db.session.add_all(people)
    db.session.commit()
    ensure_profiles()
    space = spaces.create_space(people[0], "Bench", "", "public")
    now = utcnow()
    thread = Thread(
        space_id=space.id, author_id=people[0].id, title="A long thread", kind="question"
    )
    db.session.add(thread)
    db.session.flush()
    opening = Post(thread_id=thread.id, author_id=people[0].id, is_opening=True,
                   body_source="Start", body_html=render_post_body("Start"))  # fmt: skip
    db.session.add(opening)
    for n in range(REPLIES):
        source = rng.choice(BODIES).format(handle=f"author{rng.randrange(AUTHORS)}", n=n)
        db.session.add(Post(thread_id=thread.id, author_id=rng.choice(people).id,
                            body_source=source, body_html=render_post_body(source),
                            created_at=now))  # fmt: skip
    db.session.flush()
    post_ids = list(db.session.scalars(select(Post.id).where(Post.thread_id == thread.id)))
    for post_id in rng.sample(post_ids, 200):
        for emoji in rng.sample(REACTIONS, rng.randint(1, 3)):
            for person in rng.sample(people, rng.randint(1, 5)):
                db.session.add(Reaction(post_id=post_id, user_id=person.id, emoji=emoji))
    thread.reply_count, thread.last_post_id = REPLIES, max(post_ids)
    thread.accepted_post_id = post_ids[len(post_ids) // 2]
    db.session.commit()
    return thread.id


class QueryCounter:
    """Counts SQL statements sent to the database."""

    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        self.count += 1


def measure(call, requests: int, counter: QueryCounter) -> dict:
    """Run `call` a few times to warm up, then `requests` times; times in ms."""
    for _ in range(5):
        call()
    timings, queries = [], []
    for _ in range(requests):
        before = counter.count
        start = time.perf_counter()
        call()
        timings.append((time.perf_counter() - start) * 1000)
        queries.append(counter.count - before)
    timings.sort()
    return {
        "p50": statistics.median(timings),
        "p95": timings[int(0.95 * (len(timings) - 1))],
        "queries": max(queries),
    }


def run(label: str, database_url: str, requests: int) -> list[tuple]:
    """Measure every case on one database. Requests run outside any app context of ours, as
    in a server, so nothing is cached between them in `g`."""
    with tempfile.TemporaryDirectory() as instance:
        app = build_app(database_url, instance)
        with app.app_context():
            counter = QueryCounter(db.engine)
            thread_id = db.session.scalar(select(Thread.id))
        reader, anonymous = app.test_client(), app.test_client()
        signed_in = reader.post(
            "/login", data={"email": "author1@bench.example", "password": PASSWORD}
        )
        assert signed_in.status_code == 302, signed_in.status_code

        def page(client, path):
            def call():
                response = client.get(path)
                assert response.status_code == 200, response.status_code

            return call

        def bare_select():
            with app.app_context():
                query = select(Post).where(Post.thread_id == thread_id).limit(REPLIES)
                db.session.scalars(query).all()

        thread_url = f"/discussions/threads/{thread_id}"
        cases = [
            ("thread, first page (50 replies)", page(reader, thread_url)),
            ("thread, all 500 replies", page(reader, f"{thread_url}?per_page=500")),
            ("reference: sign-in page", page(anonymous, "/login")),
            ("reference: bare select of 500 posts", bare_select),
        ]
        results = [(name, measure(call, requests, counter)) for name, call in cases]
        with app.app_context():
            db.engine.dispose()
    return [(label, name, r["p50"], r["p95"], r["queries"]) for name, r in results]


def table(rows: list[tuple]) -> str:
    """A Markdown table of the results."""
    lines = [
        "| database | case | p50 ms | p95 ms | queries/request |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {db_} | {case} | {p50:.1f} | {p95:.1f} | {q} |" for db_, case, p50, p95, q in rows
    ]
    return "\n".join(lines)


def write_results(path: Path, rows: list[tuple], requests: int) -> None:
    """Replace this benchmark's own section of RESULTS.md (other sections are left alone)."""
    section = (
        f"## Discussions: a thread with {REPLIES} replies "
        "(`bench/thread_bench.py`)\n\n"
        f"{requests} requests per case after 5 warm-up requests, through the real app (Flask test "
        "client, so server time without the network), on a 2-core machine shared with other work. "
        f"Load average when it ran: {os.getloadavg()[0]:.1f}. The thread page shows 50 replies "
        "a page (what a 500-reply thread opens on); all 500 on one page are measured too. "
        "Goal: p95 <= 100 ms for the 500-reply thread's page, bounded queries.\n\n"
        f"{table(rows)}"
    )
    write_section("discussions-thread-bench", section, path=path)


def main() -> int:
    """Run on SQLite, then PostgreSQL; print the table and write RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--write", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        rows += run("SQLite", f"sqlite:///{folder}/bench.db", args.requests)
    if not args.no_postgres:
        rows += run("PostgreSQL", fresh_postgres(args.postgres), args.requests)
    print(table(rows))
    if args.write:
        write_results(Path(args.write), rows, args.requests)
        print(f"\nWritten to {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
