"""An XSS corpus stays inert wherever people's words appear: post bodies (Markdown), thread
titles, space names and descriptions, people's names, and notifications."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from advocacy.discussions.markdown import MentionTarget, mentioned_handles, render_markdown
from tests.discussions.factories import make_space, make_thread
from tests.factories import UserFactory

CORPUS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)><circle r=1></svg>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "![img](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
    "**unclosed <b onmouseover=alert(1)>bold",
    "`code <script>` and ``` \n<script>alert(1)</script>\n```",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<details open ontoggle=alert(1)>",
    '"><script>alert(1)</script>',
    '[a](https://ok.example"onmouseover="alert(1))',
    "<!-- <script>alert(1)</script> -->",
]

FORBIDDEN_TAGS = {"script", "svg", "iframe", "math", "details", "object", "embed", "style"}


class _Elements(HTMLParser):
    """Collects every element and attribute a browser would build from the markup."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def assert_inert(html: str) -> None:
    """No executable markup: no script-capable elements, event handlers, inline styles or
    script URLs (escaped text that merely looks like them is fine)."""
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag not in FORBIDDEN_TAGS, (tag, html)
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, html)
            assert name != "style", (tag, html)
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                scheme = (value or "").strip().lower().split(":", 1)[0]
                assert ":" not in (value or "") or scheme in ("http", "https", "mailto"), (
                    tag,
                    value,
                )


# What our templates write on purpose: icons drawn from our own sprite, and "⋯" menus.
OWN_ICON = re.compile(
    r'<svg class="icon[a-z -]*" aria-hidden="true" focusable="false">'
    r'<use href="/static/vendor/icons\.svg#icon-[a-z0-9-]+"></use></svg>'
)
OWN_MENU = re.compile(r'<details class="menu[a-z -]*">|</details>')


def without_our_own_markup(html: str) -> str:
    """The page without the icons and menus the templates add (user text never makes these:
    the corpus is escaped or sanitised before it reaches a page)."""
    return OWN_MENU.sub("", OWN_ICON.sub("", html))


def test_our_own_markup_is_only_what_the_templates_write():
    assert without_our_own_markup(OWN_ICON.pattern) == OWN_ICON.pattern  # a regex is not markup
    hostile = '<svg class="icon" onload="alert(1)"><use href="javascript:x"></use></svg>'
    assert without_our_own_markup(hostile) == hostile


@pytest.mark.parametrize("source", CORPUS)
def test_markdown_output_is_inert(source):
    html = render_markdown(source, {"maya": MentionTarget("/people/1", "Maya")})
    assert_inert(html)


def test_links_get_nofollow_noopener_and_safe_markdown_survives():
    html = render_markdown(
        "**bold** [site](https://example.com) https://auto.example @maya",
        {"maya": MentionTarget("/people/1", "Maya <b>")},
    )
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.com" rel="nofollow noopener">site</a>' in html
    assert '<a href="https://auto.example" rel="nofollow noopener">' in html
    assert 'class="mention"' in html and 'title="Maya &lt;b&gt;"' in html


def test_mentions_inside_code_and_addresses_are_not_mentions():
    assert mentioned_handles("`@maya` and maya@example.com and @bob.") == {"bob"}


@pytest.mark.parametrize("source", CORPUS[:8])
def test_corpus_is_inert_on_every_page_it_reaches(app, login_as, run_jobs, source):
    """The same strings as a person's name, a space's name and description, a thread's title and
    body, and in the notification they cause."""
    author = UserFactory(display_name=f"Eve {source}"[:120], email="eve@example.com")
    reader = UserFactory(display_name="Rae Reader", email="rae@example.com")
    space = make_space(author, name=f"S {source}"[:80])
    space.description = source
    thread = make_thread(space, author, f"T {source}"[:200], f"{source} @rae")
    run_jobs()
    client = login_as(reader)
    for path in (
        "/discussions/",
        f"/discussions/spaces/{space.id}",
        f"/discussions/threads/{thread.id}",
        "/notifications",
        f"/people/{author.id}",
    ):
        body = client.get(path).get_data(as_text=True)
        assert_inert(without_our_own_markup(body.split('<main id="main"', 1)[1]))
    assert client.get("/notifications").get_data(as_text=True).count("mentioned you") == 1
