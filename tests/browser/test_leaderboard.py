"""The leaderboard in a real browser: switch periods and scope without a page load, the address
follows, the reader's own row stays highlighted; the pages pass axe."""

from datetime import UTC, datetime, timedelta

import pytest

from advocacy.leaderboard.points.ledger import adjust_points
from tests.browser.signing import sign_in
from tests.browser.test_accessibility import blocking_violations
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.leaderboard.conftest import Click, send_clicks

pytestmark = pytest.mark.browser


@pytest.fixture
def scores(live_server):
    """This week: Maya 1 point, Rob 3. Earlier this year Rob's rival Lin scored 9."""
    with live_server.app.app_context():
        team = TeamFactory(name="Sales")
        maya = MembershipFactory(
            team=team,
            user__display_name="Maya Member",
            user__email="maya@example.com",
            user__role="admin",
        ).user
        rob = MembershipFactory(team=team, user__display_name="Rob Rival").user
        lin = UserFactory(display_name="Lin Long")
        now = datetime.now(UTC)
        send_clicks(Click(maya.id, now, team_ids=(team.id,)))
        send_clicks(*[Click(rob.id, now, team_ids=(team.id,)) for _ in range(3)])
        adjust_points(
            lin, 9, "Keynote at the spring fair", maya, day=(now - timedelta(days=40)).date()
        )
        return {"maya": maya.email}


def test_switch_periods_and_scope(page, live_server, scores):
    sign_in(page, scores["maya"])
    page.goto("/leaderboard/")
    board = page.locator("#board")
    assert "This week" in board.locator("h2").inner_text()
    assert board.locator("tr.is-me").inner_text().startswith("2")
    assert "Lin Long" not in board.inner_text()

    page.get_by_role("navigation", name="Period").get_by_role(
        "link", name="All time"
    ).click()  # a tab (boosted navigation)
    board.get_by_role("row", name="Lin Long").wait_for()
    assert "All time" in board.locator("h2").inner_text()
    assert "period=all" in page.url
    assert board.locator("tr.is-me").inner_text().startswith("3")

    page.get_by_role("navigation", name="Rank").get_by_role("link", name="Teams").click()
    board.get_by_role("row", name="Sales").wait_for()
    assert "scope=teams" in page.url

    problems = {}
    for path in (
        "/leaderboard/",
        "/leaderboard/?scope=teams",
        "/leaderboard/points",
        "/admin/points/",
    ):
        page.goto(path)
        problems[path] = blocking_violations(page)
    assert problems == {path: [] for path in problems}
