"""The main flow in a real browser: an employee suggests content, a curator approves it, and a
colleague finds it in their feed and shares it on LinkedIn with their own tracked link."""

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def sign_in(page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


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
    card.get_by_role("link", name="Share: Acme opens a Singapore office").click()
    page.wait_for_url("**/content/*")
    assert "Big day for Acme in Singapore!" in page.locator("#share-linkedin").inner_text()

    # The share opens in a new tab, which our server sends on to LinkedIn (not reachable here).
    redirects = []
    page.context.on(
        "response",
        lambda r: (
            redirects.append(r.headers.get("location")) if "/share/linkedin" in r.url else None
        ),
    )
    with page.expect_popup() as popup_info:
        page.get_by_role("link", name="Share on LinkedIn").click()
    popup_info.value.wait_for_load_state()
    intent = urlsplit(redirects[0])
    assert f"{intent.scheme}://{intent.netloc}{intent.path}" == (
        "https://www.linkedin.com/sharing/share-offsite/"
    )
    tracked = parse_qs(intent.query)["url"][0]
    assert tracked.startswith("http://advocacy.test/r/")
    code = tracked.rsplit("/", 1)[1]

    response = page.request.get(f"/r/{code}", max_redirects=0)
    assert response.status == 302
    assert response.headers["location"] == (
        "https://acme.example/sg?from=blog&utm_source=linkedin&utm_medium=employee_advocacy"
        f"&adv_ref={code}#jobs"
    )
