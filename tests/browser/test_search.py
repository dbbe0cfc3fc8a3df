"""Search in a real browser: type a name or a thread's words, the results appear as you type,
open one."""

import pytest

from advocacy.search.indexing import rebuild_index
from tests.discussions.factories import make_space, make_thread
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def people(live_server):
    with live_server.app.app_context():
        UserFactory(display_name="Maya Member", email="maya@example.com")
        ava = UserFactory(display_name="Ava Singh", job_title="Senior Software Engineer")
        UserFactory(display_name="Avery Brooks", job_title="Recruiter")
        space = make_space(ava, "public", "Town Square")
        thread = make_thread(space, ava, "Parking at the new office", "Bikes go in the basement.")
        make_thread(make_space(ava, "secret", "Hush"), ava, "Secret basement", "Not for Maya.")
        rebuild_index()  # from this database (the services run queues indexing jobs in Redis)
        return {"ava": ava.id, "thread": thread.id}


def test_type_a_name_see_results_open_one(page, live_server, people):
    page.goto("/login")
    page.get_by_label("E-mail").fill("maya@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_label("Search", exact=True).fill("ava")  # the header's box
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=ava")
    assert page.get_by_role("link", name="Ava Singh").is_visible()

    box = page.get_by_label("Search threads, posts, content, people and spaces")
    box.fill("")
    box.press_sequentially("Aver", delay=40)  # as-you-type: "Aver" starts "Avery"
    results = page.locator("#search-results")
    results.get_by_role("link", name="Avery Brooks").wait_for()
    assert "1 result" in results.locator(".search-summary").inner_text()
    assert "q=Aver" in page.url  # the address follows the search

    box.fill("")
    box.press_sequentially("Ava Sin", delay=40)
    results.get_by_role("link", name="Ava Singh").click()
    page.wait_for_url(f"**/search/people/{people['ava']}")
    assert page.locator("h1").inner_text() == "Ava Singh"
    assert "Senior Software Engineer" in page.locator(".person-card").inner_text()

    page.go_back()
    box = page.get_by_label("Search threads, posts, content, people and spaces")
    box.fill("")
    box.press_sequentially("basem", delay=40)  # a thread's word, being typed
    results = page.locator("#search-results")
    results.get_by_role("link", name="Parking at the new office").wait_for()
    assert "1 result" in results.locator(".search-summary").inner_text()  # not the secret one
    assert "<mark>basement</mark>" in results.locator(".search-hit-snippet").inner_html()
    results.get_by_role("link", name="Parking at the new office").click()
    page.wait_for_url(f"**/discussions/threads/{people['thread']}")
    assert page.locator("h1").inner_text() == "Parking at the new office"
