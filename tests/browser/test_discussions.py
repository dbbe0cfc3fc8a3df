"""The Q&A flow in a real browser: ask a question, reply from another account, accept the
answer, and the unanswered view no longer lists it."""

import pytest

from advocacy.discussions import spaces
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def ask_anything(live_server):
    with live_server.app.app_context():
        asker = UserFactory(display_name="Ava Asker", email="ava@example.com")
        UserFactory(display_name="Ned Answerer", email="ned@example.com", timezone="Asia/Singapore")
        space = spaces.create_space(asker, "Ask Anything", "Questions for everyone", "public")
        return space.id


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_ask_reply_accept_and_the_unanswered_view_updates(page, browser, live_server, ask_anything):
    sign_in(page, "ava@example.com")
    page.goto(f"/discussions/spaces/{ask_anything}")
    page.get_by_role("link", name="Ask a question").click()
    page.get_by_label("Title").fill("Where do I book a meeting room in Singapore?")
    page.get_by_label("What would you like to say?").fill("Our office moved. **Any** tips?")
    page.get_by_role("button", name="Post the thread").click()
    page.wait_for_url("**/discussions/threads/*")
    thread_url = page.url
    assert page.locator("h1").inner_text() == "Where do I book a meeting room in Singapore?"
    page.goto("/discussions/unanswered")
    assert "Where do I book a meeting room" in page.locator("#unanswered").inner_text()

    other = browser.new_context(base_url=live_server.url)
    answerer = other.new_page()
    answerer.set_default_timeout(10_000)
    sign_in(answerer, "ned@example.com")
    answerer.goto(thread_url)
    answerer.get_by_label("Your reply").fill("Use the *Rooms* app, level 12.")
    answerer.get_by_role("button", name="Post the reply").click()
    reply = answerer.locator("#replies article.post")
    reply.first.wait_for()
    assert "Use the Rooms app, level 12." in reply.first.inner_text()
    assert answerer.locator("#replies h2").inner_text() == "1 reply"
    other.close()

    page.goto(thread_url)
    assert "Ned Answerer" in page.locator("#replies").inner_text()
    page.get_by_role("button", name="Accept this answer").click()
    page.wait_for_load_state()
    assert "Accepted answer" in page.locator("#accepted-title").inner_text()
    page.goto("/discussions/unanswered")
    assert "Where do I book a meeting room" not in page.locator("#unanswered").inner_text()
    assert "No question is waiting" in page.locator("#unanswered").inner_text()
