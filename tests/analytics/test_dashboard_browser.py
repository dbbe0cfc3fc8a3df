"""The dashboard in a real browser: the trends chart is drawn (CSP on), a breakdown row drills
down in place with htmx, and axe finds no serious accessibility problem on the dashboard, the
maturity and the referrals pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from advocacy.feeds.sharing import get_or_create_link, share_content
from advocacy.leaderboard.reach.events import Hit
from advocacy.leaderboard.reach.ingest import ingest_batch
from tests.browser.signing import sign_in
from tests.browser.test_accessibility import blocking_violations
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.feeds.factories import ContentFactory

pytestmark = pytest.mark.browser


def test_the_dashboard_draws_its_chart_and_drills_into_a_team(page, live_server):
    with live_server.app.app_context():
        admin = UserFactory(email="ada@example.com", role="admin")
        team = TeamFactory(name="Harbour team")
        MembershipFactory(team=team, user=admin)
        content = ContentFactory(title="Acme opens in Lisbon")
        share_content(admin, content, "linkedin")
        link = get_or_create_link(admin, content, "linkedin")
        start = datetime.now(UTC) - timedelta(days=20)
        ingest_batch(
            [
                Hit(f"d{n}", link.id, start.timestamp() + n * 90_000, "human", f"v{n}", "")
                for n in range(12)
            ]
        )
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    sign_in(page, "ada@example.com")
    page.goto("/analytics/")
    page.locator("[data-chart] canvas").first.wait_for()
    assert blocking_violations(page) == []
    page.locator("#by-team").get_by_role("link", name="Harbour team").click()
    drill = page.locator("#drill-team")
    drill.get_by_role("heading", name="Harbour team: by content").wait_for()
    assert "Acme opens in Lisbon" in drill.inner_text()
    assert page.url.endswith("/analytics/")  # swapped in place, no navigation
    for path in ("/analytics/maturity", "/recruiting/"):
        page.goto(path)
        assert blocking_violations(page) == [], path
    assert [e for e in errors if "status of 404" not in e] == []
