"""Leaderboard read benchmark: 10k employees in 25 teams and 10M click events over 120 days,
generated in SQL (generate_series on PostgreSQL, a recursive CTE on SQLite) with the points
rollups computed from them, then leaderboard reads through the real app (the JSON API with a
bearer token, Flask test client): server time p50/p95 per request, next to references measured
in the same run (GET /api/v1/me through the same client, and a bare primary-key SELECT).

Three setups: the embedded default (SQLite, SQL standings), PostgreSQL + Redis (sorted sets for
the standard periods, SQL for custom ranges and filters), and PostgreSQL without Redis.

    .venv/bin/python bench/leaderboard_bench.py    # SQLite, then PostgreSQL (+ Redis)
    .venv/bin/python bench/leaderboard_bench.py --no-postgres     # SQLite only
    .venv/bin/python bench/leaderboard_bench.py --clicks 100000 --no-write   # a quick look

The PostgreSQL database named by --postgres is dropped and created again; Redis database
--redis (default db 13) is flushed. Figures go into bench/RESULTS.md unless --no-write.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from redis import Redis  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402

from advocacy import create_app  # noqa: E402
from advocacy.accounts.models import Team, TeamMembership, User  # noqa: E402
from advocacy.accounts.tokens import create_api_token  # noqa: E402
from advocacy.extensions import db  # noqa: E402
from advocacy.jobs import redis_connection  # noqa: E402
from advocacy.leaderboard.periods import total_keys  # noqa: E402
from advocacy.leaderboard.points_models import (  # noqa: E402
    PointMemberPeriod,
    PointTeamDay,
    PointTeamPeriod,
    PointUserDay,
    PointUserNetworkPeriod,
    PointUserPeriod,
)
from advocacy.leaderboard.standings_store import rebuild_sorted_sets  # noqa: E402

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/advocacy_bench_leaderboard"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
RESULTS = ROOT / "bench" / "RESULTS.md"
DATA = ROOT / "bench" / "data"
TEAMS = 25
DAYS = 120
NETWORKS = ("linkedin", "x", "xing", "email")
GOAL_P95_MS = 30.0
MARK = "leaderboard-bench"

CLICKS_PG = """
INSERT INTO bench_click (user_id, local_day, network)
SELECT 1 + floor(:employees * power(random(), 2))::int,
       CURRENT_DATE - floor(random() * :days)::int,
       (ARRAY['linkedin', 'x', 'xing', 'email'])[1 + floor(random() * 4)::int]
FROM generate_series(1, :clicks)
"""
# SQLite: the product of two uniform numbers skews clicks towards low ids, like the square above.
CLICKS_SQLITE = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :clicks)
INSERT INTO bench_click (user_id, local_day, network)
SELECT 1 + (abs(random()) % :employees) * (abs(random()) % :employees) / :employees,
       date('now', '-' || (abs(random()) % :days) || ' days'),
       CASE abs(random()) % 4 WHEN 0 THEN 'linkedin' WHEN 1 THEN 'x' WHEN 2 THEN 'xing'
       ELSE 'email' END
FROM n
"""

# the per-key totals the ledger keeps on write (standings_store), computed here in bulk
PERIOD_TOTALS = (
    (PointUserPeriod, PointUserDay, ("user_id",)),
    (PointUserNetworkPeriod, PointUserDay, ("network", "user_id")),
    (PointMemberPeriod, PointTeamDay, ("team_id", "user_id")),
    (PointTeamPeriod, PointTeamDay, ("team_id",)),
)

READS = [
    ("people · this week (standard period)", "/api/v1/leaderboard?period=week"),
    ("people · this month", "/api/v1/leaderboard?period=month"),
    ("people · this quarter", "/api/v1/leaderboard?period=quarter"),
    ("people · all time", "/api/v1/leaderboard?period=all"),
    ("teams · this month (average per member)", "/api/v1/leaderboard?period=month&scope=teams"),
    ("people · custom 30 days (signed period keys)", None),
    (
        "people · this month, LinkedIn only (filter)",
        "/api/v1/leaderboard?period=month&network=linkedin",
    ),
    ("people · this month, one team (filter)", "/api/v1/leaderboard?period=month&team=3"),
]


