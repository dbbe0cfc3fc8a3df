"""Markdown to safe HTML: markdown-it-py (CommonMark + tables, strikethrough, bare links) with
raw HTML off, then nh3's allow-list sanitiser, so nothing a person types can run in a reader's
browser. @handles become links to the people (and teams) they name.

Posts are rendered once, when written or edited, and the HTML is stored beside the source.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

HANDLE_PATTERN = re.compile(r"@([A-Za-z0-9](?:[A-Za-z0-9._-]{0,28}[A-Za-z0-9])?)")
# A mention starts a word: "maya@example.com" and "a/@b" are not mentions.
NOT_BEFORE_MENTION = set("._-@/\\`")

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


@dataclass(frozen=True)
class MentionTarget:
    """Where a mention links to (a person's or a team's page)."""

    url: str
    label: str


def _mention_rule(state: StateInline, silent: bool) -> bool:
    """Inline rule: `@handle` at the start of a word; known handles become links."""
    pos = state.pos
    if state.src[pos] != "@":
        return False
    if pos > 0 and (state.src[pos - 1].isalnum() or state.src[pos - 1] in NOT_BEFORE_MENTION):
        return False
    match = HANDLE_PATTERN.match(state.src, pos)
    if not match:
        return False
    handle = match.group(1).lower()
    state.env.setdefault("handles", set()).add(handle)
    target = (state.env.get("mentions") or {}).get(handle)
    if target is None:
        return False
    if not silent:
        link = state.push("link_open", "a", 1)
        link.attrs = {"href": target.url, "class": "mention", "title": target.label}
        text = state.push("text", "", 0)
        text.content = "@" + match.group(1)
        state.push("link_close", "a", -1)
    state.pos = match.end()
    return True


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    parser.enable(["table", "strikethrough", "linkify"])
    parser.inline.ruler.before("emphasis", "mention", _mention_rule)
    return parser


_MARKDOWN = _parser()
_CLEANING = {
    "tags": ALLOWED_TAGS,
    "attributes": ALLOWED_ATTRIBUTES,
    "allowed_classes": {"a": {"mention"}},
    "url_schemes": URL_SCHEMES,
    "link_rel": "nofollow noopener",
    "strip_comments": True,
}
_CLEANER = nh3.Cleaner(**_CLEANING)
_TEXT_ONLY = nh3.Cleaner(tags=set(), attributes={}, link_rel=None)


def mentioned_handles(source: str) -> set[str]:
    """The lower-cased handles written as @mentions (outside code) in a Markdown text."""
    env: dict = {"mentions": {}}
    _MARKDOWN.parse(source or "", env)
    return env.get("handles", set())


def render_markdown(
    source: str,
    mentions: dict[str, MentionTarget] | None = None,
    image_src: Callable[[str], str | None] | None = None,
) -> str:
    """Sanitised HTML for a Markdown text; `mentions` maps known handles to their links and
    `image_src` gives each image's address on this site (None leaves the image out)."""
    env = {"mentions": mentions or {}}
    rendered = _MARKDOWN.render(source or "", env)
    if image_src is None or "<img" not in rendered:
        return _CLEANER.clean(rendered)

    def local_images(tag: str, attribute: str, value: str) -> str | None:
        return image_src(value) if (tag, attribute) == ("img", "src") else value

    return nh3.clean(rendered, attribute_filter=local_images, **_CLEANING)


def plain_text(html_text: str, limit: int | None = None) -> str:
    """The words of rendered HTML, unescaped, on one line (for e-mails, excerpts and titles)."""
    text = html.unescape(_TEXT_ONLY.clean(html_text or ""))
    text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


# Every ASCII punctuation mark may be backslash-escaped in CommonMark (and `@` starts mentions).
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def escape_markdown(text: str) -> str:
    """Text that Markdown shows exactly as written, e.g. a title quoted in a post: no emphasis,
    links, headings or @mentions of its own."""
    return _PUNCTUATION.sub(r"\\\1", text or "")


def quote_markdown(source: str, author: str) -> str:
    """A Markdown block quoting a post, for a reply box."""
    quoted = "\n".join("> " + line if line else ">" for line in (source or "").splitlines())
    return f"{author} wrote:\n{quoted}\n\n"
