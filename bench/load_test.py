"""Mixed-workload load test: gunicorn sync workers + PostgreSQL + Redis + `flask worker`
processes on loopback, driven at stepped request rates by an open-loop asyncio/httpx generator.

    .venv/bin/python bench/load_test.py                          # rates 50,100,200,300 for 20 s
    .venv/bin/python bench/load_test.py --rates 100,200 --step 10 --no-write

Mix: 80 % `GET /r/<code>` (visitors with their own X-Forwarded-For address), 15 % signed-in
pages (feed, a thread, the leaderboard), 5 % writes and searches (API replies to a thread, API
searches). Requests are sent on schedule whether or not earlier ones answered (open loop), so a
saturated server shows as latency and errors, not as a politely slower client.
Reported per step: requests/s achieved, p50/p95/p99 per kind, errors (non-2xx/3xx or timeouts),
and worker lag sampled every second: click buffer length in Redis and the default/mail/search
queue backlogs. A step is "sustained" with 0 errors, >= 95 % of the asked rate, p95 <= 1 s and
a backlog at the end of the step no larger than one ingest interval's worth of clicks + 50 jobs,
and not growing (the job backlog of the step's last quarter at most 5 above its second quarter's).
The PostgreSQL database named by --postgres is dropped and created again; --redis is flushed.
Ports: --port (default 5160).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from flask_login.utils import _create_identifier  # noqa: E402
from redis import Redis  # noqa: E402
from rq import Queue  # noqa: E402

from advocacy import create_app  # noqa: E402
from advocacy.accounts.tokens import create_api_token  # noqa: E402
from advocacy.extensions import db  # noqa: E402
from advocacy.feeds.sharing import get_or_create_link  # noqa: E402
from advocacy.leaderboard.reach.events import PENDING_KEY, PROCESSING_KEY  # noqa: E402
from advocacy.leaderboard.wiring import INGEST_INTERVAL  # noqa: E402
from bench.redirect_bench import BROWSER, fresh_postgres, stop  # noqa: E402
from bench.results_file import write_section  # noqa: E402
from tests.discussions.factories import make_space, make_thread  # noqa: E402
from tests.factories import UserFactory  # noqa: E402
from tests.feeds.factories import ContentFactory  # noqa: E402

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/advocacy_bench_load"
DEFAULT_REDIS = "redis://127.0.0.1:6379/11"
README = ROOT / "README.md"
PEOPLE, CONTENTS, THREADS = 40, 60, 20
WORDS = [
    "launch",
    "hiring",
    "quarterly",
    "roadmap",
    "customer",
    "award",
    "webinar",
    "pricing",
    "security",
    "partner",
]
KINDS = ("redirect", "page", "write")
GOAL_P95_MS = 1000  # above this a step is saturated, whatever its error count


def build(env: dict) -> dict:
    """Schema and a small organisation: people (with sessions and API tokens), content with
    tracked links, a space with threads. Returns what the clients need."""
    app = create_app({**env, "ADVOCACY_ENV": "development"})
    with app.app_context():
        db.create_all()
        people = [UserFactory(email=f"p{n}@bench.example") for n in range(PEOPLE)]
        contents = [ContentFactory(title=f"{random.choice(WORDS)} {n}") for n in range(CONTENTS)]
        space = make_space(people[0], name="Bench space")
        threads = [
            make_thread(space, people[n % PEOPLE], title=f"About {WORDS[n % len(WORDS)]} {n}")
            for n in range(THREADS)
        ]
        codes = [
            get_or_create_link(people[n % PEOPLE], content, network).code
            for n, content in enumerate(contents)
            for network in ("linkedin", "x")
        ]
        tokens = [create_api_token(person, "load")[1] for person in people]
        db.session.commit()
        cookies = []
        # Sign-in sessions are bound to the address and browser ("strong" protection).
        with app.test_request_context(
            environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": BROWSER}
        ):
            identifier = _create_identifier()
        for person in people:
            client = app.test_client()
            with client.session_transaction() as session:
                session.update(_user_id=str(person.id), _fresh=True, _id=identifier)
            cookies.append(client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value)
        return {
            "codes": codes,
            "tokens": tokens,
            "cookies": cookies,
            "threads": [thread.id for thread in threads],
            "cookie_name": app.config["SESSION_COOKIE_NAME"],
        }


def start(command: list[str], env: dict, log_name: str) -> subprocess.Popen:
    log = ROOT / "bench" / "data" / log_name
    log.parent.mkdir(exist_ok=True)
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env, "FLASK_APP": "wsgi"},
        start_new_session=True,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=10).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer on {port}: see bench/data/load-gunicorn.log")


class Mix:
    """Picks the next request: (kind, method, path, headers, json)."""

    def __init__(self, data: dict) -> None:
        self.data = data

    def next(self) -> tuple[str, str, str, dict, dict | None]:
        roll = random.random()
        person = random.randrange(PEOPLE)
        if roll < 0.80:
            visitor = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(256)}"
            headers = {"User-Agent": BROWSER, "X-Forwarded-For": visitor}
            return "redirect", "GET", f"/r/{random.choice(self.data['codes'])}", headers, None
        if roll < 0.95:
            cookie = {
                "Cookie": f"{self.data['cookie_name']}={self.data['cookies'][person]}",
                "User-Agent": BROWSER,
            }
            path = random.choice(
                [
                    "/",
                    f"/discussions/threads/{random.choice(self.data['threads'])}",
                    "/leaderboard/",
                ]
            )
            return "page", "GET", path, cookie, None
        bearer = {"Authorization": f"Bearer {self.data['tokens'][person]}"}
        if roll < 0.975:
            thread = random.choice(self.data["threads"])
            body = {"body": f"Load test reply about {random.choice(WORDS)}"}
            return "write", "POST", f"/api/v1/threads/{thread}/posts", bearer, body
        return "write", "GET", f"/api/v1/search?q={random.choice(WORDS)}", bearer, None


async def run_step(base: str, mix: Mix, rate: float, seconds: float, redis: Redis) -> dict:
    """Send `rate` requests/s for `seconds` on schedule; sample the backlogs every second."""
    samples: list[tuple[str, float, int]] = []  # (kind, latency s, status or 0 for a failure)
    backlog: list[tuple[int, int, int, int]] = []
    queues = {name: Queue(name, connection=redis) for name in ("default", "mail", "search")}
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=base, timeout=10, limits=limits) as client:

        async def one(kind, method, path, headers, body):
            started = time.perf_counter()
            try:
                response = await client.request(method, path, headers=headers, json=body)
                status = response.status_code
            except httpx.HTTPError:
                status = 0
            samples.append((kind, time.perf_counter() - started, status))

        async def sample_backlog():
            while True:
                clicks = redis.llen(PENDING_KEY) + redis.llen(PROCESSING_KEY)
                backlog.append((clicks, *(q.count for q in queues.values())))
                await asyncio.sleep(1)

        sampler = asyncio.create_task(sample_backlog())
        tasks, started, total = [], time.perf_counter(), int(rate * seconds)
        for n in range(total):
            delay = started + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(*mix.next())))
        sent_for = time.perf_counter() - started
        await asyncio.gather(*tasks)
        sampler.cancel()
    return {"rate": rate, "sent_for": sent_for, "samples": samples, "backlog": backlog}


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def summarise(step: dict) -> dict:
    samples, rate = step["samples"], step["rate"]
    errors = sum(1 for _, _, status in samples if status == 0 or status >= 400)
    achieved = len(samples) / step["sent_for"]
    per_kind = {}
    for kind in KINDS:
        latencies = [latency for k, latency, _ in samples if k == kind]
        per_kind[kind] = (percentile(latencies, 0.5), percentile(latencies, 0.95))
    latencies = [latency for _, latency, _ in samples]
    clicks = [b[0] for b in step["backlog"]] or [0]
    jobs = [sum(b[1:]) for b in step["backlog"]] or [0]
    tail = max(1, len(clicks) // 4)
    end_clicks, end_jobs = max(clicks[-tail:]), max(jobs[-tail:])
    # growing: the last quarter's jobs above the second quarter's (the first quarter carries
    # what the previous step left); a steady backlog of a few coalescing jobs is not lag
    growth = statistics.fmean(jobs[-tail:]) - statistics.fmean(jobs[tail : 2 * tail] or [0])
    drained = end_clicks <= rate * 0.8 * (INGEST_INTERVAL + 2) and end_jobs <= 50 and growth <= 5
    return {
        "rate": rate,
        "achieved": achieved,
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "per_kind": per_kind,
        "errors": errors,
        "requests": len(samples),
        "max_clicks": max(clicks),
        "end_clicks": end_clicks,
        "max_jobs": max(jobs),
        "end_jobs": end_jobs,
        "end_queues": step["backlog"][-1][1:] if step["backlog"] else (0, 0, 0),
        "sustained": errors == 0
        and achieved >= 0.95 * rate
        and drained
        and percentile(latencies, 0.95) <= GOAL_P95_MS,
    }


def table(rows: list[dict]) -> str:
    lines = [
        "| asked req/s | achieved | p50 ms | p95 ms | p99 ms | redirect p50/p95 "
        "| page p50/p95 | write+search p50/p95 | errors | click buffer max/end "
        "| job backlog max/end (default/mail/search at end) | sustained |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |",
    ]
    for r in rows:
        kinds = " | ".join(f"{a:.0f}/{b:.0f}" for a, b in (r["per_kind"][k] for k in KINDS))
        lines.append(
            f"| {r['rate']:.0f} | {r['achieved']:.0f} | {r['p50']:.0f} | {r['p95']:.0f} "
            f"| {r['p99']:.0f} | {kinds} | {r['errors']}/{r['requests']} "
            f"| {r['max_clicks']}/{r['end_clicks']} | {r['max_jobs']}/{r['end_jobs']} "
            f"({'/'.join(str(n) for n in r['end_queues'])}) "
            f"| {'yes' if r['sustained'] else 'no'} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    parser.add_argument("--rates", default="50,100,200,300", help="requests/s, one step each")
    parser.add_argument("--step", type=float, default=20, help="seconds per step")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=5160)
    parser.add_argument(
        "--mail-workers", type=int, default=0, help="extra `flask worker --queues mail` processes"
    )
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    random.seed(8)
    logging.getLogger("httpx").setLevel(logging.WARNING)

    instance = Path(tempfile.mkdtemp(prefix="load-test-"))
    fresh_postgres(args.postgres)
    redis = Redis.from_url(args.redis)
    redis.flushdb()
    env = {
        "ADVOCACY_INSTANCE_PATH": str(instance),
        "SECRET_KEY": "load-test",
        "DATABASE_URL": args.postgres,
        "REDIS_URL": args.redis,
        "SEARCH_INDEX_DIR": str(instance / "index"),
        "TRACKING_FORWARDED_HOPS": "1",  # each simulated visitor brings its own address
    }
    data = build(env)
    gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
    flask = str(ROOT / ".venv" / "bin" / "flask")
    processes = [
        start(
            [gunicorn, "--workers", str(args.workers), "--bind", f"127.0.0.1:{args.port}"]
            + ["--log-level", "warning", "wsgi:app"],
            env,
            "load-gunicorn.log",
        ),
        start([flask, "worker", "--queues", "default,mail"], env, "load-worker.log"),
        start([flask, "worker", "--queues", "search", "--no-scheduler"], env, "load-search.log"),
    ] + [
        start([flask, "worker", "--queues", "mail", "--no-scheduler"], env, f"load-mail-{n}.log")
        for n in range(args.mail_workers)
    ]
    try:
        subprocess.run(
            [flask, "search", "reindex"], cwd=ROOT, env={**os.environ, **env}, check=True
        )
        wait_until_up(args.port)
        base = f"http://127.0.0.1:{args.port}"
        mix = Mix(data)
        cookie = {"Cookie": f"{data['cookie_name']}={data['cookies'][0]}", "User-Agent": BROWSER}
        check = httpx.get(f"{base}/", headers=cookie)
        assert check.status_code == 200, f"signed-in feed answered {check.status_code}"
        asyncio.run(run_step(base, mix, 20, 3, redis))  # warm the caches
        load_before = os.getloadavg()
        rows = []
        for rate in (float(r) for r in args.rates.split(",")):
            row = summarise(asyncio.run(run_step(base, mix, rate, args.step, redis)))
            rows.append(row)
            print(table([row]).splitlines()[-1], flush=True)
        load_after = os.getloadavg()
    finally:
        for process in processes:
            stop(process)
    sustained = [r["rate"] for r in rows if r["sustained"]]
    best = max(sustained) if sustained else 0
    load = f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after, 2 cores"
    report = (
        f"{table(rows)}\n\n{args.workers} gunicorn sync workers, one `flask worker` "
        f"(default, mail, schedules), {args.mail_workers or 'no'} more for mail and one "
        "search worker, PostgreSQL and Redis on the same "
        f"machine; {args.step:.0f} s per step; {load}. Highest sustained rate (p95 <= 1 s): "
        f"**{best:.0f} requests/s** (0 errors, backlog drained)."
    )
    print("\n" + report)
    if not args.no_write:
        write_section("load-test", f"## Mixed load (`load_test.py`)\n\n{report}")
        write_section(
            "sizing-rate",
            f"measured: **{best:.0f} requests/s** of the mixed load (80 % redirects, 15 % pages, "
            f"5 % writes and searches) with 0 errors and no growing backlog, with the mail queue "
            f"given {1 + args.mail_workers} worker(s) ({load}).",
            path=README,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
