"""How cost grows with data: the feed, leaderboard and search benchmarks repeated at 1×, 10×,
100× and 1,000× a small base, each size measured next to a reference of the same run.

    .venv/bin/python bench/cost_curves.py                      # every size (~15 min)
    .venv/bin/python bench/cost_curves.py --factors 1,10,100   # a quick look
    .venv/bin/python bench/cost_curves.py --no-postgres --no-write

1× is: the feed with 50 content items and 10 users; the leaderboard with 10 employees and 10,000
click events; search over 100 posts. 1,000× is each benchmark's own goal size (50k items and 10k
users; 10k employees and 10M clicks; 100k posts). The data are built by the benchmarks' own
builders (feed_bench.build, leaderboard_bench.build, search_bench.generate_posts). Feed and
leaderboard requests go through the real app (Flask test client), with SQL statements counted;
search is the engine call of the embedded default (Whoosh), as in search_bench.

References, measured at every size in the same run: the sign-in page (feed), GET /api/v1/me
(leaderboard) and a plain SQLite FTS5 table over the same posts (search). The column
"÷ ref" is a request's p50 over its reference's, so a shared machine's load cancels out.

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

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/advocacy_bench_scale_curves"
DATA = ROOT / "bench" / "data" / "scale_curves"
RESULTS = ROOT / "bench" / "RESULTS.md"
MARK = "cost-curves"
FEED_ITEMS, FEED_USERS = 50, 10
LB_EMPLOYEES, LB_CLICKS = 10, 10_000
SEARCH_POSTS = 100
DEEP_PAGES = 20  # the deep feed page: ~1,000 items down, or the last page of a shorter feed
LEADERBOARD_READS = {
    "people · this week": "/api/v1/leaderboard?period=week",
    "people · all time": "/api/v1/leaderboard?period=all",
    "teams · this month": "/api/v1/leaderboard?period=month&scope=teams",
    "people · this month, LinkedIn only": "/api/v1/leaderboard?period=month&network=linkedin",
    "people · custom 30 days": None,  # filled in with today's dates
}
SEARCH_GROUPS = {
    "all 26 queries": None,
    "common terms (3)": {"term, common"},
    "rare terms, phrases (7)": {"term, rare", "phrase"},
}


@dataclass
class Row:
    """One request measured at one size."""

    bench: str
    factor: int
    data: str
    request: str
    p50: float
    p95: float
    queries: int | None
    reference: bool = False


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
    return app


def sqlite_url(name: str) -> str:
    path = DATA / f"{name}.db"
    path.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def fresh_schema(app) -> None:
    with app.app_context():
        db.drop_all()
        db.create_all()


def feed_rows(factor: int, database_url: str, backend: str, runs: int) -> list[Row]:
    """The feed's first page, a deep page and a filtered page, next to the sign-in page."""
    items, users = FEED_ITEMS * factor, FEED_USERS * factor
    app = app_for(database_url)
    fresh_schema(app)
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
    cases = [("first page (GET /)", get("/"), False)]
    if cursor:
        cases.append(
            ("deep page (≤ 1,000 items down)", get(f"/?cursor={cursor}", headers=fragment), False)
        )
    cases += [
        ("topic + not shared", get("/?topic=culture&unshared=1"), False),
        ("reference: sign-in page", get("/login", who=anonymous), True),
    ]
    data = f"{items:,} items, {users:,} users"
    rows = []
    for name, call, is_reference in cases:
        figures = feed_bench.measure(call, runs, counter)
        rows.append(
            Row(f"feed, {backend}", factor, data, name, figures["p50"], figures["p95"],
                figures["queries"], is_reference)
        )  # fmt: skip
    dispose(app)
    return rows


def leaderboard_rows(factor: int, runs: int) -> list[Row]:
    """Leaderboard reads through the JSON API (SQL standings), next to GET /api/v1/me."""
    employees, clicks = LB_EMPLOYEES * factor, LB_CLICKS * factor
    app = app_for(sqlite_url("leaderboard"))
    fresh_schema(app)
    with app.app_context():
        leaderboard_bench.build(employees, clicks)
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

    cases = [(name, url or custom, False) for name, url in LEADERBOARD_READS.items()]
    cases.append(("reference: GET /api/v1/me", "/api/v1/me", True))
    data = f"{employees:,} employees, {clicks:,} clicks"
    rows = []
    for name, url, is_reference in cases:
        figures = feed_bench.measure(get(url), runs, counter)
        rows.append(
            Row("leaderboard, SQLite", factor, data, name, figures["p50"], figures["p95"],
                figures["queries"], is_reference)
        )  # fmt: skip
    dispose(app)
    return rows


