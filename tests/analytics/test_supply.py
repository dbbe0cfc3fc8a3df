"""Content supply vs demand with frozen time: the rate, the dry and stale warnings, the
target an admin sets, and who sees what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from advocacy.accounts.models import User
from advocacy.analytics import supply
from advocacy.extensions import db
from advocacy.feeds import workflow
from tests.feeds.factories import ContentFactory

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _approve(at: datetime, reviewer, n: int = 1) -> None:
    with time_machine.travel(at, tick=False):
        for _ in range(n):
            workflow.transition(
                ContentFactory(state="submitted", publish_at=None), "approve", reviewer
            )


@pytest.fixture
def staff(app, curator):
    """100 active employees (with the curator), and a deactivated one who does not count."""
    # One commit for all (one search-indexing job), invited (no password hashing).
    db.session.add_all(
        User(email=f"staff{n}@example.com", display_name=f"Staff {n}", active=n < 99)
        for n in range(100)
    )
    db.session.commit()
    return curator


def test_rate_per_100_employees_per_week_and_a_dry_warning(staff):
    _approve(NOW - timedelta(days=2), staff, 4)  # this week
    _approve(NOW - timedelta(days=10), staff, 4)  # last week
    _approve(NOW - timedelta(days=40), staff, 9)  # outside the 4-week rate
    report = supply.supply_report(NOW)
    assert report.employees == 100
    assert [w.approved for w in report.weeks[:6]] == [4, 4, 0, 0, 0, 9]
    assert report.rate == 2.0  # 8 in 4 weeks, 100 employees
    assert report.dry and not report.stale
    assert report.needed_per_week == 4  # 3.5 per 100 → 4 for 100 people
    [warning] = report.warnings
    assert "running dry: 2.0 items per 100 employees a week against a target of 3.5" in warning


def test_stale_after_the_configured_days_without_approvals(staff, admin):
    _approve(NOW - timedelta(days=8), staff, 20)
    assert supply.supply_report(NOW).stale  # default 7 days
    supply.update_settings(2.0, 10, admin)
    report = supply.supply_report(NOW)
    assert not report.stale and not report.dry
    assert report.warnings == []
    assert supply.supply_report(NOW + timedelta(days=3)).stale


def test_nothing_ever_approved_is_stale(staff):
    assert supply.supply_report(NOW).warnings[0] == (
        "The feed is going stale: Nothing has ever been approved."
    )


def test_curators_see_the_warning_in_the_review_queue(staff, login_as):
    client = login_as(staff)
    queue = client.get("/queue/").get_data(as_text=True)
    page = client.get("/analytics/supply").get_data(as_text=True)
    assert "The feed is going stale" in queue
    assert "The feed is going stale" in page and 'id="supply-rate"' in page
    assert "Target: approved items" not in page  # only admins change it


def test_members_neither_see_the_page_nor_the_warning(app, login_as, user):
    client = login_as(user)
    assert client.get("/analytics/supply").status_code == 403
    assert client.get("/analytics/supply.csv").status_code == 403
    assert "going stale" not in client.get("/").get_data(as_text=True)


def test_admins_set_the_target_and_bad_values_are_refused(login_as, admin):
    client = login_as(admin)
    refused = client.post("/analytics/supply/settings", data={"target": "0", "stale_days": "7"})
    assert refused.status_code == 422
    assert supply.get_settings().supply_target == 3.5
    saved = client.post("/analytics/supply/settings", data={"target": "5", "stale_days": "14"})
    assert saved.status_code == 303
    settings = supply.get_settings()
    assert (settings.supply_target, settings.stale_days) == (5.0, 14)


def test_the_weekly_table_exports_to_csv(staff, login_as):
    _approve(NOW - timedelta(days=1), staff, 2)
    with time_machine.travel(NOW, tick=False):
        response = login_as(staff).get("/analytics/supply.csv")
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "week from (UTC),week to (UTC),approved,per 100 employees,target"
    assert lines[1] == "2026-02-23,2026-03-02,2,2.0,3.5"
    assert len(lines) == 1 + supply.HISTORY_WEEKS
