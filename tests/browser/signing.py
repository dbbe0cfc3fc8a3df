"""Signing in through the real form, for browser tests that switch between people."""

from tests.factories import PASSWORD


def sign_in(page, email: str) -> None:
    """Sign `email` in on `page` (after signing whoever was there out) and wait for the feed."""
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
