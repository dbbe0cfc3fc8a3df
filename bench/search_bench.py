"""Search benchmark: one run, the same generated posts and the same queries for every engine.

    .venv/bin/python bench/search_bench.py                 # 100k posts (builds take minutes)
    .venv/bin/python bench/search_bench.py --docs 10000    # quicker
    .venv/bin/python bench/search_bench.py --write-results # also update bench/RESULTS.md

Measures, in one run: the index build rate and the query p50/p95 of our Whoosh backend, our
PostgreSQL backend and a plain SQLite FTS5 table (the reference; porter tokenizer, bm25 with the
same 3:2:1 title/tags/body weights, a snippet and a total counted up to 1,001, as our backends
return), then the time from the commit of a new post to its appearing in search through the real
hook → job → index path: in-process (the embedded default) and with a real RQ worker process when
Redis answers at --redis-url.

Our backends run the whole engine call: parse, permission filter (the reader sees 36 of 40
spaces), count, rank with the recency boost, highlight, and the typo pass when a query finds
little. FTS5 has no permission filter and no typo pass (a typo simply finds nothing there).

The posts are generated with a fixed seed: ~60 words each, drawn from a Zipf-like distribution
over a vocabulary of real workplace words followed by a long tail of made-up ones; titles, tags,
spaces, authors and dates spread over three years. They are cached in bench/data/ (gitignored).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from bisect import bisect
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Integer, String, Text  # noqa: E402
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column  # noqa: E402

from advocacy.models_base import UTCDateTime, utcnow  # noqa: E402
from advocacy.search.documents import SearchDocument, document_key  # noqa: E402
from advocacy.search.query.nodes import STOP_WORDS  # noqa: E402
from bench.results_file import write_section  # noqa: E402

DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "RESULTS.md"
SPACES = 40
HIDDEN_SPACES = {37, 38, 39, 40}  # the reader is not a member of these
EPOCH = datetime(2023, 1, 1, tzinfo=UTC)

_COMMON_TEXT = """team project customer meeting update plan week review product release design data
report people work time support sales market launch goal quarter budget process feedback issue
question answer help share idea change new first next last today tomorrow office remote hybrid
engineering marketing finance hiring interview candidate onboarding training learning growth
strategy roadmap priority deadline schedule calendar agenda notes summary decision action owner
risk cost revenue pipeline deal contract partner vendor client account service platform system
feature bug fix test deploy server database security access policy compliance audit privacy
document template guide process checklist survey result metric dashboard analytics insight
campaign content social post video event webinar conference workshop community culture value
benefit holiday leave travel expense payroll office desk parking lunch coffee kitchen wellness
health safety team building volunteer charity award recognition promotion career mentor coach
manager leader director employee colleague member group channel thread discussion forum space
announcement newsletter blog article story photo image brand logo website page search mobile app
laptop phone monitor network wifi printer email inbox message reply mention notification digest
london vancouver singapore asia europe america region country city morning evening night weekend
monday tuesday wednesday thursday friday january february march april may june july august
september october november december spring summer autumn winter year month day hour minute
quick simple clear great good better best important urgent critical major minor small large
open closed solved pending approved rejected draft final shared internal external public private
create build write read send receive plan prepare organise review approve check confirm schedule
improve reduce increase grow measure track report explain discuss agree decide finish start stop
"""
COMMON = _COMMON_TEXT.split()
_SYLLABLE_TEXT = (
    "ka lo mi ne ra tu vo zi be da fe gu hi jo ku le mo nu pa qui ri sa te ul va wi xo yu"
)
SYLLABLES = _SYLLABLE_TEXT.split()
TAGS = [
    "hiring", "events", "engineering", "marketing", "sales", "hr", "it", "finance", "product",
    "design", "security", "wellness", "travel", "office", "remote", "culture", "learning",
    "release", "incident", "customer", "partners", "legal", "privacy", "data", "mobile", "web",
    "api", "infrastructure", "support", "community",
]  # fmt: skip
_FIRST_NAMES = "Maya Ava Noah Liam Zara Kenji Mei Raj Sofia Ethan Grace Oliver Chloe Arjun Lucy Ben"
_LAST_NAMES = "Chen Singh Patel Okafor Nguyen Martin Lee Tan Kim Brown Smith Rahman Dubois Sato"
FIRST, LAST = _FIRST_NAMES.split(), _LAST_NAMES.split()


def make_vocabulary(size: int, rng: random.Random) -> list[str]:
    """Real workplace words first (the frequent ranks), then made-up words for the long tail."""
    words = list(dict.fromkeys(COMMON))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Zipf:
    """Draws ranks with probability ∝ 1 / rank^s (word frequencies in text follow this)."""

    def __init__(self, n: int, s: float, rng: random.Random):
        self.cumulative = list(accumulate(1 / (rank**s) for rank in range(1, n + 1)))
        self.rng = rng

    def draw(self) -> int:
        return bisect(self.cumulative, self.rng.random() * self.cumulative[-1])


def generate_posts(count: int, seed: int) -> list[dict]:
    """The posts, generated once per (count, seed) and cached as JSON lines."""
    DATA.mkdir(parents=True, exist_ok=True)
    cache = DATA / f"posts-{count}-{seed}.jsonl"
    if cache.exists():
        return [json.loads(line) for line in cache.read_text().splitlines()]
    rng = random.Random(seed)
    vocabulary = make_vocabulary(30_000, rng)
    zipf = Zipf(len(vocabulary), 1.07, rng)
    authors = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(500)]
    posts = []
    for i in range(1, count + 1):
        words = [vocabulary[zipf.draw()] for _ in range(rng.randint(45, 75))]
        for cut in sorted(rng.sample(range(5, len(words)), 3), reverse=True):
            words[cut - 1] += "."
        title_words = [vocabulary[min(zipf.draw(), 4999)] for _ in range(rng.randint(4, 8))]
        posts.append(
            {
                "id": i,
                "title": " ".join(title_words).capitalize(),
                "body": " ".join(words).capitalize() + ".",
                "tags": rng.sample(TAGS, rng.randint(0, 3)),
                "space": rng.randint(1, SPACES),
                "author": rng.choice(authors),
                "created": (EPOCH + timedelta(minutes=rng.randint(0, 1_576_800))).isoformat(),
            }
        )
    cache.write_text("\n".join(json.dumps(p) for p in posts))
    return posts


def post_document(post: dict) -> SearchDocument:
    return SearchDocument(
        key=document_key("post", post["id"]),
        type="post",
        title=post["title"],
        body=post["body"],
        tags=tuple(post["tags"]),
        author_name=post["author"],
        author_handle=post["author"].split()[0].lower(),
        space_id=post["space"],
        space_name=f"Space {post['space']}",
        space_slug=f"space-{post['space']}",
        created_at=datetime.fromisoformat(post["created"]),
        url=f"/posts/{post['id']}",
    )


def make_queries(posts: list[dict], seed: int) -> list[tuple[str, str]]:
    """(kind, query) pairs: single terms from common to rare, AND, OR, phrases, prefixes, typos."""
    rng = random.Random(seed + 1)
    vocabulary = make_vocabulary(30_000, random.Random(seed))
    counts: dict[str, int] = {}
    for post in posts:
        for word in set(post["body"].lower().replace(".", "").split()):
            counts[word] = counts.get(word, 0) + 1
    # (ties by word: the counts are filled from sets, whose order changes with each process)
    by_frequency = sorted(counts, key=lambda w: (-counts[w], w))
    ranked = [w for w in by_frequency if w not in STOP_WORDS and len(w) > 3]

    def at(rank: int) -> str:
        return ranked[min(rank, len(ranked) - 1)]

    bigrams = []
    for post in rng.sample(posts, 8):
        words = post["body"].lower().replace(".", "").split()
        start = rng.randrange(len(words) - 2)
        bigrams.append(f'"{words[start]} {words[start + 1]}"')

    def typo(word: str) -> str:
        i = rng.randrange(1, len(word) - 2)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]

    queries = [("term, common", at(r)) for r in (0, 3, 10)]
    queries += [("term, mid", at(r)) for r in (100, 300, 800)]
    queries += [("term, rare", at(r)) for r in (3000, 8000, 15000)]
    queries += [("AND", f"{at(a)} {at(b)}") for a, b in ((0, 5), (20, 60), (150, 400), (5, 2000))]
    queries += [("OR", f"{at(a)} OR {at(b)}") for a, b in ((2, 7), (200, 500), (1000, 4000))]
    queries += [("phrase", bigram) for bigram in bigrams[:4]]
    queries += [("prefix", f"{at(r)[:4]}*") for r in (1, 40, 300)]
    queries += [("typo", typo(at(r))) for r in (60, 250, 600)]
    del vocabulary
    return queries


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# --- the engines ---------------------------------------------------------------------------------


def fts5_query(text: str) -> str:
    """Our query language for FTS5, as plainly as FTS5 allows."""
    parts = []
    for part in text.split():
        if part == "OR":
            parts.append("OR")
        elif part.endswith("*"):
            parts.append(f'"{part[:-1]}"*')
        else:
            parts.append(f'"{part.strip(chr(34))}"' if not part.startswith('"') else part)
    return " ".join(parts).replace('""', '"')


def phrase_safe(text: str) -> str:
    return text if text.count('"') % 2 == 0 else text + '"'


class Fts5:
    """The reference: a plain SQLite FTS5 table."""

    name = "SQLite FTS5 (reference)"

    def __init__(self, path: Path):
        path.unlink(missing_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute(
            "CREATE VIRTUAL TABLE fts USING fts5(title, tags, body, tokenize='porter unicode61')"
        )

    def build(self, posts: list[dict]) -> float:
        started = time.perf_counter()
        rows = ((p["id"], p["title"], " ".join(p["tags"]), p["body"]) for p in posts)
        self.db.executemany("INSERT INTO fts(rowid, title, tags, body) VALUES (?, ?, ?, ?)", rows)
        self.db.commit()
        return len(posts) / (time.perf_counter() - started)

    def search(self, text: str) -> int:
        match = phrase_safe(fts5_query(text))
        total = self.db.execute(
            "SELECT count(*) FROM (SELECT 1 FROM fts WHERE fts MATCH ? LIMIT 1001)", (match,)
        ).fetchone()[0]
        self.db.execute(
            "SELECT rowid, highlight(fts, 0, '<mark>', '</mark>'), "
            "snippet(fts, 2, '<mark>', '</mark>', '…', 24) FROM fts WHERE fts MATCH ? "
            "ORDER BY bm25(fts, 3.0, 2.0, 1.0) LIMIT 10",
            (match,),
        ).fetchall()
        return total


class Ours:
    """One of our backends, driven through its public interface inside an app context."""

    def __init__(self, name: str, backend):
        from advocacy.search.permissions import Reader

        self.name = {"whoosh": "Whoosh (ours)", "postgres": "PostgreSQL (ours)"}[name]
        self.backend = backend
        self.reader = Reader(user_id=1, space_ids=set(range(1, SPACES + 1)) - HIDDEN_SPACES)

    def build(self, posts: list[dict]) -> float:
        def batches():
            for start in range(0, len(posts), 1000):
                chunk = posts[start : start + 1000]
                yield len(chunk), [post_document(p) for p in chunk]

        started = time.perf_counter()
        with self.backend.writer_lock(60):
            self.backend.rebuild(batches(), lambda done: None)
        return len(posts) / (time.perf_counter() - started)

    def holds(self, count: int) -> bool:
        """True when the index exists and holds `count` documents (--reuse-index)."""
        status = self.backend.status()
        return status.available and status.total == count

    def search(self, text: str) -> int:
        from advocacy.search.query.parser import parse_query

        return self.backend.search(parse_query(text), self.reader, 1, 10).total


def time_queries(engine, queries, repeat: int) -> tuple[list[float], dict[str, int], dict]:
    """Every query's times (ms), all together and per query, and each query's total."""
    for _kind, text in queries:  # warm caches once
        engine.search(text)
    timings, totals, per_query = [], {}, {text: [] for _kind, text in queries}
    for _ in range(repeat):
        for _kind, text in queries:
            started = time.perf_counter()
            totals[text] = engine.search(text)
            elapsed = (time.perf_counter() - started) * 1000
            timings.append(elapsed)
            per_query[text].append(elapsed)
    return timings, totals, per_query


def print_breakdown(name: str, queries, per_query: dict, totals: dict, each: bool) -> None:
    """Median and slowest time per query kind (and per query with --per-query)."""
    print(f"\n  {name}: per kind, ms (median of the kind's queries' medians / slowest run)")
    kinds = dict.fromkeys(kind for kind, _text in queries)
    for kind in kinds:
        texts = [text for k, text in queries if k == kind]
        medians = [statistics.median(per_query[t]) for t in texts]
        worst = max(max(per_query[t]) for t in texts)
        print(f"    {kind:<14} {statistics.median(medians):8.1f} {worst:8.1f}")
        if each:
            for text in texts:
                times = per_query[text]
                print(
                    f"      {text:<28} {statistics.median(times):8.1f} {max(times):8.1f}"
                    f"  total {totals.get(text, 0):,}"
                )


# --- commit → visible, through the real hook, job and index ---------------------------------------


class BenchBase(DeclarativeBase):
    """The bench's own table, outside the app's schema."""


class BenchPost(BenchBase):
    __tablename__ = "bench_post"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def bench_post_document(row: BenchPost) -> SearchDocument:
    return SearchDocument(
        key=document_key("thread", row.id),
        type="thread",
        title=row.title,
        body=row.body,
        created_at=row.created_at,
    )


def create_bench_app():
    """The app with BenchPost searchable (also the worker process's app: --app ...)."""
    from advocacy import create_app
    from advocacy.search.documents import register_source

    app = create_app()
    register_source(app, "thread", BenchPost, bench_post_document)
    return app


def commit_to_visible(mode: str, env: dict, samples: int) -> list[float]:
    """Seconds from the commit of a new post to a search finding it."""
    from advocacy.extensions import db
    from advocacy.search.extension import current_backend
    from advocacy.search.permissions import Reader
    from advocacy.search.query.parser import parse_query

    os.environ.update(env)
    app = create_bench_app()
    worker = None
    if env.get("REDIS_URL"):
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "bench.search_bench:create_bench_app"]
            + ["worker", "--queues", "search", "--no-scheduler"],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(3)  # the worker imports the app
    delays = []
    try:
        with app.app_context():
            db.create_all()
            BenchBase.metadata.drop_all(db.engine)
            BenchBase.metadata.create_all(db.engine)
            backend = current_backend()
            reader = Reader(user_id=1)
            for i in range(samples):
                word = f"fresh{mode.replace(' ', '')}{i}x{int(time.time())}"
                db.session.add(BenchPost(title=f"Breaking {word}", body="Just posted."))
                db.session.commit()
                committed = time.perf_counter()
                query = parse_query(word)
                while backend.search(query, reader, 1, 10).total == 0:
                    if time.perf_counter() - committed > 30:
                        raise RuntimeError(f"{mode}: not visible after 30 s")
                    time.sleep(0.01)
                delays.append(time.perf_counter() - committed)
                time.sleep(0.2)
            BenchBase.metadata.drop_all(db.engine)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(10)
    return delays


