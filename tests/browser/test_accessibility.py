"""axe-core finds no serious or critical accessibility problems on the main pages, and the
home page (the feed), a content page and the review queue fit a 375px-wide phone screen without
horizontal scrolling."""

from pathlib import Path

import pytest

from advocacy.accounts.service import find_user_by_email
from advocacy.discussions import qa, spaces, threads
from tests.factories import PASSWORD, UserFactory
from tests.feeds.factories import ContentFactory, caption, tag

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
        UserFactory(display_name="Maya Member", email="maya@example.com", role="curator")
        live = ContentFactory(
            id=1, title="Acme wins a design award", captions_editable=True, image_url=""
        )
        caption(live, "linkedin", "Proud of our designers!", "What a team.")
        tag(live, "Culture", "Design")
        ContentFactory(id=2, state="submitted", title="Meet the SRE team")
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


FEED_PAGES = [
    "/?kind=job_opening",
    "/content/1",
    "/content/2",
    "/content/new",
    "/queue/",
    "/topics/",
]


@pytest.mark.parametrize("path", ["/", "/settings/", "/search", "/search?q=maya"])
def test_signed_in_pages_pass_axe(signed_in, path):
    signed_in.goto(path)
    assert blocking_violations(signed_in) == []


def test_feed_pages_pass_axe(signed_in):
    """The feed's pages, one sign-in for all: a filtered feed, a live and a submitted content
    page, the suggestion form, the review queue and the topics."""
    problems = {}
    for path in FEED_PAGES:
        signed_in.goto(path)
        problems[path] = blocking_violations(signed_in)
    assert problems == dict.fromkeys(FEED_PAGES, [])


def test_pages_fit_a_phone_screen(signed_in):
    signed_in.set_viewport_size({"width": 375, "height": 740})
    for path in ("/", "/content/1", "/queue/"):
        signed_in.goto(path)
        viewport = signed_in.locator('meta[name="viewport"]').get_attribute("content")
        assert "width=device-width" in viewport
        scroll_width = signed_in.evaluate("() => document.documentElement.scrollWidth")
        assert scroll_width <= 375, path


DISCUSSION_PAGES = [
    "/discussions/",
    "/discussions/spaces/{space}",
    "/discussions/spaces/{space}/new",
    "/discussions/spaces/{space}/members",
    "/discussions/spaces/{space}/unanswered",
    "/discussions/unanswered",
    "/discussions/threads/{question}",
    "/discussions/threads/{announcement}",
    "/discussions/threads/{announcement}/acknowledgements",
    "/discussions/threads/{question}/assign",
    "/discussions/posts/{reply}/edit",
    "/discussions/posts/{reply}/history",
    "/discussions/posts/{reply}/flag",
    "/discussions/posts/{reply}/propose",
    "/discussions/moderation/",
    "/notifications",
    "/settings/notifications",
    "/people/{colleague}",
]


@pytest.fixture
def discussion(signed_in, live_server):
    """A space Maya owns, with a question, an edited and reacted reply, a mention of her and
    an announcement."""
    with live_server.app.app_context():
        maya = find_user_by_email("maya@example.com")
        colleague = UserFactory(display_name="Kenji Sato", timezone="Asia/Singapore")
        space = spaces.create_space(maya, "Ask Anything", "Questions for everyone", "public")
        question = threads.start_thread(
            colleague, space, "VPN?", "How do I **connect**?", "question"
        )
        reply = threads.reply(colleague, question, "Use the app, @maya")
        threads.edit_post(colleague, reply, "Use the WireGuard app, @maya")
        qa.assign_question(colleague, question, maya)
        news = spaces.create_space(maya, "Office news", "Closures and moves", "private")
        announcement = threads.start_thread(
            maya, news, "Office closed", "On Friday", "announcement"
        )
        ids = {
            "space": space.id,
            "question": question.id,
            "reply": reply.id,
            "announcement": announcement.id,
            "colleague": colleague.id,
        }
    return signed_in, ids


def test_discussion_pages_pass_axe(discussion):
    """Every discussion page in one signed-in session (signing in dominates the cost)."""
    page, ids = discussion
    found = {}
    for path in DISCUSSION_PAGES:
        page.goto(path.format(**ids))
        found[path] = blocking_violations(page)
    assert found == dict.fromkeys(DISCUSSION_PAGES, [])


def test_a_thread_fits_a_phone_screen(discussion):
    page, ids = discussion
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"/discussions/threads/{ids['question']}")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375


INTEGRATION_PAGES = [
    "/admin/webhooks/",
    "/admin/webhooks/{hook}",
    "/admin/privacy",
    "/admin/users/{colleague}",
    "/settings/privacy",
    "/analytics/supply",
    "/analytics/roi",
    "/analytics/roi?people=lots",
]


def test_integration_pages_pass_axe(page, live_server):
    """Webhooks, privacy and analytics pages, as an admin, in one session; the subscription
    has a failed delivery in its log (nothing listens on port 9)."""
    from advocacy.webhooks import outbox
    from advocacy.webhooks.subscriptions import SubscriptionInput, create_subscription
    from tests.browser.signing import sign_in

    with live_server.app.app_context():
        admin = UserFactory(email="ada@example.com", role="admin")
        colleague = UserFactory(display_name="Kenji Sato")
        hook, _ = create_subscription(
            SubscriptionInput("CRM", "https://crm.invalid/in", events=["share.created"]), admin
        )
        outbox.record_test_event(hook)
        ids = {"hook": hook.id, "colleague": colleague.id}
    sign_in(page, "ada@example.com")
    found = {}
    for path in INTEGRATION_PAGES:
        page.goto(path.format(**ids))
        found[path] = blocking_violations(page)
    assert found == dict.fromkeys(INTEGRATION_PAGES, [])
