"""Leaderboard read benchmark: 10k employees in 25 teams and 10M click events over 120 days,
as their daily points rollups drawn in SQL (generate_series on PostgreSQL, recursive CTEs on
SQLite) and the per-key totals derived from them in set-based SQL, then leaderboard reads
through the real app (the JSON API with a bearer token, Flask test client): server time p50/p95
per request, next to references measured in the same run (GET /api/v1/me through the same
client, and a bare primary-key SELECT).

Three setups: the embedded default (SQLite, SQL standings), PostgreSQL + Redis (sorted sets for
the standard periods, SQL for custom ranges and filters), and PostgreSQL without Redis. The
snapshots custom ranges read are written by the app's own job (snapshots.take_snapshots).

    .venv/bin/python bench/leaderboard_bench.py    # SQLite, then PostgreSQL (+ Redis)
    .venv/bin/python bench/leaderboard_bench.py --no-postgres     # SQLite only
    .venv/bin/python bench/leaderboard_bench.py --clicks 100000 --no-write   # a quick look

The PostgreSQL database named by --postgres is dropped and created again (kept with --reuse
when it holds data of the same sizes: a re-run then only measures); Redis database --redis
(default db 13) is flushed. Figures go into bench/RESULTS.md unless --no-write.
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
from advocacy.leaderboard.points.models import (  # noqa: E402
    PointMemberPeriod,
    PointTeamDay,
    PointTeamNetworkPeriod,
    PointTeamPeriod,
    PointUserDay,
    PointUserNetworkPeriod,
    PointUserPeriod,
)
from advocacy.leaderboard.points.periods import period_keys  # noqa: E402
from advocacy.leaderboard.points.snapshots import take_snapshots  # noqa: E402
from advocacy.leaderboard.points.totals import rebuild_sorted_sets  # noqa: E402
from bench.results_file import write_section  # noqa: E402

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/advocacy_bench_leaderboard"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
DATA = ROOT / "bench" / "data"
TEAMS = 25
DAYS = 120
NETWORKS = ("linkedin", "x", "xing", "email")
GOAL_P95_MS = 30.0
MARK = "leaderboard-bench"

# The daily rollups of the clicks, drawn per (employee, day, network) cell: employee i gets a
# share sqrt(i/N) - sqrt((i-1)/N) of the clicks (the distribution of 1 + floor(N * u^2), which
# favours low ids the way a few keen sharers lead a real board), spread evenly over the days and
# networks, and a cell's count is floor(mean * 2u + v) (u, v uniform), whose mean is that share.
# Drawing the cells instead of 10M click rows then grouping them gives the same rollups' shape
# in a fraction of the time; the clicks themselves are never read by a leaderboard.
CELLS_PG = """
INSERT INTO point_user_day (local_day, user_id, network, points)
SELECT local_day, user_id, network, points FROM (
    SELECT CURRENT_DATE - d AS local_day, u AS user_id, n AS network,
           floor(:clicks * (sqrt(u::float / :employees) - sqrt((u - 1)::float / :employees))
                 / (:days * 4) * 2 * random() + random())::int AS points
    FROM generate_series(1, :employees) AS u, generate_series(0, :days - 1) AS d,
         unnest(ARRAY['linkedin', 'x', 'xing', 'email']) AS n
) AS cells WHERE points > 0
"""
CELLS_SQLITE = """
WITH RECURSIVE
    people(u) AS (SELECT 1 UNION ALL SELECT u + 1 FROM people WHERE u < :employees),
    days(d) AS (SELECT 0 UNION ALL SELECT d + 1 FROM days WHERE d < :days - 1),
    networks(n) AS (VALUES ('linkedin'), ('x'), ('xing'), ('email')),
    cells AS MATERIALIZED (  -- else the filter below draws its own random()
        SELECT date('now', '-' || d || ' days') AS local_day, u AS user_id, n AS network,
               CAST(:clicks * (sqrt(1.0 * u / :employees) - sqrt((u - 1.0) / :employees))
                    / (:days * 4) * 2 * (random() / 18446744073709551616.0 + 0.5)
                    + (random() / 18446744073709551616.0 + 0.5) AS INTEGER) AS points
        FROM people, days, networks
    )
