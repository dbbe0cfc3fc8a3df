"""Closing periods: a finished week, month and quarter are announced once each, with the board's
final standings as everyone sees them, and reach webhook subscribers (leaderboard.period_closed)."""

from __future__ import annotations

from datetime import date

import time_machine
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.leaderboard.points import closing
from advocacy.leaderboard.points.ledger import adjust_points
from advocacy.leaderboard.points.models import ClosedPeriod
from advocacy.leaderboard.points.signals import period_closed
from advocacy.leaderboard.points.visibility import set_visibility
from advocacy.webhooks.models import WebhookEvent
from advocacy.webhooks.subscriptions import SubscriptionInput, create_subscription
from tests.factories import UserFactory


def _announcements():
    heard = []

    def receiver(sender=None, data=None, **_):
        heard.append(data)

    period_closed.connect(receiver)
    return heard, receiver


def test_each_finished_period_is_announced_once_with_its_standings(app, admin):
    first = UserFactory(display_name="Fiona First")
    second = UserFactory(display_name="Sid Second")
    adjust_points(first, 30, "Ran the spring campaign", admin, day=date(2026, 9, 22))
    adjust_points(second, 10, "Helped with the launch", admin, day=date(2026, 9, 30))
    heard, receiver = _announcements()
    try:
        # Thursday 1 October: September and Q3 are over, and the week of 21-27 September.
        keys = closing.close_periods(date(2026, 10, 1))
        assert sorted(keys) == ["2026-09", "2026-Q3", "2026-W39"]
        again = closing.close_periods(date(2026, 10, 1))
    finally:
        period_closed.disconnect(receiver)
    assert again == []
    by_key = {data["period"]["key"]: data for data in heard}
    assert set(by_key) == {"2026-09", "2026-Q3", "2026-W39"}
    month = by_key["2026-09"]
    assert month["period"] == {
        "kind": "month", "key": "2026-09", "first_day": "2026-09-01", "last_day": "2026-09-30",
    }  # fmt: skip
    assert [(row["rank"], row["points"], row["name"]) for row in month["standings"]] == [
        (1, 30, "Fiona First"),
        (2, 10, "Sid Second"),
    ]
    week = by_key["2026-W39"]["standings"]  # 21-27 September: only Fiona earned points
    assert [(row["name"], row["points"]) for row in week] == [("Fiona First", 30)]
    assert db.session.scalar(select(ClosedPeriod).where(ClosedPeriod.period_key == "2026-Q3"))


def test_announced_standings_keep_hidden_people_out_of_sight(app, admin):
    shy = UserFactory(display_name="Hannah Hidden")
    adjust_points(shy, 20, "Organised the meetup", admin, day=date(2026, 9, 10))
    for name in ("Ann", "Ben", "Cy", "Di"):  # five ranked: an anonymous row may stand
        adjust_points(UserFactory(display_name=name), 1, "Helped a colleague", admin,
                      day=date(2026, 9, 11))  # fmt: skip
    set_visibility(shy, "hidden")
    heard, receiver = _announcements()
    try:
        closing.close_periods(date(2026, 10, 1))
    finally:
        period_closed.disconnect(receiver)
    rows = next(d for d in heard if d["period"]["key"] == "2026-09")["standings"]
    assert rows[0]["points"] == 20 and rows[0]["user_id"] is None
    assert all(row["name"] != "Hannah Hidden" for row in rows)


def test_nothing_is_announced_before_the_first_points(app, admin):
    assert closing.close_periods(date(2026, 10, 1)) == []
    assert db.session.scalars(select(ClosedPeriod)).all() == []


def test_a_subscriber_receives_the_closed_period(app, admin):
    create_subscription(
        SubscriptionInput(
            name="Board", url="https://hooks.invalid/board", kind="webhook",
            events=["leaderboard.period_closed"],
        ),
        admin,
    )  # fmt: skip
    adjust_points(UserFactory(), 5, "Wrote the onboarding guide", admin, day=date(2026, 11, 3))
    with time_machine.travel("2026-12-01 00:30:00+00:00", tick=False):
        closing.close_periods()
    events = db.session.scalars(
        select(WebhookEvent).where(WebhookEvent.type == "leaderboard.period_closed")
    ).all()
    assert {event.data["period"]["key"] for event in events} == {"2026-11", "2026-W48"}


def test_the_worker_closes_periods_every_hour(app):
    schedules = {s.name: s for s in app.extensions["jobs"].schedules}
    assert schedules["leaderboard-close-periods"].func is closing.close_periods
    assert schedules["leaderboard-close-periods"].interval == 3600