def build(employees: int, clicks: int) -> None:
    """Fill an empty schema: people, teams, clicks, and the rollups computed from the clicks."""
    dialect = db.engine.dialect.name
    started = time.perf_counter()
    now = datetime.now(UTC)
    db.session.execute(
        insert(Team),
        [{"name": f"Team {i}", "description": "", "created_at": now} for i in range(1, TEAMS + 1)],
    )
    db.session.execute(
        insert(User),
        [
            {
                "email": f"person{i}@bench.example",
                "display_name": f"Person {i:05d}",
                "password_hash": None,
                "role": "admin" if i == 1 else "member",
                "location": "Berlin" if i % 3 else "London",
                "created_at": now,
            }
            for i in range(1, employees + 1)
        ],
    )
    db.session.execute(
        insert(TeamMembership),
        [
            {"team_id": 1 + i % TEAMS, "user_id": i, "is_leader": False, "joined_at": now}
            for i in range(1, employees + 1)
        ],
    )
    db.session.execute(text("DROP TABLE IF EXISTS bench_click"))
    db.session.execute(
        text("CREATE TABLE bench_click (user_id integer, local_day date, network varchar(16))")
    )
    db.session.commit()
    params = {"employees": employees, "clicks": clicks, "days": DAYS}
    db.session.execute(text(CLICKS_PG if dialect == "postgresql" else CLICKS_SQLITE), params)
    db.session.commit()
    generated = time.perf_counter() - started
    db.session.execute(
        text(
            "INSERT INTO point_user_day (local_day, user_id, network, points) "
            "SELECT local_day, user_id, network, count(*) FROM bench_click "
            "GROUP BY local_day, user_id, network"
        )
    )
    db.session.execute(
        text(
            "INSERT INTO point_team_day (local_day, team_id, user_id, network, points) "
            "SELECT d.local_day, m.team_id, d.user_id, d.network, d.points "
            "FROM point_user_day d JOIN team_membership m ON m.user_id = d.user_id"
        )
    )
    # every (day, key) pair, then one INSERT ... SELECT per total table
    days = db.session.scalars(text("SELECT DISTINCT local_day FROM point_user_day")).all()
    db.session.execute(text("DROP TABLE IF EXISTS bench_day_key"))
    db.session.execute(text("CREATE TABLE bench_day_key (local_day date, period_key varchar(16))"))
    pairs = []
    for day in days:
        day = day if not isinstance(day, str) else datetime.fromisoformat(day).date()
        pairs += [{"day": day, "key": key} for key in total_keys(day)]
    db.session.execute(text("INSERT INTO bench_day_key VALUES (:day, :key)"), pairs)
    day_keys = sa.table(
        "bench_day_key", sa.column("local_day", sa.Date), sa.column("period_key", sa.String)
    )
    for target, rollup, members in PERIOD_TOTALS:
        columns = [getattr(rollup, member) for member in members]
        totals = (
            select(day_keys.c.period_key, *columns, func.sum(rollup.points))
            .join_from(rollup, day_keys, day_keys.c.local_day == rollup.local_day)
            .group_by(day_keys.c.period_key, *columns)
        )
        db.session.execute(insert(target).from_select(["period_key", *members, "points"], totals))
    db.session.commit()
    if dialect == "postgresql":  # as autovacuum would: statistics and the visibility map
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    rows = db.session.scalar(text("SELECT count(*) FROM point_user_day"))
    print(
        f"  built: {clicks:,} clicks in {generated:.0f} s, {rows:,} daily rollup rows, "
        f"{time.perf_counter() - started:.0f} s in all",
        flush=True,
    )


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(app, runs: int, args_employees: int) -> list[tuple[str, float, float]]:
    """p50/p95 in ms for each read and the references."""
    with app.app_context():
        reader = db.session.get(User, max(1, args_employees // 2))  # mid-pack reader
        token = create_api_token(reader, "bench")[1]
        if redis_connection() is not None:
            rebuild_sorted_sets(redis_connection())
        today = datetime.now(UTC).date()
        first = (today - timedelta(days=30)).isoformat()
        custom = f"/api/v1/leaderboard?period=custom&from={first}&to={today.isoformat()}"
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    results = []
    cases = [(label, url or custom) for label, url in READS] + [
        ("reference: GET /api/v1/me", "/api/v1/me")
    ]
    for label, url in cases:
        for _ in range(5):
            assert client.get(url).status_code == 200, url
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        results.append((label, statistics.median(samples), percentile(samples, 0.95)))
    with app.app_context():
        samples = []
        for i in range(runs):
            started = time.perf_counter()
            db.session.execute(select(User).where(User.id == 1 + i % 1000)).scalar_one()
            samples.append((time.perf_counter() - started) * 1000)
            db.session.rollback()
        results.append(
            (
                "reference: bare primary-key SELECT",
                statistics.median(samples),
                percentile(samples, 0.95),
            )
        )
    return results


def fresh_postgres(url: str) -> str:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def make_app(database_url: str, redis_url: str = ""):
    os.environ["ADVOCACY_INSTANCE_PATH"] = str(DATA / "instance-leaderboard")
    config = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "bench",
        "ADVOCACY_ENV": "production",
        "SEARCH_INDEX_DIR": str(DATA / "lb-index"),
    }
    return create_app(config)


def run_setup(label: str, database_url: str, redis_url: str, args, create: bool) -> list:
    print(f"{label}: building…", flush=True)
    app = make_app(database_url, redis_url)
    if create:
        with app.app_context():
            db.drop_all()
            db.create_all()
            build(args.employees, args.clicks)
    return measure(app, args.runs, args.employees)


def table(sections: dict[str, list], args, load: str) -> str:
    lines = [
        f"{args.employees:,} employees, {TEAMS} teams, {args.clicks:,} click events over {DAYS} "
        f"days; {args.runs} requests per row after 5 warm-ups; server time through the app "
        f"(Flask test client, bearer token). Load average at the start: {load}.",
        "",
        "| setup | read | p50 ms | p95 ms |",
        "| --- | --- | ---: | ---: |",
    ]
    for setup, rows in sections.items():
        for label, p50, p95 in rows:
            lines.append(f"| {setup} | {label} | {p50:.1f} | {p95:.1f} |")
    lines += ["", f"Goal: p95 ≤ {GOAL_P95_MS:.0f} ms for the leaderboard reads on both setups."]
    return "\n".join(lines)


def write_results(body: str) -> None:
    start, end = f"<!-- {MARK}:start -->", f"<!-- {MARK}:end -->"
    section = f"{start}\n{body}\n{end}"
    text_ = RESULTS.read_text()
    if start in text_:
        before, rest = text_.split(start, 1)
        text_ = before + section + rest.split(end, 1)[1]
    else:
        text_ = (
            text_.rstrip()
            + "\n\n## Leaderboard reads (`leaderboard_bench.py`)\n\n"
            + section
            + "\n"
        )
    RESULTS.write_text(text_)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--clicks", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    DATA.mkdir(exist_ok=True)
    sqlite_file = DATA / "leaderboard.db"
    sqlite_file.unlink(missing_ok=True)
    sections = {
        "embedded (SQLite, SQL standings)": run_setup(
            "SQLite", f"sqlite:///{sqlite_file}", "", args, create=True
        )
    }
    if not args.no_postgres:
        Redis.from_url(args.redis).flushdb()
        url = fresh_postgres(args.postgres)
        sections["PostgreSQL + Redis (sorted sets)"] = run_setup(
            "PostgreSQL + Redis", url, args.redis, args, create=True
        )
        sections["PostgreSQL without Redis (SQL standings)"] = run_setup(
            "PostgreSQL", url, "", args, create=False
        )
    body = table(sections, args, load)
    print(body)
    if not args.no_write:
        write_results(body)


if __name__ == "__main__":
    main()
