"""Redirect benchmark: `GET /r/<code>` of the real app (gunicorn sync workers, click recording on
with Redis) against a bare Flask app answering the same 302, both under wrk on loopback at 64
connections, in alternating rounds of one run; then every recorded click is ingested and counted.

    .venv/bin/python bench/redirect_bench.py
    .venv/bin/python bench/redirect_bench.py --embedded        # SQLite + in-process buffer
    .venv/bin/python bench/redirect_bench.py --duration 10 --rounds 2 --no-write

Needs wrk (`apt-get install wrk`), PostgreSQL and Redis (unless --embedded). The PostgreSQL
database named by --postgres is dropped and created again; --redis names a database to flush.
Goal: >= 60 % of the bare app's requests/s, p99 <= 25 ms. Ports 5110-5111.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from redis import Redis  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from advocacy import create_app  # noqa: E402
from advocacy.extensions import db  # noqa: E402
from advocacy.feeds.models import Content, TrackedLink  # noqa: E402
from advocacy.leaderboard.reach.ingest import drain  # noqa: E402
from advocacy.leaderboard.reach.models import ClickEvent  # noqa: E402
from bench.results_file import write_section  # noqa: E402
from tests.factories import UserFactory  # noqa: E402

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/advocacy_bench_tracking"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
RESULTS = ROOT / "bench" / "RESULTS.md"
APP_PORT, BARE_PORT = 5110, 5111
CODES = 240  # a hot set: each worker's link cache holds them all after the warm-up
BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
GOAL_SHARE, GOAL_P99_MS = 0.60, 25.0


def fresh_postgres(url: str) -> None:
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        name = parts.path.lstrip("/")
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def build(env: dict) -> list[str]:
    """Schema, one sharer, ~CODES tracked links (six networks per content item); their codes."""
    app = create_app({**env, "ADVOCACY_ENV": "development"})
    networks = ("linkedin", "x", "facebook", "xing", "email", "link")
    with app.app_context():
        db.create_all()
        user = UserFactory(email="sharer@bench.example")
        contents = [
            Content(
                title=f"Story {n}",
                destination_url=f"https://acme.example/news/{n}?from=bench",
                state="approved",
                campaign="bench",
            )
            for n in range(CODES // len(networks))
        ]
        db.session.add_all(contents)
        db.session.flush()
        links = [
            TrackedLink(code=f"bench{c.id:05d}{i}", user_id=user.id, content_id=c.id, network=n)
            for c in contents
            for i, n in enumerate(networks)
        ]
        db.session.add_all(links)
        db.session.commit()
        return [link.code for link in links]


def serve(module: str, port: int, env: dict, workers: int) -> subprocess.Popen:
    """Start gunicorn (its output in bench/data/) and wait until it answers."""
    log = ROOT / "bench" / "data" / f"gunicorn-{port}.log"
    log.parent.mkdir(exist_ok=True)
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            module,
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        start_new_session=True,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            answered = subprocess.run(
                ["curl", "-s", "-o", "/dev/null", f"http://127.0.0.1:{port}/r/x"], timeout=30
            )
        except subprocess.TimeoutExpired:  # workers still importing: the socket is open
            continue
        if answered.returncode == 0:
            return process
        time.sleep(0.5)
    stop(process)
    raise RuntimeError(f"{module} did not start on {port}: see {log}")


def wrk(port: int, codes: list[str], duration: int, connections: int) -> dict:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        "local codes = {" + ",".join(f'"{c}"' for c in codes) + "}\n"
        f'wrk.headers["User-Agent"] = "{BROWSER}"\n'
        "local i = 0\n"
        "request = function()\n  i = i + 1\n"
        '  return wrk.format("GET", "/r/" .. codes[(i % #codes) + 1])\n'
        "end\n"
    )
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    script.unlink()

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50": ms("50%"),
        "p99": ms("99%"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedded", action="store_true", help="SQLite + in-process buffer")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="redirect-bench-"))
    env = {"ADVOCACY_INSTANCE_PATH": str(instance), "SECRET_KEY": "bench", "REDIS_URL": ""}
    # wrk sends everything from one address: the per-address limit would answer 429s instead.
    env["RATELIMIT_REDIRECT"] = "100000000 per minute"
    if args.embedded:
        env["DATABASE_URL"] = f"sqlite:///{instance / 'bench.db'}"
    else:
        fresh_postgres(args.postgres)
        Redis.from_url(args.redis).flushdb()
        env.update(DATABASE_URL=args.postgres, REDIS_URL=args.redis)
    codes = build(env)
    servers = {
        "advocacy": lambda: serve("wsgi:app", APP_PORT, env, args.workers),
        "bare Flask": lambda: serve("bench.bare_redirect_app:app", BARE_PORT, {}, args.workers),
    }
    ports = {"advocacy": APP_PORT, "bare Flask": BARE_PORT}
    results: dict[str, list[dict]] = {name: [] for name in servers}
    served = 0  # redirects of the app that wrk saw answered, warm-ups included
    for _round in range(args.rounds):
        for name, start in servers.items():
            process = start()
            try:
                warm_up = wrk(ports[name], codes, 5, args.connections)  # fills the link caches
                results[name].append(wrk(ports[name], codes, args.duration, args.connections))
                if name == "advocacy":
                    served += warm_up["requests"] + results[name][-1]["requests"]
            finally:
                stop(process)  # the embedded buffer is written at exit
    app = create_app({**env, "ADVOCACY_ENV": "development"})
    with app.app_context():
        buffer = app.extensions["click_buffer"]
        for source in buffer.sources():
            drain(source, time_budget=600)
        stored = db.session.scalar(select(func.count()).select_from(ClickEvent))
    rows = summarise(results, args, stored, served)
    print(rows)
    if not args.no_write:
        write(rows, args)
    return 0


def best(runs: list[dict]) -> dict:
    return max(runs, key=lambda r: r["rps"])


def summarise(results, args, stored, served) -> str:
    app, bare = best(results["advocacy"]), best(results["bare Flask"])
    share = app["rps"] / bare["rps"]
    mode = "SQLite + in-process buffer" if args.embedded else "PostgreSQL + Redis"
    lines = [
        f"{mode}, gunicorn {args.workers} sync workers each, wrk 2 threads, "
        f"{args.connections} connections, {args.duration} s x {args.rounds} rounds (best round); "
        f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        "",
        "| server | requests/s | p50 ms | p99 ms | non-3xx |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name in ("bare Flask", "advocacy"):
        r = best(results[name])
        lines.append(
            f"| {name} | {r['rps']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['errors']} |"
        )
    lines += [
        "",
        f"advocacy / bare = {share:.0%} (goal >= {GOAL_SHARE:.0%}); p99 {app['p99']:.1f} ms "
        f"(goal <= {GOAL_P99_MS:.0f} ms). Hits stored after the ingest: {stored:,}; redirects "
        f"wrk saw answered: {served:,} (requests still in flight when wrk stops are answered "
        "and stored but not counted by wrk, so stored >= answered means none lost).",
    ]
    return "\n".join(lines)


def write(rows: str, args) -> None:
    marker = "redirect-bench-embedded" if args.embedded else "redirect-bench"
    title = "Redirect" + (" (embedded)" if args.embedded else "")
    write_section(marker, rows, f"{title}: `bench/redirect_bench.py`")


if __name__ == "__main__":
    sys.exit(main())
