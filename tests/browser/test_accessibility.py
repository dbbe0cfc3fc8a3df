"""axe-core finds no serious or critical accessibility problems on the main pages, and the
home page fits a 375px-wide phone screen without horizontal scrolling."""

from pathlib import Path

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def blocking_violations(page) -> list[str]:
    """Run axe on the page (CSP is bypassed by the context) and describe what must be fixed."""
    assert AXE.exists(), f"{AXE} is missing: run `npm ci`"
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("() => axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.fixture
def signed_in(page, live_server):
    with live_server.app.app_context():
        UserFactory(display_name="Maya Member", email="maya@example.com")
    page.goto("/login")
    page.get_by_label("E-mail").fill("maya@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


@pytest.mark.parametrize("path", ["/login", "/password/forgot"])
def test_signed_out_pages_pass_axe(page, path):
    page.goto(path)
    assert blocking_violations(page) == []


def test_login_page_with_an_error_passes_axe(page):
    page.goto("/login")
    page.get_by_label("E-mail").fill("nobody@example.com")
    page.get_by_label("Password", exact=True).fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.locator("#password-error").is_visible()
    assert blocking_violations(page) == []


@pytest.mark.parametrize("path", ["/", "/settings/", "/search", "/search?q=maya"])
def test_signed_in_pages_pass_axe(signed_in, path):
    signed_in.goto(path)
    assert blocking_violations(signed_in) == []


def test_home_fits_a_phone_screen(signed_in):
    signed_in.set_viewport_size({"width": 375, "height": 740})
    signed_in.goto("/")
    viewport = signed_in.locator('meta[name="viewport"]').get_attribute("content")
    assert "width=device-width" in viewport
    scroll_width = signed_in.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= 375
