"""A Whoosh document as a SearchHit, its title and snippet highlighted as safe HTML."""

from __future__ import annotations

from datetime import UTC, datetime

from markupsafe import Markup, escape
from whoosh import highlight

from advocacy.search.backends.base import SNIPPET_CHARS, SearchHit, plain_snippet


class SafeFormatter(highlight.Formatter):
    """Highlights as safe HTML: every character escaped, matched words wrapped in <mark>."""

    between = " … "

    def _text(self, text: str) -> str:
        return str(escape(text))

    def format_token(self, text, token, replace=False):
        return f"<mark>{escape(highlight.get_text(text, token, replace))}</mark>"


def stored_hit(searcher, docnum: int, score: float, terms: frozenset[str], analyzer) -> SearchHit:
    """The hit of a document's stored fields, `terms` (stems, found with `analyzer`) marked."""
    stored = searcher.stored_fields(docnum)
    title, body = stored.get("title", ""), stored.get("body", "")
    return SearchHit(
        key=stored["key"],
        type=stored["type"],
        title=title,
        title_html=_highlight(title, terms, analyzer, whole=True) or escape(title),
        snippet_html=_highlight(body, terms, analyzer) or plain_snippet(body),
        score=round(float(score), 4),
        url=stored.get("url", ""),
        author_name=stored.get("author_name", ""),
        space_name=stored.get("space_name", ""),
        tags=tuple(stored.get("tag_names") or ()),
        created_at=datetime.fromtimestamp(stored["created"], UTC),
        updated_at=datetime.fromtimestamp(stored["updated"], UTC),
    )


def _highlight(text: str, terms: frozenset[str], analyzer, whole: bool = False) -> Markup:
    """`text` (whole, or its best two fragments) with `terms` marked; empty when none is in it."""
    if not text or not terms:
        return Markup("")
    fragmenter = (
        highlight.WholeFragmenter()
        if whole
        else highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
    )
    marked = highlight.highlight(text, terms, analyzer, fragmenter, SafeFormatter(), top=2)
    return Markup(marked)  # noqa: S704 - SafeFormatter escaped every character
