"""My reach and a content item's reach in a real browser: the chart is drawn from our own
uPlot (CSP on), and axe finds no serious accessibility problem."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from advocacy.feeds.sharing import get_or_create_link
from advocacy.leaderboard.reach.events import Hit
from advocacy.leaderboard.reach.ingest import ingest_batch
from tests.browser.test_accessibility import blocking_violations
from tests.factories import PASSWORD, UserFactory
from tests.feeds.factories import ContentFactory

pytestmark = pytest.mark.browser


def test_reach_pages_draw_their_chart_and_pass_axe(page, live_server):
    with live_server.app.app_context():
        curator = UserFactory(email="cleo@example.com", role="curator")
        content = ContentFactory(title="Acme opens in Lisbon")
        content_id = content.id
        link = get_or_create_link(curator, content, "linkedin")
        start = datetime.now(UTC) - timedelta(days=5)
        ingest_batch(
            [
                Hit(f"b{n}", link.id, start.timestamp() + n * 30_000, "human", f"v{n}", "")
                for n in range(9)
            ]
        )
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    missing: list[str] = []
    page.on("response", lambda r: r.status == 404 and missing.append(r.url))
    page.goto("/login")
    page.get_by_label("E-mail").fill("cleo@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    for path in ("/reach/", f"/reach/content/{content_id}", "/reach/followers"):
        page.goto(path)
        if path != "/reach/followers":
            page.locator("[data-chart] canvas").first.wait_for()
        assert blocking_violations(page) == [], path
    assert [url for url in missing if not url.endswith("/favicon.ico")] == []
    assert [e for e in errors if "status of 404" not in e] == []
