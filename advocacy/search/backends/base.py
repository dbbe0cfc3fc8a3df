"""The interface every search backend implements, and the rules they share.

Ranking (both backends): title matches weigh more than tag matches, which weigh more than body
matches (FIELD_WEIGHTS); documents holding the query's words as an exact phrase come first; a
recency boost multiplies the text score by up to 1 + RECENCY_WEIGHT, halving every
RECENCY_HALF_LIFE_DAYS. PostgreSQL applies all of it to every match; Whoosh ranks in two phases
(see whoosh_backend) and applies the phrase, title, tag and recency rules to the best
RERANK_WINDOW documents of a first, single-field BM25 pass, deeper pages keeping that order.

Typo tolerance: when the exact search finds fewer than FUZZY_BELOW results, each plain word that
few of the reader's documents hold is replaced by the nearest vocabulary word (edit distance 1 for
short words, 2 from 6 letters) that the reader's documents hold CORRECTION_MARGIN times as often.
Words and candidates are counted only over what the reader may see, so a suggestion never reveals
a word that exists only in a space they cannot see.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime

from markupsafe import Markup, escape
from whoosh.support.levenshtein import damerau_levenshtein

from advocacy.errors import ServiceError
from advocacy.search.documents import SearchDocument
from advocacy.search.permissions import Reader
from advocacy.search.query.nodes import ParsedQuery, Word

MAX_RESULTS = 1000  # counted and paged up to here; "1,000+" beyond
RERANK_WINDOW = 100
RANK_CANDIDATES = 300  # a search with more than MAX_RESULTS matches ranks its most recent 300
RECENCY_WEIGHT = 0.5
RECENCY_HALF_LIFE_DAYS = 30
FIELD_WEIGHTS = {"title": 3.0, "tags": 2.0, "body": 1.0}
FUZZY_BELOW = 3
CORRECTED_WORDS_MAX = 3
CORRECTION_MARGIN = 3  # a rare word is corrected to one the reader's documents hold 3x as often
CANDIDATES_MAX = 6
CORRECTABLE_MIN = 4  # letters; shorter words have too many neighbours to guess from
PREFIX_EXPANSIONS_MAX = 30  # the most frequent words a `word*` stands for
SNIPPET_CHARS = 240


class SearchUnavailable(ServiceError):
    """The index cannot be read (missing, locked or corrupt): search says so, the app goes on."""

    status = 503
    title = "Service Unavailable"


class WriterBusy(Exception):
    """Another process holds the index's writer lock (a rebuild, or another indexing job)."""


