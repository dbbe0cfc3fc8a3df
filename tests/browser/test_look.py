"""What a person sees, on the demo organisation, at a phone's 390×844 and a laptop's 1366×900:
every main page fits without sideways scrolling and passes axe-core (no serious or critical
finding: contrast, names, focus, target size), and the first screens of the main pages match
their screenshots under tests/browser/screenshots within a tolerance. Tests elsewhere check
behaviour; these catch a stylesheet that stops applying (an unclosed @media block did)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from advocacy.demo import ADMIN_EMAIL
from advocacy.discussions.models import Thread
from advocacy.extensions import db
from advocacy.feeds.models import Content, ContentState
from tests.browser.look import (
    LAPTOP,
    PHONE,
    blocking_violations,
    horizontal_overflow,
    matches_baseline,
    sign_in_demo,
)

pytestmark = [pytest.mark.browser, pytest.mark.once]

MEMBER_EMAIL = "tom.fletcher@acme.example"


@pytest.fixture
def demo(live_server):
    """The demo organisation, seeded through `flask seed-demo` as of the last midnight (UTC),
    with the ids the pages need. The demo writes posts at moments before "now" from a seeded
    generator, so seeded at another hour it draws other people and reactions; from a fixed
    hour it is the same every day, only its dates move (and those are masked)."""
    app = live_server.app
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    with time_machine.travel(midnight, tick=False):
        result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        answered = db.session.scalar(
            select(Thread.id).where(Thread.accepted_post_id.is_not(None)).order_by(Thread.id)
        )
        live = db.session.scalar(
            select(Content.id)
            .where(Content.state == ContentState.APPROVED.value, Content.internal_only.is_(False))
            .order_by(Content.publish_at.desc())
        )
    return {"thread": answered, "content": live}


def main_pages(ids: dict) -> list[str]:
    return [
        "/",
        f"/content/{ids['content']}",
        "/discussions/",
        f"/discussions/threads/{ids['thread']}",
        "/discussions/unanswered",
        "/notifications",
        "/leaderboard/",
        "/leaderboard/?scope=teams",
        "/reach/",
        "/analytics/",
        "/recruiting/",
        "/queue/",
        "/settings/",
        "/settings/notifications",
        "/search?q=acme",
        "/topics/",
        "/teams/",
        "/manage",
        "/admin/styleguide",
    ]


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390", "1366"])
def test_every_main_page_fits_and_passes_axe(browser, live_server, demo, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, bypass_csp=True)
    page = context.new_page()
    sign_in_demo(page, ADMIN_EMAIL)
    problems = []
    for path in main_pages(demo):
        response = page.goto(path)
        page.wait_for_load_state("networkidle")
        if response.status != 200:
            problems.append(f"{path}: HTTP {response.status}")
            continue
        if (overflow := horizontal_overflow(page)) > 0:
            problems.append(f"{path}: {overflow}px wider than the screen")
        problems += [f"{path}: {finding}" for finding in blocking_violations(page)]
    context.close()
    assert not problems, "\n".join(problems)


def test_a_member_sees_no_manage_tools_and_pages_still_fit(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    sign_in_demo(page, MEMBER_EMAIL)
    page.get_by_role("button", name="Menu").click()
    sheet = page.get_by_role("navigation", name="Main")
    assert sheet.is_visible()
    assert sheet.get_by_role("link", name="Feed").is_visible()
    for tool in ("Review queue", "Moderation", "Analytics", "Admin"):
        assert sheet.get_by_role("link", name=tool).count() == 0, tool
    page.keyboard.press("Escape")
    assert not sheet.is_visible()
    page.goto("/discussions/")
    assert page.get_by_role("link", name="Moderation").count() == 0
    assert horizontal_overflow(page) == 0 and blocking_violations(page) == []
    context.close()


SCREENS = [
    ("feed", "/"),
    ("thread", "thread"),
    ("leaderboard", "/leaderboard/?period=all"),
    ("discussions", "/discussions/"),
    ("analytics", "/analytics/"),
    ("styleguide", "/admin/styleguide"),
]
# What changes from day to day on the same demo: times, date ranges, charts' date axes.
VOLATILE = (
    "time, .board-title .muted, #dashboard-body > p.muted, .reach-chart, .delta, .onboarding,"
    " .reach-range input"
)


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390", "1366"])
def test_the_main_screens_look_as_designed(browser, live_server, demo, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, bypass_csp=True)
    page = context.new_page()
    sign_in_demo(page, ADMIN_EMAIL)
    problems = []
    for name, path in SCREENS:
        page.goto(f"/discussions/threads/{demo['thread']}" if path == "thread" else path)
        page.wait_for_load_state("networkidle")
        page.evaluate("document.fonts.ready")
        problem = matches_baseline(page, f"{name}-{viewport['width']}", [page.locator(VOLATILE)])
        if problem:
            problems.append(problem)
    context.close()
    assert not problems, "\n".join(problems)


def test_dark_mode_follows_the_device_and_the_setting(browser, live_server, demo):
    context = browser.new_context(
        base_url=live_server.url, viewport=LAPTOP, bypass_csp=True, color_scheme="dark"
    )
    page = context.new_page()
    sign_in_demo(page, ADMIN_EMAIL)
    background = "getComputedStyle(document.body.parentElement).backgroundColor"
    dark = page.evaluate(background)
    assert dark == "rgb(15, 17, 21)"
    assert blocking_violations(page) == []
    problem = matches_baseline(page, "feed-dark-1366", [page.locator(VOLATILE)])
    page.goto("/settings/")
    page.get_by_label("Light").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.evaluate(background) == "rgb(244, 245, 248)"  # forced light on a dark device
    context.close()
    assert problem is None
