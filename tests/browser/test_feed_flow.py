"""The main flow in a real browser: an employee suggests content, a curator approves it, and a
colleague finds it in their feed and shares it on LinkedIn through the card's share dialog, with
their own tracked link (and by e-mail, without a tab left behind)."""

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.signing import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_suggest_approve_and_share_on_linkedin(page, live_server):
    with live_server.app.app_context():
        UserFactory(display_name="Sam Suggester", email="sam@example.com")
        UserFactory(display_name="Cora Curator", email="cora@example.com", role="curator")
        UserFactory(display_name="Tia Teammate", email="tia@example.com")

    sign_in(page, "sam@example.com")
    page.get_by_role("link", name="Suggest something").click()
    page.get_by_label("Title").fill("Acme opens a Singapore office")
    page.get_by_label("Web address to share").fill("https://acme.example/sg?from=blog#jobs")
    page.get_by_label("LinkedIn captions").fill("Big day for Acme in Singapore!")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url("**/content/*")
    assert "Submitted for review" in page.locator("#messages").inner_text()

    sign_in(page, "cora@example.com")
    page.get_by_role("link", name="Review queue").click()
    page.get_by_role("link", name="Acme opens a Singapore office").click()
    page.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    assert "is approved" in page.locator("#messages").inner_text()

    sign_in(page, "tia@example.com")
    card = page.locator("article", has_text="Acme opens a Singapore office")

    # A share is a POST whose answer redirects to the network (not reachable here): the test's
    # route answers in the network's place and keeps where the redirect pointed.
    redirects = []

    def keep_redirect(route):
        answer = route.fetch(max_redirects=0)
        redirects.append(answer.headers.get("location", ""))
        route.fulfill(status=200, body="(the network's share page)")

    page.context.route("**/content/*/share/*", keep_redirect)
    card.get_by_role("link", name="Share: Acme opens a Singapore office").click()
    dialog = page.get_by_role("dialog", name="Share")
    assert "Big day for Acme in Singapore!" in dialog.locator(".share-net-linkedin").inner_text()
    with page.expect_popup() as popup_info:
        dialog.get_by_role("button", name="Share on LinkedIn").click()
    popup_info.value.close()
    intent = urlsplit(redirects[0])
    assert f"{intent.scheme}://{intent.netloc}{intent.path}" == (
        "https://www.linkedin.com/sharing/share-offsite/"
    )
    tracked = parse_qs(intent.query)["url"][0]
    assert tracked.startswith("http://advocacy.test/r/")
    code = tracked.rsplit("/", 1)[1]

    # E-mail hands over to the mail program from this same tab: no other tab is opened.
    dialog.locator("label.share-tab", has_text="E-mail").click()
    dialog.get_by_role("button", name="Share by e-mail").click()
    page.wait_for_timeout(300)
    assert redirects[1].startswith("mailto:?subject=Acme%20opens")
    assert len(page.context.pages) == 1

    page.goto("/")
    card.get_by_role("link", name="Acme opens a Singapore office", exact=True).click()
    page.wait_for_url("**/content/*")
    assert "You shared this 2 times" in page.locator("#share").inner_text()

    response = page.request.get(f"/r/{code}", max_redirects=0)
    assert response.status == 302
    assert response.headers["location"] == (
        "https://acme.example/sg?from=blog&utm_source=linkedin&utm_medium=employee_advocacy"
        f"&adv_ref={code}#jobs"
    )
