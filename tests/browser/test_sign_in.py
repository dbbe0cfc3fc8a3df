"""Sign-in and sign-out in a real browser, against the app served over HTTP."""

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def member(live_server):
    with live_server.app.app_context():
        user = UserFactory(display_name="Maya Member", email="maya@example.com")
        return {"email": user.email, "name": user.display_name}


def sign_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_sign_in_shows_home_then_sign_out(page, member):
    sign_in(page, member["email"], PASSWORD)
    assert page.locator("h1").inner_text() == f"Welcome, {member['name'].split()[0]}"

    page.locator("details.account-menu > summary").click()  # the account menu
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    assert "You are signed out." in page.locator("#messages").inner_text()
    page.goto("/")
    assert "/login" in page.url


def test_wrong_password_shows_the_error(page, member):
    sign_in(page, member["email"], "not the password")
    assert "/login" in page.url
    error = page.locator("#password-error")
    assert error.inner_text() == "The e-mail or password is not right."
    assert page.get_by_label("Password", exact=True).get_attribute("aria-invalid") == "true"
