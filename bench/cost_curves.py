"""How cost grows with data: the feed, leaderboard and search benchmarks repeated at 1×, 10×,
100× and 1,000× a small base, each request timed in turns with the same request on 1× data.

    .venv/bin/python bench/cost_curves.py                      # every size (~15 min)
    .venv/bin/python bench/cost_curves.py --factors 1,10,100   # a quick look
    .venv/bin/python bench/cost_curves.py --no-postgres --no-write

1× is: the feed with 50 content items and 10 users; the leaderboard with 10 employees and 10,000
click events; search over 100 posts. 1,000× is each benchmark's own goal size (50k items and 10k
users; 10k employees and 10M clicks; 100k posts). The data are built by the benchmarks' own
builders (feed_bench.build, leaderboard_bench.build and complete, search_bench.generate_posts).
Feed and leaderboard requests go through the real app (Flask test client), with SQL statements
counted; search is the engine call of the embedded default (Whoosh), as in search_bench.

The reference of every request is the same request on a copy of the 1× data kept open for the
whole run, timed in alternate turns with it (the deep feed page: on 10× data, the first size
that has one), so the shared machine's load falls on both alike; "÷ 1×" is the ratio of the two
p50s, which is the curve. Requests that read no data (the sign-in page, GET /api/v1/me) are
measured the same way and show the noise floor (~1.0). Search also runs a plain SQLite FTS5
table over the same posts, to compare with an engine that has no permissions or typo pass.

The feed is measured on SQLite and, unless --no-postgres, on PostgreSQL (database
--postgres, dropped and created again at every size); the leaderboard and search on the
embedded default only. Figures go into bench/RESULTS.md unless --no-write.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import feed_bench  # noqa: E402
import leaderboard_bench  # noqa: E402
import search_bench  # noqa: E402

from advocacy import create_app  # noqa: E402
from advocacy.accounts.models import User  # noqa: E402
from advocacy.accounts.tokens import create_api_token  # noqa: E402
from advocacy.extensions import db  # noqa: E402
from advocacy.feeds import feed  # noqa: E402
from advocacy.search.extension import current_backend  # noqa: E402
from bench.results_file import write_section  # noqa: E402

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/advocacy_bench_scale_curves"
DATA = ROOT / "bench" / "data" / "scale_curves"
RESULTS = ROOT / "bench" / "RESULTS.md"
MARK = "cost-curves"
FEED_ITEMS, FEED_USERS = 50, 10
LB_EMPLOYEES, LB_CLICKS = 10, 10_000
SEARCH_POSTS = 100
DEEP_PAGES = 20  # the deep feed page: ~1,000 items down, or the last page of a shorter feed
DEEP_PAGE = "deep page (≤ 1,000 items down; vs 10×)"
LEADERBOARD_READS = {
    "people · this week": "/api/v1/leaderboard?period=week",
    "people · all time": "/api/v1/leaderboard?period=all",
    "teams · this month": "/api/v1/leaderboard?period=month&scope=teams",
    "people · this month, LinkedIn only": "/api/v1/leaderboard?period=month&network=linkedin",
    "people · custom 30 days": None,  # filled in with today's dates
    "GET /api/v1/me (reads no board)": "/api/v1/me",
}
SEARCH_GROUPS = {
    "all 26 queries": None,
    "common terms (3)": {"term, common"},
    "rare terms, phrases (7)": {"term, rare", "phrase"},
}


@dataclass
class Sized:
    """Data of one size behind a real app: its requests as callables, and a SQL counter."""

    app: object
    data: str
    cases: dict[str, Callable[[], None]]
    counter: feed_bench.QueryCounter


@dataclass
class Row:
    """One request at one size, and the same request on the 1× data timed in turns with it."""

    bench: str
    factor: int
    data: str
    request: str
    p50: float
    p95: float
    queries: int | None
    base_p50: float
    base_p95: float

    @property
    def ratio(self) -> float:
        return self.p50 / self.base_p50


def app_for(database_url: str, **extra):
    """An app on `database_url` with no Redis, fast passwords, no CSRF or rate limits."""
    os.environ["ADVOCACY_INSTANCE_PATH"] = str(DATA / "instance")
    config = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench",
        "REDIS_URL": "",
        "PASSWORD_HASH_FAST": True,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SEARCH_INDEX_DIR": str(DATA / "unused-index"),
        **extra,
    }
    app = create_app(config)
    feed_bench.logging_quiet()  # after create_app, which sets INFO
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def sqlite_url(name: str) -> str:
    path = DATA / f"{name}.db"
    path.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def postgres_url(base: str, suffix: str) -> str:
    """A fresh database named after --postgres plus `suffix`."""
    return feed_bench.fresh_postgres(base + suffix)


def feed_sized(factor: int, database_url: str) -> Sized:
    """The feed's first page, a deep page, a filtered page and the sign-in page."""
    items, users = FEED_ITEMS * factor, FEED_USERS * factor
    app = app_for(database_url)
    with app.app_context():
        reader = db.session.get(User, feed_bench.build(items, users))
        page, cursor = feed.feed_page(reader, limit=50), None
        for _ in range(DEEP_PAGES):
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
            page = feed.feed_page(reader, cursor=cursor, limit=50)
        email = reader.email
        counter = feed_bench.QueryCounter(db.engine)
        db.session.remove()
    client, anonymous = app.test_client(), app.test_client()
    response = client.post("/login", data={"email": email, "password": feed_bench.PASSWORD})
    assert response.status_code == 302, response.status

    def get(url: str, who=client, headers=None):
        def call():
            with app.app_context():
                assert who.get(url, headers=headers or {}).status_code == 200, url

        return call

    fragment = {"HX-Request": "true", "HX-Target": "feed-more"}
    cases = {"first page (GET /)": get("/")}
    if cursor:
        cases[DEEP_PAGE] = get(f"/?cursor={cursor}", headers=fragment)
    cases["topic + not shared"] = get("/?topic=culture&unshared=1")
    cases["sign-in page (reads no feed)"] = get("/login", who=anonymous)
    return Sized(app, f"{items:,} items, {users:,} users", cases, counter)


