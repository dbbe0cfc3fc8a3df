"""Search use-cases: a reader's search (validated, filtered by permission, rechecked, logged),
the index status, and the person card."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from markupsafe import escape
from sqlalchemy import select

from advocacy.accounts.models import User
from advocacy.background.models import JobRun
from advocacy.errors import NotFound, ValidationFailed
from advocacy.extensions import db
from advocacy.jobs import enqueue
from advocacy.models_base import utcnow
from advocacy.search import analytics
from advocacy.search.backends.base import MAX_RESULTS, BackendStatus, SearchHit, SearchResults
from advocacy.search.documents import DOCUMENT_TYPES, parse_key, registry
from advocacy.search.extension import current_backend, search_state
from advocacy.search.indexing import PendingSummary, pending_summary, running_reindex
from advocacy.search.permissions import Reader, reader_for
from advocacy.search.query.nodes import ParsedQuery, Word
from advocacy.search.query.parser import MIN_PREFIX, parse_query

PER_PAGE = 20
PER_PAGE_MAX = 50
SOURCES = ("page", "live", "api")


@dataclass(frozen=True)
class SearchOutcome:
    """One page of a reader's search, ready to show."""

    query: ParsedQuery
    results: SearchResults
    hits: list[SearchHit]
    page: int
    per_page: int
    doc_type: str | None
    log_ref: dict | None = None

    @property
    def total(self) -> int:
        return self.results.total

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def did_you_mean(self) -> str | None:
        """A corrected query to offer as a link (the exact one found a little)."""
        return None if self.results.showing_corrected else self.results.corrected_text

    @property
    def showing_results_for(self) -> str | None:
        """The corrected query whose results are shown (the exact one found nothing)."""
        return self.results.corrected_text if self.results.showing_corrected else None


def last_page(per_page: int) -> int:
    """The deepest page search serves (results are counted up to MAX_RESULTS)."""
    return math.ceil(MAX_RESULTS / per_page)


def check_paging(page: int, per_page: int) -> None:
    """ValidationFailed unless the page exists within the results search serves."""
    if not 1 <= per_page <= PER_PAGE_MAX:
        raise ValidationFailed.field("per_page", f"Show between 1 and {PER_PAGE_MAX} per page.")
    if page < 1:
        raise ValidationFailed.field("page", "Pages start at 1.")
    if page > last_page(per_page):
        raise ValidationFailed.field(
            "page",
            f"Results stop at page {last_page(per_page)} ({MAX_RESULTS:,} results): add words or "
            "filters to narrow the search.",
        )


def typing_last_word(query: ParsedQuery) -> ParsedQuery:
    """For as-you-type results: the word being typed (the last, if the text does not end with a
    space) matches the words it starts (`mar` finds Marcus)."""
    if not query.required or query.text != query.text.rstrip() or query.text.endswith('"'):
        return query
    last = query.required[-1]
    if (
        not isinstance(last, Word)
        or last.prefix
        or last.start < 0
        or len(last.tokens) != 1
        or len(last.tokens[0]) < MIN_PREFIX
        or last.start + len(last.text) != len(query.text)
    ):
        return query
    typed = Word(last.text, last.tokens, True, last.start)
    return replace(query, required=(*query.required[:-1], typed))


def search(
    user: User,
    text: str,
    *,
    doc_type: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    source: str = "page",
    exact: bool = False,
    previous_log: dict | None = None,
) -> SearchOutcome:
    """Run `user`'s search. ValidationFailed for input search cannot use (with the reason),
    SearchUnavailable when the index cannot be read."""
    query = parse_query(text, now=utcnow(), timezone=user.timezone or "UTC")
    if query.problem:
        raise ValidationFailed.field("q", query.problem)
    if doc_type is not None and doc_type not in DOCUMENT_TYPES:
        raise ValidationFailed.field("type", f"Choose one of {', '.join(DOCUMENT_TYPES)}.")
    check_paging(page, per_page)
    if doc_type:
        query = query.with_types((doc_type,))
    searched = typing_last_word(query) if source == "live" else query
    reader = reader_for(user)
    results = current_backend().search(searched, reader, page, per_page, correct=not exact)
    hits = recheck_hits(results.hits, reader)
    log_ref = None
    if page == 1:
        log_ref = analytics.record_search(
            query.text, results.total, results.corrected_text is not None, source, previous_log
        )
    return SearchOutcome(query, results, hits, page, per_page, doc_type, log_ref)


def recheck_hits(hits: list[SearchHit], reader: Reader) -> list[SearchHit]:
    """Keep the hits the database still lets the reader see. An index can lag a change by a
    moment (a post deleted, a member removed): such hits are dropped and reindexed."""
    by_type: dict[str, list[int]] = {}
    for hit in hits:
        parsed = parse_key(hit.key)
        if parsed:
            by_type.setdefault(parsed[0], []).append(parsed[1])
    allowed: set[str] = set()
    titles: dict[str, str] = {}
    for doc_type, ids in by_type.items():
        source = registry().sources.get(doc_type)
        if source is None:
            continue
        visible = source.recheck(reader, ids) if source.recheck else set(ids)
        allowed |= {f"{doc_type}:{i}" for i in visible}
        if source.titles and visible:
            shown = source.titles(sorted(visible))
            titles |= {f"{doc_type}:{i}": title for i, title in shown.items()}
    kept = [_titled(hit, titles.get(hit.key)) for hit in hits if hit.key in allowed]
    stale = sorted({hit.key for hit in hits} - allowed)
    if stale:
        enqueue("advocacy.search.jobs.index_changes", stale, queue="search")
    return kept


def _titled(hit: SearchHit, title: str | None) -> SearchHit:
    """The hit with the title its source shows (escaped: titles are plain text)."""
    if title is None:
        return hit
    return replace(hit, title=title, title_html=escape(title))


@dataclass(frozen=True)
class IndexStatus:
    """What the admin status page shows."""

    backend: BackendStatus
    pending: PendingSummary
    reindex: JobRun | None


def index_status() -> IndexStatus:
    """The configured backend's health and size, how far behind it is, and a running rebuild."""
    return IndexStatus(current_backend().status(), pending_summary(), running_reindex())


def backend_name() -> str:
    """The configured backend's name."""
    return search_state().backend_name


def searchable_types() -> list[str]:
    """The document types some feature has made searchable, in display order."""
    sources = registry().sources
    return [doc_type for doc_type in DOCUMENT_TYPES if doc_type in sources]


def get_person(user_id: int) -> User:
    """An active colleague, or NotFound."""
    person = db.session.scalar(select(User).where(User.id == user_id, User.active))
    if person is None:
        raise NotFound("Nobody here by that link: the person may have left.")
    return person
