"""The bridge in a real browser: a reply in a thread is proposed as content, a curator approves it
from the review queue (where it shows where it came from), and a colleague opens "Discuss
internally" from the content page, replies, and the content page counts the reply."""

import pytest

from advocacy.discussions import spaces, threads
from tests.browser.signing import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def wins(live_server):
    with live_server.app.app_context():
        ava = UserFactory(display_name="Ava Author", email="ava@example.com")
        ned = UserFactory(display_name="Ned Engineer", email="ned@example.com")
        UserFactory(display_name="Cora Curator", email="cora@example.com", role="curator")
        UserFactory(display_name="Tia Teammate", email="tia@example.com")
        space = spaces.create_space(ava, "Wins", "Good news from every team", "public")
        thread = threads.start_thread(ava, space, "We shipped offline mode", "After 6 months!")
        threads.reply(ned, thread, "Customers love it: https://acme.example/blog/offline-mode")
        return thread.id


def test_propose_approve_and_discuss_internally(page, wins):
    sign_in(page, "ava@example.com")
    page.goto(f"/discussions/threads/{wins}")
    reply = page.locator("#replies article.post", has_text="Customers love it")
    reply.locator("details.post-menu > summary").click()  # the "⋯" menu
    reply.get_by_role("link", name="Propose as content").click()
    page.wait_for_url("**/propose")
    assert page.get_by_label("Title").input_value() == "We shipped offline mode"
    assert page.get_by_label("Web address to share").input_value() == (
        "https://acme.example/blog/offline-mode"
    )
    page.get_by_label("Kind").select_option("culture_story")
    page.get_by_label("Title").fill("Offline mode: what our customers say")
    page.get_by_role("button", name="Send to the curators").click()
    page.wait_for_url("**/content/*")
    content_url = page.url
    assert "the curators will review it" in page.locator("#messages").inner_text()
    assert (
        "From a reply in “We shipped offline mode” in Wins"
        in page.locator("#proposal-origin").inner_text()
    )

    sign_in(page, "cora@example.com")
    page.get_by_role("link", name="Review queue").click()
    row = page.locator("tr", has_text="Offline mode: what our customers say")
    assert "Proposed from “We shipped offline mode” in Wins" in row.inner_text()
    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="Approve selected").click()
    page.get_by_text("1 item approved.").wait_for()

    sign_in(page, "tia@example.com")
    card = page.locator("article", has_text="Offline mode: what our customers say")
    card.get_by_role("link", name="Offline mode: what our customers say", exact=True).click()
    page.wait_for_url(content_url)
    page.get_by_role("button", name="Discuss internally").click()
    page.wait_for_url("**/discussions/threads/*")
    assert page.locator("h1").inner_text() == "Offline mode: what our customers say"
    assert "Company news" in page.locator(".breadcrumbs").inner_text()
    page.get_by_label("Your reply").fill("So good to see this outside!")
    page.get_by_role("button", name="Post the reply").click()
    page.locator("#replies h2", has_text="1 reply").wait_for()

    page.goto(content_url)
    discussion = page.locator("#discussion")
    assert "1 reply" in discussion.inner_text()
    discussion.get_by_role("link", name="Discuss internally").click()
    page.wait_for_url("**/discussions/threads/*")
    assert "So good to see this outside!" in page.locator("#replies").inner_text()