def leaderboard_sized(factor: int, database_url: str) -> Sized:
    """Leaderboard reads through the JSON API (SQL standings) and GET /api/v1/me."""
    employees, clicks = LB_EMPLOYEES * factor, LB_CLICKS * factor
    app = app_for(database_url)
    with app.app_context():
        leaderboard_bench.build(employees, clicks)
        leaderboard_bench.complete()
        reader = db.session.get(User, max(1, employees // 2))  # a mid-pack reader
        token = create_api_token(reader, "bench")[1]
        counter = feed_bench.QueryCounter(db.engine)
        db.session.remove()
    today = datetime.now(UTC).date()
    custom = (
        f"/api/v1/leaderboard?period=custom&from={(today - timedelta(days=30)).isoformat()}"
        f"&to={today.isoformat()}"
    )
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    def get(url: str):
        def call():
            assert client.get(url).status_code == 200, url

        return call

    cases = {name: get(url or custom) for name, url in LEADERBOARD_READS.items()}
    return Sized(app, f"{employees:,} employees, {clicks:,} clicks", cases, counter)


def in_turns(call, counter, base_call, runs: int) -> tuple[dict, dict]:
    """p50/p95 (ms) and SQL statements of `call`, and p50/p95 of `base_call`, timed in turns
    after five warm-ups each."""
    for _ in range(5):
        call()
        base_call()
    times, base_times, queries = [], [], []
    for _ in range(runs):
        before = counter.count
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
        queries.append(counter.count - before)
        started = time.perf_counter()
        base_call()
        base_times.append((time.perf_counter() - started) * 1000)
    figures = {
        "p50": statistics.median(times),
        "p95": search_bench.percentile(times, 95),
        "queries": max(queries),
    }
    return figures, {
        "p50": statistics.median(base_times),
        "p95": search_bench.percentile(base_times, 95),
    }


def compare(bench: str, factor: int, sized: Sized, bases: list[Sized], runs: int) -> list[Row]:
    """Every request of `sized` in turns with the same request on the first base that has it."""
    rows = []
    for name, call in sized.cases.items():
        base = next(b for b in bases if name in b.cases)
        mine, theirs = in_turns(call, sized.counter, base.cases[name], runs)
        rows.append(
            Row(bench, factor, sized.data, name, mine["p50"], mine["p95"], mine["queries"],
                theirs["p50"], theirs["p95"])
        )  # fmt: skip
    return rows


def search_rows(factor: int, repeat: int) -> list[Row]:
    """The query set on the Whoosh backend and on a plain FTS5 table over the same posts, each
    in turns with itself over the 1× posts (pass by pass)."""
    count = SEARCH_POSTS * factor
    engines, queries = {}, {}
    for label, size in (("base", SEARCH_POSTS), ("measured", count)):
        these = search_bench.generate_posts(size, 42)
        queries[label] = search_bench.make_queries(these, 42)  # rare at this size is rare
        workdir = DATA / f"search-{label}"
        workdir.mkdir(parents=True, exist_ok=True)
        fts = search_bench.Fts5(workdir / "fts5.db")
        fts.build(these)
        app = app_for(sqlite_url(f"search-{label}"), SEARCH_INDEX_DIR=str(workdir / "whoosh"))
        with app.app_context():
            started = time.perf_counter()
            whoosh = search_bench.Ours("whoosh", current_backend())
            whoosh.build(these)
            built = time.perf_counter() - started
        if label == "measured":
            print(f"  search: {count:,} posts indexed in {built:.0f} s", flush=True)
        engines[label] = (fts.search, in_context(app, whoosh.search), app)
    fts_figures = timed_passes({k: (v[0], queries[k]) for k, v in engines.items()}, repeat)
    whoosh_figures = timed_passes({k: (v[1], queries[k]) for k, v in engines.items()}, repeat)
    _fts, whoosh_search, app = engines["measured"]
    with app.app_context():
        counter = feed_bench.QueryCounter(db.engine)
    for _kind, text in queries["measured"]:
        whoosh_search(text)
    statements = counter.count // len(queries["measured"])
    for _fts, _whoosh, app in engines.values():
        with app.app_context():
            current_backend().close()
        dispose(app)
    rows = []
    for bench, figures, counted in (
        ("search, Whoosh", whoosh_figures, statements),
        ("search, FTS5 (a plain engine, to compare)", fts_figures, None),
    ):
        for group, (p50, p95) in figures["measured"].items():
            base_p50, base_p95 = figures["base"][group]
            rows.append(
                Row(bench, factor, f"{count:,} posts", group, p50, p95, counted, base_p50,
                    base_p95)
            )  # fmt: skip
    return rows


def timed_passes(searches: dict, repeat: int) -> dict[str, dict]:
    """p50/p95 (ms) per group of query kinds for each (search function, query set), after a
    warm-up pass; they take turns pass by pass, so load on the machine falls on each alike."""
    samples = {label: {group: [] for group in SEARCH_GROUPS} for label in searches}
    for search, queries in searches.values():
        for _kind, text in queries:
            search(text)
    for _ in range(repeat):
        for label, (search, queries) in searches.items():
            for kind, text in queries:
                started = time.perf_counter()
                search(text)
                took = (time.perf_counter() - started) * 1000
                for group, kinds in SEARCH_GROUPS.items():
                    if kinds is None or kind in kinds:
                        samples[label][group].append(took)
    return {
        label: {
            group: (statistics.median(values), search_bench.percentile(values, 95))
            for group, values in groups.items()
        }
        for label, groups in samples.items()
    }


def in_context(app, search):
    """`search` run inside an app context of `app` (each engine has its own app)."""

    def call(text: str):
        with app.app_context():
            return search(text)

    return call


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def curve_table(rows: list[Row], factors: list[int]) -> str:
    """Per request: p50 ÷ the same request's p50 on 1× data, at each size."""
    head = " | ".join(f"{f:,}×" for f in factors)
    lines = [
        f"| bench | request | {head} | p50 ms at {factors[-1]:,}× | SQL statements |",
        "| --- | --- | " + " | ".join("---:" for _ in factors) + " | ---: | --- |",
    ]
    ordered = [r for r in rows if r.factor == factors[-1]] + rows  # the deep page is not at 1×
    keys = sorted(dict.fromkeys((row.bench, row.request) for row in ordered), key=lambda k: k[0])
    for bench, request in keys:
        found = {r.factor: r for r in rows if (r.bench, r.request) == (bench, request)}
        cells = " | ".join(f"{found[f].ratio:.2f}" if f in found else "—" for f in factors)
        counts = [str(found[f].queries) for f in factors if f in found]
        counted = " → ".join(counts) if len(set(counts)) > 1 else counts[0]
        largest = found.get(factors[-1])
        p50 = f"{largest.p50:.1f}" if largest else "—"
        counted = "—" if counted == "None" else counted
        lines.append(f"| {bench} | {request} | {cells} | {p50} | {counted} |")
    return "\n".join(lines)


def detail_table(rows: list[Row]) -> str:
    lines = [
        "| bench | size | data | request | p50 ms | p95 ms | SQL | on 1×: p50 / p95 ms | ÷ 1× |",
        "| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        queries = "—" if row.queries is None else str(row.queries)
        lines.append(
            f"| {row.bench} | {row.factor:,}× | {row.data} | {row.request} | {row.p50:.1f} | "
            f"{row.p95:.1f} | {queries} | {row.base_p50:.1f} / {row.base_p95:.1f} | "
            f"{row.ratio:.2f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factors", default="1,10,100,1000")
    parser.add_argument("--runs", type=int, default=60, help="turns per feed/leaderboard row")
    parser.add_argument("--repeat", type=int, default=3, help="passes of the search query set")
    parser.add_argument("--benches", default="feed,leaderboard,search")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    factors = [int(f) for f in args.factors.split(",")]
    benches = args.benches.split(",")
    DATA.mkdir(parents=True, exist_ok=True)
    started, loads = time.perf_counter(), [os.getloadavg()[0]]
    feeds = {"SQLite": lambda name: sqlite_url(f"feed-{name}")}
    if not args.no_postgres:
        feeds["PostgreSQL"] = lambda name: postgres_url(args.postgres, f"_{name}")
    bases: dict[str, list[Sized]] = {}
    if "feed" in benches:
        for backend, url in feeds.items():
            bases[backend] = [feed_sized(1, url("base1")), feed_sized(10, url("base10"))]
    if "leaderboard" in benches:
        bases["leaderboard"] = [leaderboard_sized(1, sqlite_url("leaderboard-base1"))]
    rows: list[Row] = []
    for factor in factors:
        print(f"{factor:,}×", flush=True)
        if "feed" in benches:
            for backend, url in feeds.items():
                sized = feed_sized(factor, url("measured"))
                rows += compare(f"feed, {backend}", factor, sized, bases[backend], args.runs)
                dispose(sized.app)
        if "leaderboard" in benches:
            sized = leaderboard_sized(factor, sqlite_url("leaderboard"))
            rows += compare("leaderboard, SQLite", factor, sized, bases["leaderboard"], args.runs)
            dispose(sized.app)
            (DATA / "leaderboard.db").unlink()  # 1.4 GB at 1,000×
        if "search" in benches:
            rows += search_rows(factor, args.repeat)
        loads.append(os.getloadavg()[0])
        print(f"  done at {time.perf_counter() - started:.0f} s, load {loads[-1]:.1f}", flush=True)
    rows.sort(key=lambda r: (r.bench, r.factor))
    minutes = (time.perf_counter() - started) / 60
    load = ", ".join(f"{x:.1f}" for x in loads)
    body = (
        f"Measured {datetime.now(UTC):%Y-%m-%d} in one run of {minutes:.0f} minutes on the shared "
        f"2-core machine; load average (1 min) at the start and after each size: {load}. "
        f"{args.runs} turns per feed and leaderboard row (after 5 warm-ups), the search query "
        f"set {args.repeat} times.\n\n"
        "Each cell is a request's p50 divided by the same request's p50 on the 1× data, the two "
        "timed in turns (the deep feed page: on 10× data). 1.0 is flat; roughly logarithmic "
        "stays within a few × over 1,000× the data; linear would reach ~1,000. The 1× column "
        "compares two copies of the same data: it shows the noise.\n\n"
        f"{curve_table(rows, factors)}\n\n"
        "<details><summary>Every measurement</summary>\n\n"
        f"{detail_table(rows)}\n\n</details>"
    )
    print()
    print(body)
    if not args.no_write:
        write_section(MARK, body, "How cost grows with data (`bench/cost_curves.py`)")
        print(f"\nWritten to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