def search_rows(factor: int, repeat: int) -> list[Row]:
    """The query set on the Whoosh backend and on a plain FTS5 table over the same posts, each
    next to itself over the 1× posts (the same queries, timed in alternate passes)."""
    count = SEARCH_POSTS * factor
    engines, queries = {}, {}
    for label, size in (("reference", SEARCH_POSTS), ("measured", count)):
        these = search_bench.generate_posts(size, 42)
        queries[label] = search_bench.make_queries(these, 42)  # rare at this size is rare
        workdir = DATA / f"search-{label}"
        workdir.mkdir(parents=True, exist_ok=True)
        fts = search_bench.Fts5(workdir / "fts5.db")
        fts.build(these)
        app = app_for(sqlite_url(f"search-{label}"), SEARCH_INDEX_DIR=str(workdir / "whoosh"))
        fresh_schema(app)
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
    statements = {}
    for label, (_fts, whoosh_search, app) in engines.items():
        with app.app_context():
            counter = feed_bench.QueryCounter(db.engine)
        for _kind, text in queries[label]:
            whoosh_search(text)
        statements[label] = counter.count // len(queries[label])
    for _fts, _whoosh, app in engines.values():
        with app.app_context():
            current_backend().close()
        dispose(app)
    data = f"{count:,} posts"
    rows = []
    for bench, figures, counted in (
        ("search, Whoosh", whoosh_figures, statements),
        ("search, FTS5 (a plain engine, to compare)", fts_figures, {}),
    ):
        for label in ("measured", "reference"):
            prefix = "" if label == "measured" else f"reference: {SEARCH_POSTS} posts, "
            rows += [
                Row(bench, factor, data, prefix + group, p50, p95, counted.get(label),
                    label == "reference")
                for group, (p50, p95) in figures[label].items()
            ]  # fmt: skip
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


def reference_for(row: Row, rows: list[Row]) -> Row:
    """The reference measured with `row` (same bench and size; FTS5 of the same query group)."""
    candidates = [
        r for r in rows if r.reference and r.bench == row.bench and r.factor == row.factor
    ]
    if row.bench.startswith("search"):
        group = row.request.removeprefix(f"reference: {SEARCH_POSTS} posts, ")
        return next(r for r in candidates if r.request.endswith(", " + group))
    return candidates[0]


def detail_table(rows: list[Row]) -> str:
    lines = [
        "| bench | size | data | request | p50 ms | p95 ms | SQL | ÷ ref |",
        "| --- | ---: | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        ratio = row.p50 / reference_for(row, rows).p50
        queries = "—" if row.queries is None else str(row.queries)
        lines.append(
            f"| {row.bench} | {row.factor:,}× | {row.data} | {row.request} | {row.p50:.1f} | "
            f"{row.p95:.1f} | {queries} | {ratio:.2f} |"
        )
    return "\n".join(lines)


def curve_table(rows: list[Row], factors: list[int]) -> str:
    """Per request: its p50 ÷ reference at each size, and that ratio's growth from 1× to the
    largest size (1.0: flat; ~log: ~1.5–3 over 1,000×; linear: ~1,000)."""
    head = " | ".join(f"{f:,}×" for f in factors)
    lines = [
        f"| bench | request | {head} | growth | SQL statements |",
        "| --- | --- | " + " | ".join("---:" for _ in factors) + " | ---: | --- |",
    ]
    seen = []
    for row in rows:
        if not row.reference and (row.bench, row.request) not in seen:
            seen.append((row.bench, row.request))
    for bench, request in seen:
        ratios, queries = [], []
        for factor in factors:
            match = [r for r in rows if (r.bench, r.request, r.factor) == (bench, request, factor)]
            if match:
                ratios.append(match[0].p50 / reference_for(match[0], rows).p50)
                queries.append("—" if match[0].queries is None else str(match[0].queries))
            else:
                ratios.append(None)
        cells = " | ".join("—" if r is None else f"{r:.2f}" for r in ratios)
        known = [r for r in ratios if r is not None]
        growth = f"{known[-1] / known[0]:.1f}×" if len(known) > 1 else "—"
        counts = " → ".join(queries) if len(set(queries)) > 1 else queries[0]
        lines.append(f"| {bench} | {request} | {cells} | {growth} | {counts} |")
    return "\n".join(lines)


def write_results(body: str) -> None:
    start, end = f"<!-- {MARK}:start -->", f"<!-- {MARK}:end -->"
    section = f"{start}\n{body}\n{end}"
    text = RESULTS.read_text()
    if start in text:
        before, rest = text.split(start, 1)
        text = before + section + rest.split(end, 1)[1]
    else:
        heading = "\n\n## How cost grows with data (`bench/cost_curves.py`)\n\n"
        text = text.rstrip() + heading + section + "\n"
    RESULTS.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factors", default="1,10,100,1000")
    parser.add_argument("--runs", type=int, default=60, help="requests per feed/leaderboard row")
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
    rows: list[Row] = []
    for factor in factors:
        print(f"{factor:,}×", flush=True)
        if "feed" in benches:
            rows += feed_rows(factor, sqlite_url("feed"), "SQLite", args.runs)
            if not args.no_postgres:
                url = feed_bench.fresh_postgres(args.postgres)
                rows += feed_rows(factor, url, "PostgreSQL", args.runs)
        if "leaderboard" in benches:
            rows += leaderboard_rows(factor, args.runs)
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
        f"{args.runs} requests per feed and leaderboard row (after 5 warm-ups), the search query "
        f"set {args.repeat} times. Read each figure against the reference of the same size.\n\n"
        "The curve: each request's p50 divided by its reference's p50, at each size; growth is "
        "that ratio at the largest size over the smallest (1.0 is flat, roughly logarithmic "
        "stays within a few × over 1,000× the data, linear would be ~1,000×).\n\n"
        f"{curve_table(rows, factors)}\n\n"
        "<details><summary>Every measurement</summary>\n\n"
        f"{detail_table(rows)}\n\n</details>"
    )
    print()
    print(body)
    if not args.no_write:
        write_results(body)
        print(f"\nWritten to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
