"""Retention: raw click events older than CLICK_RETENTION_DAYS are pruned in batches, with
time frozen; the daily rollups, and so every report, stay as they were."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.feeds.sharing import get_or_create_link
from advocacy.leaderboard.reach import metrics
from advocacy.leaderboard.reach.events import Hit
from advocacy.leaderboard.reach.ingest import ingest_batch
from advocacy.leaderboard.reach.models import ClickEvent, HitKind
from advocacy.leaderboard.reach.retention import prune_click_events
from tests.factories import UserFactory
from tests.feeds.factories import ContentFactory

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def _hits(link, moment: datetime, count: int) -> list[Hit]:
    return [
        Hit(
            secrets.token_hex(16),
            link.id,
            moment.timestamp() + n,
            HitKind.HUMAN,
            secrets.token_hex(8),
            "",
        )
        for n in range(count)
    ]


def test_old_raw_clicks_are_pruned_and_the_figures_stay(app, link, admin):
    with time_machine.travel(NOW, tick=False):
        ingest_batch(
            _hits(link, NOW - timedelta(days=91), 5) + _hits(link, NOW - timedelta(days=89), 2)
        )
        before = metrics.reach_report(admin, "day", NOW.date() - timedelta(days=100), NOW.date())
        assert prune_click_events(batch_size=2) == 5  # three batches of at most two
        assert prune_click_events() == 0  # nothing left to do: a rerun is harmless
        after = metrics.reach_report(admin, "day", NOW.date() - timedelta(days=100), NOW.date())
    left = db.session.scalars(select(ClickEvent.occurred_at)).all()
    assert len(left) == 2 and all(at > NOW - timedelta(days=90) for at in left)
    assert after.totals.human_clicks == before.totals.human_clicks == 7


def test_the_retention_period_is_a_setting(make_app):
    app = make_app(CLICK_RETENTION_DAYS=30)
    with app.app_context():
        link = get_or_create_link(UserFactory(), ContentFactory(), "x")
        with time_machine.travel(NOW, tick=False):
            ingest_batch(
                _hits(link, NOW - timedelta(days=31), 1) + _hits(link, NOW - timedelta(days=29), 1)
            )
            assert prune_click_events() == 1
        assert db.session.scalar(select(func.count(ClickEvent.id))) == 1
