"""The points ledger: what earns points, once; the daily cap; Facebook; rule history;
corrections; and that entries live and die with the transaction that caused them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from advocacy.accounts.organisation import local_day
from advocacy.errors import ValidationFailed
from advocacy.extensions import db
from advocacy.feeds import sharing
from advocacy.leaderboard.points import ledger, rules
from advocacy.leaderboard.points.models import (
    Action,
    PointEntry,
    PointTeamDay,
    PointUserDay,
    PointUserPeriod,
)
from advocacy.leaderboard.reach.signals import shares_verified
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.feeds.factories import ContentFactory
from tests.leaderboard.conftest import Click, Conversion, send_clicks, send_conversion

NOON = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)


def entries(user) -> list[PointEntry]:
    return list(
        db.session.scalars(
            select(PointEntry).where(PointEntry.user_id == user.id).order_by(PointEntry.id)
        )
    )


def total(user) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(PointUserDay.points), 0)).where(
            PointUserDay.user_id == user.id
        )
    )


def test_share_intents_score_once_per_content_and_network(app, user):
    content = ContentFactory()
    sharing.share_content(user, content, "linkedin")
    sharing.share_content(user, content, "linkedin")  # the same share again earns nothing
    sharing.share_content(user, content, "x")
    rows = entries(user)
    assert [(r.action, r.network, r.points) for r in rows] == [
        ("share_intent", "linkedin", 2),
        ("share_intent", "x", 2),
    ]
    assert rows[0].content_id == content.id and rows[0].campaign == "spring"
    assert total(user) == 4


def test_facebook_shares_and_their_clicks_earn_nothing_but_are_recorded(app, user):
    content = ContentFactory()
    sharing.share_content(user, content, "facebook")
    send_clicks(Click(user.id, NOON, network="facebook"))
    rows = entries(user)
    assert [(r.action, r.points, r.rule_points, r.withheld) for r in rows] == [
        ("share_intent", 0, 2, "facebook"),
        ("human_click", 0, 1, "facebook"),
    ]
    assert total(user) == 0


def test_clicks_score_once_even_when_a_batch_is_retried(app, user):
    team = TeamFactory()
    first, second = Click(user.id, NOON, team_ids=(team.id,)), Click(user.id, NOON)
    send_clicks(first, second)
    send_clicks(first, second)  # the ingest retried its batch
    send_clicks(first)
    assert [(r.source_key, r.points) for r in entries(user)] == [
        (f"click:{first.event_id}", 1),
        (f"click:{second.event_id}", 1),
    ]
    assert total(user) == 2
    assert db.session.scalar(select(func.sum(PointTeamDay.points))) == 1
    assert (
        db.session.scalar(
            select(PointUserPeriod.points).where(
                PointUserPeriod.user_id == user.id, PointUserPeriod.period_key == "2024-W20"
            )
        )
        == 2
    )


def test_entries_roll_back_with_the_batch_that_caused_them(app, user):
    from advocacy.leaderboard.reach.signals import human_clicks_recorded

    human_clicks_recorded.send(None, clicks=[Click(user.id, NOON)])
    db.session.rollback()
    assert entries(user) == [] and total(user) == 0
    send_clicks(Click(user.id, NOON))
    assert total(user) == 1


def test_daily_cap_keeps_what_passes_it_with_zero_points(app, user, admin):
    rules.set_rules(
        {
            "share_intent": 2,
            "verified_share": 5,
            "human_click": 2,
            "conversion": 20,
            "daily_cap": 5,
        },
        admin,
    )
    day = datetime.now(UTC) + timedelta(seconds=1)
    send_clicks(*[Click(user.id, day + timedelta(seconds=i)) for i in range(4)])
    rows = entries(user)
    assert [(r.points, r.withheld) for r in rows] == [
        (2, ""),
        (2, ""),
        (1, "daily_cap"),
        (0, "daily_cap"),
    ]
    ledger.adjust_points(user, 10, "Won the spring contest", admin)  # corrections are not capped
    send_clicks(Click(user.id, day - timedelta(days=1)))  # another day, its own cap (old rules)
    assert total(user) == 5 + 10 + 1


def test_entries_keep_the_values_in_force_when_earned(app, user, admin):
    early = datetime.now(UTC) - timedelta(hours=2)
    send_clicks(Click(user.id, early))
    rules.set_rules(
        {
            "share_intent": 2,
            "verified_share": 5,
            "human_click": 3,
            "conversion": 20,
            "daily_cap": 100,
        },
        admin,
    )
    late_arrival = Click(user.id, early + timedelta(minutes=1))  # happened before the change
    send_clicks(late_arrival, Click(user.id, datetime.now(UTC)))
    assert [(r.points, r.rules_id is None) for r in entries(user)] == [
        (1, True),
        (1, True),
        (3, False),
    ]
    assert rules.current_rules().human_click == 3
    assert [r.human_click for r in rules.rule_history()] == [3]


@pytest.mark.parametrize(
    "values, field",
    [
        ({"human_click": -1}, "human_click"),
        ({"human_click": "two"}, "human_click"),
        ({"human_click": 1.5}, "human_click"),
        ({"daily_cap": 10**9}, "daily_cap"),
        ({"conversion": None}, "conversion"),
    ],
)
def test_bad_rule_values_are_refused_and_change_nothing(app, admin, values, field):
    good = {
        "share_intent": 2,
        "verified_share": 5,
        "human_click": 1,
        "conversion": 20,
        "daily_cap": 100,
    }
    with pytest.raises(ValidationFailed) as error:
        rules.set_rules({**good, **values}, admin)
    assert list(error.value.errors) == [field]
    assert rules.rule_history() == []


def test_verified_shares_score_once_per_link(app, user):
    content = ContentFactory()
    first = sharing.share_content(user, content, "x").share
    again = sharing.share_content(user, content, "x").share
    sharing.mark_share_verified(first.tracked_link_id, NOON, commit=False)
    shares_verified.send(None, share_ids=[first.id, again.id])
    db.session.commit()
    shares_verified.send(None, share_ids=[first.id])
    db.session.commit()
    verified = [r for r in entries(user) if r.action == "verified_share"]
    assert [(r.points, r.occurred_at) for r in verified] == [(5, NOON)]


def test_outcomes_are_rewarded_in_full_past_the_daily_cap(app, user, admin):
    """A hire showed "+41 · daily cap reached": outcomes reported (signed) by the CRM or the
    applicant-tracking system are rewarded in full and leave the day's cap to activity."""
    rules.set_rules(
        {"share_intent": 2, "verified_share": 5, "human_click": 2, "conversion": 20, "hire": 50,
         "daily_cap": 5},
        admin,
    )  # fmt: skip
    day = datetime.now(UTC) + timedelta(seconds=1)
    send_clicks(*[Click(user.id, day + timedelta(seconds=i)) for i in range(3)])  # 2 + 2 + 1
    send_conversion(Conversion(8, user.id, day + timedelta(seconds=5)))
    ledger.record_awards(
        [ledger.Award("hire:t", user.id, Action.HIRE, day + timedelta(seconds=6), local_day(day))]
    )
    db.session.commit()
    outcomes = [(r.action, r.points, r.withheld) for r in entries(user)][-2:]
    assert outcomes == [("conversion", 20, ""), ("hire", 50, "")]
    send_clicks(Click(user.id, day + timedelta(seconds=7)))
    assert entries(user)[-1].points == 0  # the cap still holds for clicks


