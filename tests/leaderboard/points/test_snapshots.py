"""Snapshots of running totals: which boundaries are kept, the job that writes and retires them,
and the rebuild from the ledger writing them again."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.leaderboard.points.models import PointSnapshot, PointUserPeriod
from advocacy.leaderboard.points.periods import resolve_period, snapshot_key
from advocacy.leaderboard.points.snapshots import (
    DAILY_DAYS,
    listed_boundaries,
    take_snapshots,
    wanted_boundaries,
)
from advocacy.leaderboard.points.standings import SqlStandings
from tests.factories import UserFactory
from tests.leaderboard.conftest import Click, send_clicks

NOW = datetime(2024, 6, 12, 12, 0, tzinfo=UTC)  # a Wednesday


def test_wanted_boundaries_thin_out_with_age():
    now = NOW.date()
    recent = {now - timedelta(days=n) for n in range(DAILY_DAYS)}
    last_400 = [now - timedelta(days=n) for n in range(401)]
    mondays = {day for day in last_400 if day.weekday() == 0}
    firsts = {date(2022, 11, 1)} | {date(2023, m, 1) for m in range(1, 13)}
    firsts |= {date(2024, m, 1) for m in range(1, 7)} | {date(2022, 12, 1)}
    assert wanted_boundaries(now, date(2022, 11, 20)) == recent | mondays | firsts
    assert wanted_boundaries(now, None) == recent | mondays


def snapshot_rows(day: date) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(PointUserPeriod.user_id, PointUserPeriod.points).where(
                PointUserPeriod.period_key == snapshot_key(day)
            )
        ).all()
    )


def test_the_job_writes_what_is_missing_and_retires_what_aged(app):
    ann, bob = UserFactory(display_name="Ann"), UserFactory(display_name="Bob")
    first = NOW - timedelta(days=120)
    send_clicks(*[Click(ann.id, first + timedelta(days=n)) for n in range(0, 121, 3)])
    send_clicks(Click(bob.id, NOW))
    with time_machine.travel(NOW, tick=False):
        written = take_snapshots()
        listed = listed_boundaries()
        assert written == len(listed) > DAILY_DAYS
        assert take_snapshots() == 0  # nothing missing
        # a boundary holds every total of the days before it: zero totals too (their last
        # clicks are on the boundary's day)
        assert snapshot_rows(NOW.date()) == {ann.id: 40, bob.id: 0}
    leaving = NOW.date() - timedelta(days=DAILY_DAYS - 1)  # a Wednesday: not kept as a Monday
    assert leaving.weekday() == 2 and leaving in listed
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert take_snapshots() == 1  # the new day
        assert leaving not in listed_boundaries()
        assert snapshot_rows(leaving)  # kept a while for reads that just listed it
        assert snapshot_rows(NOW.date() + timedelta(days=1)) == {ann.id: 41, bob.id: 1}
    with time_machine.travel(NOW + timedelta(days=1, hours=2), tick=False):
        take_snapshots()
        assert snapshot_rows(leaving) == {}
        assert db.session.get(PointSnapshot, leaving) is None


def test_rebuilding_from_the_ledger_writes_the_snapshots_again(rq_app):
    ann = UserFactory(display_name="Ann")
    send_clicks(*[Click(ann.id, NOW - timedelta(days=n)) for n in range(40)])
    with time_machine.travel(NOW, tick=False):
        take_snapshots()
        before = listed_boundaries()
        period = resolve_period("custom", NOW.date() - timedelta(days=20), NOW.date())
        assert SqlStandings().person(period, ann.id).points == 21
        db.session.query(PointUserPeriod).filter(
            PointUserPeriod.period_key == snapshot_key(NOW.date() - timedelta(days=20))
        ).update({"points": 0})  # drift
        db.session.commit()
        assert SqlStandings().person(period, ann.id).points == 40
        result = rq_app.test_cli_runner().invoke(args=["leaderboard", "rebuild", "--from-ledger"])
        assert result.exit_code == 0, result.output
        assert listed_boundaries() == before
        assert SqlStandings().person(period, ann.id).points == 21
