"""Points for a whole ingest batch at once: the same ledger, rollups and sorted sets as the same
clicks one by one (daily cap included), and two batches written at the same time on PostgreSQL
neither deadlock nor lose points."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import insert, select

from advocacy.accounts.models import TeamMembership, User
from advocacy.extensions import db
from advocacy.jobs import redis_connection
from advocacy.leaderboard.points import rules
from advocacy.leaderboard.points.models import (
    PointDailyTotal,
    PointEntry,
    PointMemberPeriod,
    PointTeamDay,
    PointTeamNetworkPeriod,
    PointTeamPeriod,
    PointUserDay,
    PointUserNetworkPeriod,
    PointUserPeriod,
)
from advocacy.leaderboard.points.periods import is_snapshot_key
from advocacy.leaderboard.points.totals import (
    REDIS_PREFIX,
    rebuild_rollups_from_ledger,
    rebuild_sorted_sets,
)
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.leaderboard.conftest import Click, send_clicks

MONDAY = datetime(2024, 5, 13, 9, 0, tzinfo=UTC)
BY_USER = (PointUserDay, PointUserPeriod, PointUserNetworkPeriod, PointDailyTotal)
BY_MEMBER = (PointTeamDay, PointMemberPeriod)


def snapshot(people: list[int], teams: list[int]) -> dict:
    """These people's ledger, SQL rollups and sorted-set scores, with user and team ids replaced
    by their positions in the lists, so two groups given the same clicks compare equal.
    Snapshot keys are left out: a rebuild takes snapshots the write path had no reason to."""
    person, team = {u: n for n, u in enumerate(people)}, {t: n for n, t in enumerate(teams)}

    def rows(model, where) -> list[tuple]:
        found = []
        for row in db.session.execute(select(model.__table__).where(where)).mappings():
            values = dict(row)
            if is_snapshot_key(values.get("period_key", "")):
                continue
            if "user_id" in values:
                values["user_id"] = person[values["user_id"]]
            if "team_id" in values:
                values["team_id"] = team[values["team_id"]]
            found.append(tuple(sorted(values.items())))
        return sorted(found)

    taken = {}
    for model in BY_USER:
        taken[model.__tablename__] = rows(model, model.user_id.in_(people))
    for model in BY_MEMBER:
        taken[model.__tablename__] = rows(model, model.team_id.in_(teams))
    for model in (PointTeamPeriod, PointTeamNetworkPeriod):
        taken[model.__tablename__] = rows(model, model.team_id.in_(teams))
    taken["ledger"] = sorted(
        (person[r.user_id], r.occurred_at, r.points, r.rule_points, r.withheld, r.team_ids != [])
        for r in db.session.scalars(select(PointEntry).where(PointEntry.user_id.in_(people)))
    )
    redis = redis_connection()
    for key in sorted(redis.scan_iter(f"{REDIS_PREFIX}:people:*")):
        taken[key.decode()] = [redis.zscore(key, u) for u in people]
    for key in sorted(redis.scan_iter(f"{REDIS_PREFIX}:teams:*")):
        taken[key.decode()] = [redis.zscore(key, t) for t in teams]
    return taken


def group(size: int) -> tuple[list[int], list[int]]:
    """`size` people in one team; the first is also in a second team."""
    first, second = TeamFactory(), TeamFactory()
    people = [MembershipFactory(team=first).user for _ in range(size)]
    MembershipFactory(team=second, user=people[0])
    return [p.id for p in people], [first.id, second.id]


def clicks_for(people: list[int], teams: list[int]) -> list[Click]:
    """Many clicks for the same people and days: the first person passes the cap on Monday and
    reaches it on Tuesday; some are on another network, one on Facebook."""
    memberships = {people[0]: tuple(teams)} | {p: (teams[0],) for p in people[1:]}
    plan = [(0, 0)] * 6 + [(1, 0)] * 2 + [(2, 0)] + [(0, 1)] * 3 + [(1, 1)]
    clicks = []
    for n, (who, day) in enumerate(plan):
        user = people[who]
        clicks.append(
            Click(
                user,
                MONDAY + timedelta(days=day, minutes=n),
                network="x" if n % 4 == 3 else "linkedin",
                team_ids=memberships[user],
            )
        )
    clicks.append(Click(people[2], MONDAY + timedelta(hours=1), "facebook", team_ids=(teams[0],)))
    return clicks


def test_a_batch_scores_like_the_same_clicks_one_by_one(rq_app):
    admin = UserFactory(role="admin")
    rebuild_sorted_sets(redis_connection())
    with time_machine.travel(MONDAY - timedelta(days=1)):
        values = {"share_intent": 2, "verified_share": 5, "human_click": 2, "conversion": 20}
        rules.set_rules({**values, "daily_cap": 5}, admin)
    batched, one_by_one = group(3), group(3)
    send_clicks(*clicks_for(*batched))
    for click in clicks_for(*one_by_one):
        send_clicks(click)

    expected = snapshot(*one_by_one)
    assert snapshot(*batched) == expected
    capped = [row for row in expected["ledger"] if row[4] == "daily_cap"]
    assert [points for _, _, points, *_ in capped] == [1, 0, 0, 0, 1]
    first_person_days = [dict(r) for r in expected["point_daily_total"]]
    assert [r["earned"] for r in first_person_days if r["user_id"] == 0] == [5, 5]
    assert expected[f"{REDIS_PREFIX}:people:all"] == [10.0, 6.0, 2.0]

    rebuild_rollups_from_ledger()  # the rollups written on the way equal a recount
    assert snapshot(*batched) == expected


def _bulk_people(count: int) -> tuple[list[int], int]:
    team = TeamFactory()
    db.session.execute(
        insert(User),
        [{"email": f"racer{n}@example.com", "display_name": f"Racer {n}"} for n in range(count)],
    )
    people = list(db.session.scalars(select(User.id).where(User.email.like("racer%"))))
    db.session.execute(insert(TeamMembership), [{"user_id": u, "team_id": team.id} for u in people])
    db.session.commit()
    return sorted(people), team.id


def test_two_batches_at_once_neither_deadlock_nor_lose_points(app):
    """Two ingests (the embedded buffers of two web processes) credit the same people's week,
    month, team and all-time totals from different days, in opposite orders: each statement
    writes its keys in key order, so neither waits for a lock the other holds while it waits."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    people, team = _bulk_people(400)
    rounds = 3
    failures: list[BaseException] = []

    def ingest(batches: list[list[Click]], start: threading.Barrier) -> None:
        with app.app_context():
            for batch in batches:
                start.wait(timeout=30)
                try:
                    send_clicks(*batch)
                except BaseException as error:  # noqa: BLE001 - reported by the test below
                    failures.append(error)
                    db.session.rollback()

    def batches(order: list[int], day: int) -> list[list[Click]]:
        return [
            [
                Click(u, MONDAY + timedelta(days=day, seconds=n), team_ids=(team,))
                for n, u in enumerate(order)
            ]
            for _ in range(rounds)
        ]

    start = threading.Barrier(2)
    workers = [
        threading.Thread(target=ingest, args=(batches(people, 0), start)),
        threading.Thread(target=ingest, args=(batches(people[::-1], 1), start)),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert failures == []
    week = {
        user: total
        for user, total in db.session.execute(
            select(PointUserPeriod.user_id, PointUserPeriod.points).where(
                PointUserPeriod.period_key == "2024-W20"
            )
        )
    }
    assert week == dict.fromkeys(people, 2 * rounds)
    team_week = db.session.scalar(
        select(PointTeamPeriod.points).where(
            PointTeamPeriod.period_key == "2024-W20", PointTeamPeriod.team_id == team
        )
    )
    assert team_week == 2 * rounds * len(people)