def test_conversions_score_once(app, user):
    send_conversion(Conversion(7, user.id, NOON, campaign="jobs"))
    send_conversion(Conversion(7, user.id, NOON, campaign="jobs"))
    assert [(r.action, r.points, r.campaign) for r in entries(user)] == [("conversion", 20, "jobs")]


def test_corrections_need_a_reason_are_audited_and_may_be_negative(app, user, admin):
    team = MembershipFactory(user=user).team
    send_clicks(Click(user.id, datetime.now(UTC)))
    entry = ledger.adjust_points(user, -1, "Clicked their own link from home", admin, key="r1")
    assert (
        ledger.adjust_points(user, -1, "Clicked their own link from home", admin, key="r1") == entry
    )
    assert (entry.points, entry.created_by_id, entry.team_ids) == (-1, admin.id, [team.id])
    assert entry.reason == "Clicked their own link from home"
    assert ledger.recent_adjustments() == [entry]
    assert total(user) == 0
    assert db.session.scalar(select(func.sum(PointTeamDay.points))) == -1


@pytest.mark.parametrize(
    "amount, reason, day, fields",
    [
        (5, "", None, ["reason"]),
        (5, "meh", None, ["reason"]),
        (0, "A good reason", None, ["points"]),
        (10**6, "A good reason", None, ["points"]),
        (5, "A good reason", date.today() + timedelta(days=2), ["day"]),
    ],
)
def test_bad_corrections_are_refused(app, user, admin, amount, reason, day, fields):
    with pytest.raises(ValidationFailed) as error:
        ledger.adjust_points(user, amount, reason, admin, day=day)
    assert sorted(error.value.errors) == fields
    assert entries(user) == []


def test_points_history_is_newest_first(app, user):
    other = UserFactory()
    send_clicks(
        Click(user.id, NOON), Click(user.id, NOON + timedelta(hours=1)), Click(other.id, NOON)
    )
    history = ledger.points_history(user)
    assert [r.occurred_at for r in history] == [NOON + timedelta(hours=1), NOON]
    assert history[0].action_label == "Click on your link"


def test_team_credit_is_frozen_when_earned(app, user):
    sales, marketing = TeamFactory(name="Sales"), TeamFactory(name="Marketing")
    with time_machine.travel(NOON, tick=False):
        send_clicks(Click(user.id, NOON, team_ids=(sales.id,)))
        send_clicks(Click(user.id, NOON, team_ids=(marketing.id,)))
    credit = dict(
        db.session.execute(
            select(PointTeamDay.team_id, func.sum(PointTeamDay.points)).group_by(
                PointTeamDay.team_id
            )
        ).all()
    )
    assert credit == {sales.id: 1, marketing.id: 1}
