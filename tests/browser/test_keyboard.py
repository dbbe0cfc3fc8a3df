"""The main flows by keyboard alone, on the demo: share from a feed card through the dialog,
reply to a thread (the button waits while the reply is sent, focus lands on the new reply),
react to a post, and search from the top bar (the box keeps the query)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from advocacy.accounts.service import find_user_by_email
from advocacy.discussions.models import Post, Thread
from advocacy.extensions import db
from advocacy.feeds.models import Share
from tests.browser.look import LAPTOP, PHONE, sign_in_demo

pytestmark = [pytest.mark.browser, pytest.mark.once]

SHARER = "tom.fletcher@acme.example"


@pytest.fixture
def demo(live_server):
    result = live_server.app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return live_server.app


def open_context(browser, live_server, viewport):
    """A browser context that reaches only this server: where a share's answer redirects (a
    network's share page) is noted in `context.elsewhere` and the tab goes nowhere."""
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    context.elsewhere = []

    def only_here(route):
        if not route.request.url.startswith(live_server.url):
            context.elsewhere.append(route.request.url)
            route.abort()
        elif route.request.method == "POST" and "/share/" in route.request.url:
            answer = route.fetch(max_redirects=0)
            if "location" in answer.headers:
                context.elsewhere.append(answer.headers["location"])
            route.fulfill(status=200, body="(the network's share page)")
        else:
            route.continue_()

    context.route("**/*", only_here)
    return context


def tab_to(page, selector: str, limit: int = 80, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab) until the focused element matches `selector`."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def shares_of(app, email: str) -> list[str]:
    with app.app_context():
        user = find_user_by_email(email)
        return list(db.session.scalars(select(Share.network).where(Share.user_id == user.id)))


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390", "1366"])
def test_share_from_a_card_by_keyboard(browser, live_server, demo, viewport):
    before = shares_of(demo, SHARER)
    context = open_context(browser, live_server, viewport)
    page = context.new_page()
    sign_in_demo(page, SHARER)
    tab_to(page, "[data-share-dialog]")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Share")
    dialog.locator(".share-panel").wait_for()
    assert page.evaluate("document.activeElement.matches('.sn-linkedin')")
    page.keyboard.press("ArrowRight")  # the network tabs are radio buttons
    assert dialog.locator(".share-net-x").is_visible()
    assert not dialog.locator(".share-net-linkedin").is_visible()
    tab_to(page, ".share-net-x button[type=submit]")
    with context.expect_page() as opened:
        page.keyboard.press("Enter")
    opened.value.wait_for_load_state()
    assert any(url.startswith("https://twitter.com/intent/tweet") for url in context.elsewhere)
    opened.value.close()
    assert dialog.get_by_role("status").filter(has_text="Your share is recorded").is_visible()
    assert sorted(shares_of(demo, SHARER)) == sorted([*before, "x"])
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert page.evaluate("document.activeElement.matches('[data-share-dialog]')")
    page.locator(".content-card .shared-state").first.wait_for()  # the card says so
    context.close()


def test_reply_and_react_by_keyboard(browser, live_server, demo):
    with demo.app_context():
        thread_id = db.session.scalar(
            select(Thread.id).where(Thread.closed.is_(False)).order_by(Thread.id)
        )
        posts = db.session.scalar(select(func.count()).where(Post.thread_id == thread_id))
    context = open_context(browser, live_server, LAPTOP)
    page = context.new_page()
    sign_in_demo(page, SHARER)
    page.goto(f"/discussions/threads/{thread_id}")

    tab_to(page, "button.reaction[aria-pressed=false]")
    name = page.evaluate("document.activeElement.getAttribute('aria-label')")
    page.keyboard.press("Space")
    label, count = name.rsplit(": ", 1)
    pressed = page.locator(f'button.reaction[aria-label="{label}: {int(count) + 1}"]').first
    pressed.wait_for()
    assert pressed.get_attribute("aria-pressed") == "true"

    tab_to(page, "a[data-reply]")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.matches('#reply textarea')")
    page.keyboard.type("Thanks, that answers it. I'll try it today.")
    tab_to(page, "#reply button[type=submit]")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # a second press while it is sent posts nothing more
    page.locator("article.post", has_text="I'll try it today").wait_for()
    page.wait_for_function("document.activeElement.matches('article.post')")
    assert "I'll try it today" in page.evaluate("document.activeElement.textContent")
    assert page.locator("#reply button[type=submit]").is_enabled()
    with demo.app_context():
        assert db.session.scalar(select(func.count()).where(Post.thread_id == thread_id)) == (
            posts + 1
        )
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390", "1366"])
def test_search_by_keyboard_keeps_the_query(browser, live_server, demo, viewport):
    context = open_context(browser, live_server, viewport)
    page = context.new_page()
    sign_in_demo(page, SHARER)
    if viewport is PHONE:
        tab_to(page, ".tabbar a[href='/search']", backwards=True)  # the tab bar ends the page
        page.keyboard.press("Enter")
        page.wait_for_url("**/search")
        tab_to(page, "main input[type=search]")
    else:
        tab_to(page, "#nav-search-q")
    page.keyboard.type("Lisbon")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=Lisbon*")
    box = "main input[type=search]" if viewport is PHONE else "#nav-search-q"
    assert page.locator(box).input_value() == "Lisbon"
    context.close()