@dataclass(frozen=True)
class SearchHit:
    """One result as a backend returns it (highlights are safe HTML: escaped, hits in <mark>)."""

    key: str
    type: str
    title: str
    title_html: Markup
    snippet_html: Markup
    score: float
    url: str = ""
    author_name: str = ""
    space_name: str = ""
    tags: tuple[str, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class SearchResults:
    """A page of results: `total` counts up to MAX_RESULTS (`capped` beyond). When the exact words
    found little, `corrected_text` is the spelling-corrected query; `showing_corrected` says the
    hits are its results (the exact query found nothing)."""

    total: int
    hits: list[SearchHit]
    capped: bool = False
    corrected_text: str | None = None
    showing_corrected: bool = False


@dataclass(frozen=True)
class BackendStatus:
    """What the admin status page and `flask search status` show."""

    backend: str
    available: bool
    detail: str
    documents: dict[str, int] = field(default_factory=dict)
    last_updated: datetime | None = None
    location: str = ""

    @property
    def total(self) -> int:
        return sum(self.documents.values())


ProgressCallback = Callable[[int], None]


def recency_factor(updated_at: datetime | None, now: datetime) -> float:
    """1 + RECENCY_WEIGHT for a document changed now, halving every RECENCY_HALF_LIFE_DAYS."""
    if updated_at is None:
        return 1.0
    age_days = max(0.0, (now - updated_at).total_seconds() / 86400)
    return 1.0 + RECENCY_WEIGHT * math.pow(0.5, age_days / RECENCY_HALF_LIFE_DAYS)


def plain_snippet(body: str) -> Markup:
    """The start of a body when no word of the query is in it (escaped)."""
    if len(body) <= SNIPPET_CHARS:
        return escape(body)
    cut = body[:SNIPPET_CHARS].rsplit(" ", 1)[0]
    return escape(cut) + Markup("…")


def mark_between(text: str, start: str, stop: str) -> Markup:
    """Escape everything in `text`, then turn the `start`/`stop` markers a highlighter put around
    matches into <mark> elements. Indexed text never holds the control-character markers."""
    escaped = str(escape(text)).replace(escape(start), "<mark>").replace(escape(stop), "</mark>")
    return Markup(escaped)  # noqa: S704 - escaped above; only our own <mark> tags are added


def correction_distance(token: str) -> int:
    """How many edits a typo in a word of this length may hold."""
    return 1 if len(token) < 6 else 2


class SearchBackend(ABC):
    """One search engine behind the common interface. Reads may happen in any process; writes
    (`apply`, `rebuild`, `clear`) only while holding `writer_lock()`."""

    name: str = "?"

    # --- reading -------------------------------------------------------------------------------

    def search(
        self,
        query: ParsedQuery,
        reader: Reader,
        page: int = 1,
        per_page: int = 20,
        correct: bool = True,
    ) -> SearchResults:
        """A page of the reader's results, with a fuzzy pass when the exact words find little."""
        offset = (page - 1) * per_page
        total, hits = self._run(query, reader, offset, per_page)
        corrected_text, showing = None, False
        if correct and total < FUZZY_BELOW and query.has_text:
            replacements = self._corrections(query, reader)
            if replacements:
                fixed = query.with_words(replacements)
                fixed_total, fixed_hits = self._run(fixed, reader, offset, per_page)
                if fixed_total > total:
                    corrected_text = fixed.text
                    if total == 0:
                        total, hits, showing = fixed_total, fixed_hits, True
        return SearchResults(
            total=min(total, MAX_RESULTS),
            hits=hits,
            capped=total > MAX_RESULTS,
            corrected_text=corrected_text,
            showing_corrected=showing,
        )

    def warm(self) -> int:
        """Load what the first search would need (an embedded index's caches); 0 when there
        is nothing to load."""
        return 0

    def count(self, query: ParsedQuery, reader: Reader) -> int:
        """How many documents the reader would find (up to MAX_RESULTS + 1)."""
        return self._run(query, reader, 0, 0)[0]

    def _corrections(self, query: ParsedQuery, reader: Reader) -> dict[Word, str]:
        replacements: dict[Word, str] = {}
        for word in query.plain_words()[:CORRECTED_WORDS_MAX]:
            if len(word.tokens) != 1 or word.start < 0:
                continue
            token = word.tokens[0]
            if len(token) < CORRECTABLE_MIN or not token.isalpha():
                continue
            # A word being typed (a prefix) is known when it starts words the reader can find.
            known = self._count_word(query, word, reader)
            if known >= FUZZY_BELOW:
                continue  # a word many of the reader's documents hold is not a typo
            best: tuple[int, int, str] | None = None
            candidates = self._ranked_candidates(token)
            counts = self._count_words(query, [Word(c, (c,)) for c in candidates], reader)
            for candidate, found in zip(candidates, counts, strict=True):
                if found > known * CORRECTION_MARGIN:
                    key = (damerau_levenshtein(token, candidate), -found, candidate)
                    best = min(best, key) if best else key
            if best:
                replacements[word] = best[2]
        return replacements

    def _ranked_candidates(self, token: str) -> list[str]:
        limit = correction_distance(token)
        candidates = {
            c
            for c in self._spelling_candidates(token)
            if c != token and c.isalpha() and damerau_levenshtein(token, c) <= limit
        }
        return sorted(
            candidates, key=lambda c: (damerau_levenshtein(token, c), c[0] != token[0], c)
        )[:CANDIDATES_MAX]

    def _count_word(self, query: ParsedQuery, word: Word, reader: Reader) -> int:
        """How many visible documents (under the query's filters) hold this one word."""
        alone = replace(query, required=(word,), excluded=(), title_only=False)
        return self._run(alone, reader, 0, 0)[0]

    def _count_words(self, query: ParsedQuery, words: list[Word], reader: Reader) -> list[int]:
        """_count_word of each word (a backend may count them all at once)."""
        return [self._count_word(query, word, reader) for word in words]

    @abstractmethod
    def _run(
        self, query: ParsedQuery, reader: Reader, offset: int, limit: int
    ) -> tuple[int, list[SearchHit]]:
        """(total up to MAX_RESULTS + 1, the hits offset..offset+limit) of the reader's search;
        `limit` 0 only counts. Must filter by the reader at query time."""

    @abstractmethod
    def _spelling_candidates(self, token: str) -> Iterable[str]:
        """Vocabulary words within correction_distance(token) edits of `token` (any document:
        the caller keeps only those the reader's documents hold)."""

    # --- writing -------------------------------------------------------------------------------

    @abstractmethod
    def writer_lock(self, timeout: float) -> AbstractContextManager:
        """Hold the one writer lock (across processes) or raise WriterBusy after `timeout` s."""

    @abstractmethod
    def exists(self) -> bool:
        """True when the index (or table) is there and readable."""

    @abstractmethod
    def apply(self, documents: list[SearchDocument], deleted_keys: list[str]) -> None:
        """Add or replace `documents` and remove `deleted_keys`, in one commit."""

    def index(self, documents: list[SearchDocument]) -> None:
        """Add or replace documents."""
        self.apply(documents, [])

    def delete(self, keys: list[str]) -> None:
        """Remove documents by key (unknown keys are ignored)."""
        self.apply([], keys)

    @abstractmethod
    def rebuild(
        self, batches: Iterator[tuple[int, list[SearchDocument]]], progress: ProgressCallback
    ) -> int:
        """Build a new index from `(rows read, documents)` batches, then switch to it atomically;
        readers use the old one until the switch. Returns the number of documents."""

    @abstractmethod
    def clear(self) -> None:
        """Make the index exist and hold nothing."""

    @abstractmethod
    def status(self) -> BackendStatus:
        """Documents per type, last update and health."""

    @abstractmethod
    def close(self) -> None:
        """Release open files or connections."""