# --- the run -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=5, help="runs of the query set per engine")
    parser.add_argument(
        "--pg-url", default="postgresql://postgres@127.0.0.1:5432/advocacy_search_bench"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--visible-samples", type=int, default=10)
    parser.add_argument("--write-results", action="store_true")
    parser.add_argument("--per-query", action="store_true", help="print each query's times")
    parser.add_argument(
        "--reuse-index",
        action="store_true",
        help="for development: keep an index that already holds --docs documents (no build rate)",
    )
    parser.add_argument(
        "--engines",
        default="whoosh,postgres",
        help="our backends to measure (comma-separated); FTS5, the reference, always runs",
    )
    args = parser.parse_args()

    started = time.perf_counter()
    posts = generate_posts(args.docs, args.seed)
    queries = make_queries(posts, args.seed)
    print(f"{len(posts):,} posts, {len(queries)} queries × {args.repeat}")
    workdir = DATA / f"run-{args.docs}"
    workdir.mkdir(parents=True, exist_ok=True)
    pg_url = ensure_postgres(args.pg_url)
    redis_ok = redis_answers(args.redis_url)
    base_env = {
        "ADVOCACY_ENV": "development",
        "ADVOCACY_INSTANCE_PATH": str(workdir / "instance"),
        "SECRET_KEY": "bench",
        "REDIS_URL": "",
    }
    rows = []
    visible = {}
    from advocacy import create_app
    from advocacy.extensions import db
    from advocacy.search.extension import current_backend

    fts = Fts5(workdir / "fts5.db")
    rate = fts.build(posts)
    timings, reference, per_query = time_queries(fts, queries, args.repeat)
    rows.append((fts.name, rate, timings))
    print_breakdown(fts.name, queries, per_query, reference, args.per_query)
    loads = [f"FTS5 {os.getloadavg()[0]:.1f}"]
    print(f"  {fts.name}: built")

    engines = {
        "whoosh": {**base_env, "SEARCH_INDEX_DIR": str(workdir / "whoosh"),
                   "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}"},
        "postgres": {**base_env, "SEARCH_BACKEND": "postgres", "DATABASE_URL": pg_url},
    }  # fmt: skip
    chosen = args.engines.split(",")
    engines = {name: env for name, env in engines.items() if name in chosen}
    for name, env in engines.items():
        os.environ.update(env)
        app = create_app()
        with app.app_context():
            db.create_all()
            engine = Ours(name, current_backend())
            reused = args.reuse_index and engine.holds(len(posts))
            rate = None if reused else engine.build(posts)
            timings, totals, per_query = time_queries(engine, queries, args.repeat)
            rows.append((engine.name, rate, timings))
            print_breakdown(engine.name, queries, per_query, totals, args.per_query)
            loads.append(f"{engine.name} {os.getloadavg()[0]:.1f}")
            current_backend().close()
            db.engine.dispose()
        print(f"  {engine.name}: built and queried")
        modes = [(f"{name}, in-process job", {**env, "REDIS_URL": ""})]
        if redis_ok:
            modes.append((f"{name}, RQ worker", {**env, "REDIS_URL": args.redis_url}))
        for mode, mode_env in modes if args.visible_samples else ():
            if name == "postgres" and "in-process" in mode:
                continue  # PostgreSQL deployments run workers
            visible[mode] = commit_to_visible(mode, mode_env, args.visible_samples)
            print(f"  {mode}: commit → visible measured")
    print_and_save(args, rows, visible, queries, reference, time.perf_counter() - started, loads)


def ensure_postgres(url: str) -> str:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return url


def redis_answers(url: str) -> bool:
    from redis import Redis

    try:
        return bool(Redis.from_url(url).ping())
    except Exception:  # noqa: BLE001 - no Redis: the RQ measurement is skipped
        return False


def print_and_save(args, rows, visible, queries, reference, seconds, loads) -> None:
    reference_p95 = percentile(rows[0][2], 95)
    lines = [
        f"Search benchmark: {args.docs:,} posts (~60 words, seed {args.seed}), "
        f"{len(queries)} queries × {args.repeat} runs, measured {datetime.now(UTC):%Y-%m-%d}.",
        "",
        "| engine | build (docs/s) | query p50 (ms) | query p95 (ms) | p95 vs FTS5 |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, rate, timings in rows:
        p50, p95 = percentile(timings, 50), percentile(timings, 95)
        built = f"{rate:,.0f}" if rate is not None else "(reused)"
        lines.append(f"| {name} | {built} | {p50:.1f} | {p95:.1f} | {p95 / reference_p95:.1f}× |")
    lines += ["", "| commit → visible in search | p50 (s) | max (s) | samples |"]
    lines += ["| --- | ---: | ---: | ---: |"]
    for mode, delays in visible.items():
        lines.append(
            f"| {mode} | {statistics.median(delays):.2f} | {max(delays):.2f} | {len(delays)} |"
        )
    lines += ["", "Queries (kind: query → FTS5 total):", ""]
    lines += [f"- {kind}: `{text}` → {reference.get(text, 0):,}" for kind, text in queries]
    lines += ["", f"Run time {seconds / 60:.1f} min on this machine (2 shared cores); load average"]
    lines[-1] += f" (1 min) at the end of each engine's queries: {', '.join(loads)}."
    text = "\n".join(lines)
    print("\n" + text)
    if args.write_results:
        write_results(text)


def write_results(text: str) -> None:
    """Replace this benchmark's own section of bench/RESULTS.md (other benchmarks keep theirs)."""
    write_section("search-bench", f"## Search\n\n{text}")
    print(f"\nWritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    tempfile.tempdir = str(DATA)
    main()