INSERT INTO point_user_day (local_day, user_id, network, points)
SELECT local_day, user_id, network, points FROM cells WHERE points > 0
"""

# the per-key totals the ledger keeps on write (points/totals.py), computed here in bulk:
# first per day (the day key) from the daily rollups, then each standard period from the days
PERIOD_TOTALS = (
    (PointUserPeriod, PointUserDay, ("user_id",)),
    (PointUserNetworkPeriod, PointUserDay, ("network", "user_id")),
    (PointMemberPeriod, PointTeamDay, ("team_id", "user_id")),
    (PointTeamPeriod, PointTeamDay, ("team_id",)),
    (PointTeamNetworkPeriod, PointTeamDay, ("network", "team_id")),
)

READS = [
    ("people · this week (standard period)", "/api/v1/leaderboard?period=week"),
    ("people · this month", "/api/v1/leaderboard?period=month"),
    ("people · this quarter", "/api/v1/leaderboard?period=quarter"),
    ("people · all time", "/api/v1/leaderboard?period=all"),
    ("teams · this month (average per member)", "/api/v1/leaderboard?period=month&scope=teams"),
    ("people · custom: the last 30 days", "{last30}"),
    ("people · custom: 60 to 31 days ago", "{past30}"),
    ("people · custom: the last 30 days, LinkedIn only", "{last30}&network=linkedin"),
    (
        "people · this month, LinkedIn only (filter)",
        "/api/v1/leaderboard?period=month&network=linkedin",
    ),
    ("people · this month, one team (filter)", "/api/v1/leaderboard?period=month&team=3"),
    (
        "teams · this month, LinkedIn only (filter)",
        "/api/v1/leaderboard?period=month&scope=teams&network=linkedin",
    ),
]


def build(employees: int, clicks: int) -> None:
    """Fill an empty schema: people, teams, and the daily rollups of the clicks (drawn per cell);
    then derive_totals."""
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
    params = {"employees": employees, "clicks": clicks, "days": DAYS}
    db.session.execute(text(CELLS_PG if dialect == "postgresql" else CELLS_SQLITE), params)
    db.session.execute(
        text(
            "INSERT INTO point_team_day (local_day, team_id, user_id, network, points) "
            "SELECT d.local_day, m.team_id, d.user_id, d.network, d.points "
            "FROM point_user_day d JOIN team_membership m ON m.user_id = d.user_id"
        )
    )
    db.session.execute(text("CREATE TABLE bench_meta (employees integer, clicks integer)"))
    db.session.execute(text("INSERT INTO bench_meta VALUES (:employees, :clicks)"), params)
    db.session.commit()
    total, rows = db.session.execute(text("SELECT sum(points), count(*) FROM point_user_day")).one()
    print(
        f"  daily rollups: {rows:,} rows holding {total:,} clicks, "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )


def derive_totals() -> None:
    """Fill each per-key total table that is empty from the daily rollups (set-based SQL): the
    day keys first, then every standard period from its days. A reused database gets only the
    tables it lacks."""
    started = time.perf_counter()
    postgres = db.engine.dialect.name == "postgresql"
    day_key = "to_char(local_day, 'YYYY-MM-DD')" if postgres else "local_day"
    derived = []
    for target, rollup, members in PERIOD_TOTALS:
        if db.session.scalar(select(func.count()).select_from(target)):
            continue
        table, columns = target.__tablename__, ", ".join(members)
        aliased_columns = ", ".join(f"t.{member}" for member in members)
        # names from our own models, no input: S608 does not apply
        by_day = (
            f"INSERT INTO {table} (period_key, {columns}, points) "  # noqa: S608
            f"SELECT {day_key}, {columns}, sum(points) FROM {rollup.__tablename__} "
            f"GROUP BY local_day, {columns}"
        )
        by_period = (
            f"INSERT INTO {table} (period_key, {columns}, points) "  # noqa: S608
            f"SELECT m.period_key, {aliased_columns}, sum(t.points) FROM {table} t "
            f"JOIN bench_key_map m ON m.day_key = t.period_key "
            f"GROUP BY m.period_key, {aliased_columns}"
        )
        db.session.execute(text(by_day))
        db.session.execute(text(by_period))
        derived.append(target.__tablename__)
    db.session.commit()
    print(
        f"  derived {', '.join(derived) or 'nothing'}: {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def key_map() -> None:
    """bench_key_map: each day key of the data and the standard period keys it counts towards."""
    db.session.execute(text("DROP TABLE IF EXISTS bench_key_map"))
    db.session.execute(
        text("CREATE TABLE bench_key_map (day_key varchar(16), period_key varchar(16))")
    )
    days = db.session.scalars(text("SELECT DISTINCT local_day FROM point_user_day")).all()
    pairs = []
    for day in days:
        day = day if not isinstance(day, str) else datetime.fromisoformat(day).date()
        pairs += [{"day": day.isoformat(), "key": key} for key in period_keys(day)]
    db.session.execute(text("INSERT INTO bench_key_map VALUES (:day, :key)"), pairs)
    db.session.commit()


def built_sizes() -> tuple[int, int] | None:
    """The (employees, clicks) a database was built for, or None if it holds no bench data."""
    try:
        return tuple(db.session.execute(text("SELECT employees, clicks FROM bench_meta")).one())
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return None


def custom_range(first, last) -> str:
    return f"/api/v1/leaderboard?period=custom&from={first.isoformat()}&to={last.isoformat()}"


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
        ranges = {
            "last30": custom_range(today - timedelta(days=30), today),
            "past30": custom_range(today - timedelta(days=60), today - timedelta(days=31)),
        }
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    results = []
    cases = [(label, url.format(**ranges)) for label, url in READS] + [
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


def postgres_database(url: str, keep: bool) -> str:
    """Create the database named in `url`, dropping it first unless `keep`."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and not keep:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or not keep:
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


def complete() -> None:
    """What the app derives from the daily rollups: the per-key totals, the snapshots (by the
    app's own job), then statistics, so reads are measured on what a live database holds."""
    key_map()
    derive_totals()
    started = time.perf_counter()
    written = take_snapshots()
    print(f"  {written} snapshots written: {time.perf_counter() - started:.0f} s")
    if db.engine.dialect.name == "postgresql":  # as autovacuum would: statistics and
        # the visibility map (index-only scans)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def run_setup(label: str, database_url: str, redis_url: str, args, create: bool) -> list:
    app = make_app(database_url, redis_url)
    if create:
        with app.app_context():
            wanted = (args.employees, args.clicks)
            if not args.reuse or built_sizes() != wanted:
                print(f"{label}: building…", flush=True)
                db.drop_all()
                db.session.execute(text("DROP TABLE IF EXISTS bench_meta"))
                db.session.commit()
                db.create_all()
                build(*wanted)
            else:
                print(f"{label}: reusing the data built before", flush=True)
                db.create_all()  # tables added since
            complete()
    print(f"{label}: measuring…", flush=True)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--clicks", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep databases built before for the same sizes; only measure (and derive totals "
        "tables that are empty)",
    )
    args = parser.parse_args()
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    DATA.mkdir(exist_ok=True)
    sqlite_file = DATA / "leaderboard.db"
    if not args.reuse:
        sqlite_file.unlink(missing_ok=True)
    sections = {}
    if not args.no_sqlite:
        sections["embedded (SQLite, SQL standings)"] = run_setup(
            "SQLite", f"sqlite:///{sqlite_file}", "", args, create=True
        )
    if not args.no_postgres:
        Redis.from_url(args.redis).flushdb()
        url = postgres_database(args.postgres, keep=args.reuse)
        sections["PostgreSQL + Redis (sorted sets)"] = run_setup(
            "PostgreSQL + Redis", url, args.redis, args, create=True
        )
        sections["PostgreSQL without Redis (SQL standings)"] = run_setup(
            "PostgreSQL", url, "", args, create=False
        )
    body = table(sections, args, load)
    print(body)
    if not args.no_write and len(sections) == 3:
        write_section(MARK, body, "Leaderboard reads (`leaderboard_bench.py`)")


if __name__ == "__main__":
    main()
