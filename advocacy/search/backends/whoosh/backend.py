"""The embedded default: a Whoosh index on disk (whoosh3: maintained, the original index format).

Layout of SEARCH_INDEX_DIR: `CURRENT` names the live index folder (`ix-<time>-<random>`); a rebuild
writes a new folder and replaces `CURRENT` atomically (os.replace), so readers switch between two
searches and never see a half-built index. `writer.lock` (flock) admits one writer at a time across
processes: the search queue's worker, `flask search reindex`, the embedded in-process jobs.

Reading: searchers are pooled, each used by one request at a time (a Whoosh reader's files keep a
position, so one searcher must not serve two threads at once), and are replaced when the index's
generation changes (a cheap directory listing per search): whoosh_searchers.

Speed rules (an untuned prefix query once took two minutes on 100k documents):
- Ranking has two phases: BM25 over one field (`all`: title, tags and body) picks the best
  RERANK_WINDOW documents with Whoosh's block skipping; the phrase, title, tag and recency rules
  then reorder that window only. Multi-field OR matchers scored every match and were the slowest
  part of a query.
- `word*` expands to at most PREFIX_EXPANSIONS_MAX whole words (the most frequent), looked up in an
  unstemmed vocabulary field, never to every term with that prefix.
- The reader's permission filter is a mask of the documents they may NOT see (usually few), built
  from positive terms only and cached per segment and permission signature (whoosh_permissions:
  a commit adds one small segment, and only its part of each mask is computed then).
- Totals are counted up to MAX_RESULTS + 1, never to the end of a long posting list; the same
  walk lists the matches that are then ranked. A search with more matches ranks its
  RANK_CANDIDATES most recent ones, found by walking the documents by date (_very_common).
- Phrases are checked on the given documents' word positions (whoosh_matching), never by
  Whoosh's phrase matcher skipping along (it reads positions in every document in between).
- `warm()` (at app start, in a background thread) reads the permission words' documents and the
  date order of every segment, so the first search after a start does not wait for them.

Here: ranking and the backend's interface. Queries compile in whoosh_query, hits are highlighted
in whoosh_hits, the index is written in whoosh_writing.
"""

from __future__ import annotations

import heapq
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path

from whoosh import query as wq

from advocacy.models_base import utcnow
from advocacy.search.backends.base import (
    FIELD_WEIGHTS,
    MAX_RESULTS,
    RANK_CANDIDATES,
    RERANK_WINDOW,
    BackendStatus,
    ProgressCallback,
    SearchBackend,
    SearchUnavailable,
    correction_distance,
    recency_factor,
)
from advocacy.search.backends.whoosh.hits import stored_hit
from advocacy.search.backends.whoosh.matching import (
    by_date,
    docs_matching,
    first_matches,
    loosened,
    matching_among,
    phrase_docs,
    scores_of,
)
from advocacy.search.backends.whoosh.permissions import (
    SEGMENTS_CACHED_MAX,
    PermissionMasks,
    segment_id,
)
from advocacy.search.backends.whoosh.query import CompiledQuery, QueryCompiler
from advocacy.search.backends.whoosh.schema import make_schema, text_analyzer
from advocacy.search.backends.whoosh.searchers import (
    UNAVAILABLE,
    Lease,
    SearcherPool,
    current_folder,
    guarded,
)
from advocacy.search.backends.whoosh.writing import (
    apply_changes,
    build_index,
    hold_writer_lock,
    switch_to,
)
from advocacy.search.documents import DOCUMENT_TYPES, SearchDocument
from advocacy.search.permissions import Reader
from advocacy.search.query.nodes import Order, ParsedQuery

log = logging.getLogger("advocacy.search.whoosh")

DATE_CHUNK_MIN = 500  # documents looked at first, by date, for a very common search
DENSE_MATCHES = 0.2  # a very common search matching fewer documents than this lists them all


class WhooshBackend(SearchBackend):
    """Whoosh, on one machine."""

    name = "whoosh"

    def __init__(self, root: str):
        self.root = Path(root)
        self._schema = make_schema()
        self._analyzer = text_analyzer()
        self._compiler = QueryCompiler(self._analyzer)
        self._pool = SearcherPool(self._schema)
        self._permissions = PermissionMasks()
        self._lock = threading.Lock()  # guards _dates
        self._dates: OrderedDict = OrderedDict()  # (folder, segment) -> [(created, docnum)]

    # --- the live index's searchers -------------------------------------------------------------

    def _searcher(self) -> AbstractContextManager[Lease]:
        """A pooled searcher of the live index (see whoosh_searchers)."""
        return self._pool.searcher(self.root)

    def _writable_index(self):
        return self._pool.index(self.root, current_folder(self.root))

    def close(self) -> None:
        self._pool.close()
        with self._lock:
            self._dates.clear()
        self._permissions.clear()

    # --- searching ------------------------------------------------------------------------------

    def _run(self, query: ParsedQuery, reader: Reader, offset: int, limit: int):
        with self._searcher() as lease:
            done, outcome = guarded(lambda: self._run_with(lease, query, reader, offset, limit))
            if done:
                return outcome
            lease.broken = True  # never reuse a searcher that failed
            log.error("search failed on the index %s: %s", self.root / lease.folder, outcome)
            raise SearchUnavailable(f"{UNAVAILABLE}admin can rebuild it now.")

    def _run_with(self, lease: Lease, query: ParsedQuery, reader: Reader, offset, limit):
        searcher = lease.searcher
        compiled = self._compiler.compile(searcher, query)
        mask = self._permissions.mask(lease.folder, lease.generation, searcher, reader)
        # One walk finds the total and, unless there are too many, every match to rank.
        matches = first_matches(searcher, compiled.matching, mask, MAX_RESULTS + 1)
        total = len(matches)
        if limit == 0 or total <= offset:
            return total, []
        order = query.effective_order
        if total > MAX_RESULTS:
            ranked = self._very_common(lease, compiled, mask, order, offset + limit, matches)
        elif order == Order.RELEVANCE:
            scores = scores_of(searcher, compiled.matching, matches)
            top = sorted(((d, scores.get(d, 0.0)) for d in matches), key=lambda item: -item[1])
            ranked = self._rerank(searcher, top, compiled)
        else:
            created = searcher.reader().column_reader("created")
            newest = order == Order.LATEST
            by_created = sorted(matches, key=lambda d: (created[d], d), reverse=newest)
            ranked = [(docnum, 0.0) for docnum in by_created]
        page = ranked[offset : offset + limit]
        terms = compiled.highlight_terms
        return total, [stored_hit(searcher, d, score, terms, self._analyzer) for d, score in page]

    def _very_common(self, lease, compiled: CompiledQuery, mask, order, wanted: int, first):
        """A search with more than MAX_RESULTS matches (like the PostgreSQL backend): its
        matches by date, newest first (oldest first for order:oldest); by relevance, the
        RANK_CANDIDATES most recent are ranked (a deeper page ranks as many as it needs)
        instead of scoring every match (BM25 over all the documents holding "team" took ~1 s
        at 30,000 posts). Where matches are dense (`first`, the first walk's matches, tells),
        the documents are walked by date until enough match; where they are sparse, every
        match is listed (cheaper than checking many documents that do not match)."""
        searcher = lease.searcher
        relevance = order == Order.RELEVANCE
        if relevance:
            wanted = max(RANK_CANDIDATES, wanted)
        newest = order != Order.OLDEST
        density = len(first) / (first[-1] + 1)
        scores: dict[int, float] = {}
        if density < DENSE_MATCHES and not loosened(compiled.matching)[1]:
            every = searcher.docs_for_query(compiled.matching)
            visible = [d for d in every if not (mask and d in mask)]
            created = searcher.reader().column_reader("created")
            pick = heapq.nlargest if newest else heapq.nsmallest
            found = pick(wanted, visible, key=lambda d: (created[d], d))
            if relevance:
                scores = scores_of(searcher, compiled.matching, sorted(found))
        else:
            dated = by_date(self._dated(lease), newest=newest)
            found = []
            chunk = max(DATE_CHUNK_MIN, int(wanted / density * 1.5))
            while len(found) < wanted:
                batch = [d for _, d in zip(range(chunk), dated, strict=False)]
                if not batch:
                    break
                visible = sorted(d for d in batch if not (mask and d in mask))
                matched = matching_among(searcher, compiled.matching, visible)
                found += [d for d in batch if d in matched]
                scores.update(matched)
                chunk *= 2
        found = found[:wanted]
        if not relevance:
            return [(docnum, 0.0) for docnum in found]
        top = sorted(((d, scores.get(d, 0.0)) for d in found), key=lambda item: -item[1])
        return self._rerank(searcher, top, compiled)

    def _dated(self, lease: Lease) -> list[tuple[int, list[tuple[int, int]]]]:
        """Each segment's (offset, [(created, docnum)] by date), cached per segment."""
        parts = []
        for leaf, offset in lease.searcher.leaf_searchers():
            segment = segment_id(leaf)
            key = (lease.folder, segment)
            with self._lock:
                rows = self._dates.get(key) if segment is not None else None
            if rows is None:
                column = leaf.reader().column_reader("created")
                rows = sorted((created, docnum) for docnum, created in enumerate(column))
                if segment is not None:
                    with self._lock:
                        self._dates[key] = rows
                        while len(self._dates) > SEGMENTS_CACHED_MAX:
                            self._dates.popitem(last=False)
            parts.append((offset, rows))
        return parts

    def _rerank(self, searcher, top, compiled: CompiledQuery) -> list[tuple[int, float]]:
        """The second phase of ranking, on the top RERANK_WINDOW of the first (BM25 over `all`,
        which Whoosh computes with block skipping): exact-phrase documents first, then the score
        lifted by the share of the query's words found in the title (up to x3) and in the tags
        (up to x2), times the recency boost. Deeper results keep the first phase's order."""
        now = utcnow()
        window, rest = top[:RERANK_WINDOW], top[RERANK_WINDOW:]
        docnums = sorted(d for d, _ in window)
        phrased = phrase_docs(searcher, compiled.phrase, docnums) if compiled.phrase else set()
        stems = sorted(compiled.highlight_terms)
        in_title, in_tags = {}, {}
        for stem in stems:
            for docnum in docs_matching(searcher, wq.Term("title", stem), docnums):
                in_title[docnum] = in_title.get(docnum, 0) + 1
            for docnum in docs_matching(searcher, wq.Term("tags_text", stem), docnums):
                in_tags[docnum] = in_tags.get(docnum, 0) + 1
        updated = searcher.reader().column_reader("updated")
        share = 1 / max(1, len(stems))
        title_lift, tags_lift = FIELD_WEIGHTS["title"] - 1, FIELD_WEIGHTS["tags"] - 1

        def key(item):
            docnum, score = item
            lift = 1 + title_lift * in_title.get(docnum, 0) * share
            lift += tags_lift * in_tags.get(docnum, 0) * share
            changed = datetime.fromtimestamp(updated[docnum], UTC)
            return (docnum in phrased, score * lift * recency_factor(changed, now))

        reranked = sorted(window, key=key, reverse=True)
        return [(d, key((d, s))[1]) for d, s in reranked] + rest

    def _spelling_candidates(self, token: str) -> Iterable[str]:
        with self._searcher() as lease:
            words: set[str] = set()
            for leaf, _offset in lease.searcher.reader().leaf_readers():
                words.update(
                    leaf.terms_within("words", token, correction_distance(token), prefix=1)
                )
            return words

    # --- warming up -----------------------------------------------------------------------------

    def warm(self) -> int:
        """Read what the first search would: open a searcher (kept in the pool), the documents
        of every permission word and the date order, per segment (cached ones are skipped).
        Called in the background at app start and after each indexing job, so the first search
        after a start (5-6 s at 100,000 documents) or a commit does not wait. Returns the
        number of permission words read."""
        with self._searcher() as lease:
            words = self._permissions.read_words(lease.folder, lease.searcher)
            self._dated(lease)
        return words

    # --- writing --------------------------------------------------------------------------------

    def writer_lock(self, timeout: float) -> AbstractContextManager:
        return hold_writer_lock(self.root, timeout)

    def exists(self) -> bool:
        try:
            with self._searcher():
                return True
        except SearchUnavailable:
            return False

    def apply(self, documents: list[SearchDocument], deleted_keys: list[str]) -> None:
        apply_changes(self._writable_index(), documents, deleted_keys)

    def rebuild(
        self, batches: Iterator[tuple[int, list[SearchDocument]]], progress: ProgressCallback
    ) -> int:
        folder, count = build_index(self.root, self._schema, batches, progress)
        switch_to(self.root, folder)
        # Segments of the old folder are gone: forget what was cached about them.
        with self._lock:
            self._dates.clear()
        self._permissions.clear()
        return count

    def clear(self) -> None:
        self.rebuild(iter(()), lambda done: None)

    def status(self) -> BackendStatus:
        try:
            with self._searcher() as lease:
                searcher = lease.searcher
                documents = {}
                for doc_type in DOCUMENT_TYPES:
                    found = searcher.search(wq.Term("type", doc_type), limit=None, scored=False)
                    documents[doc_type] = len(found)
                folder = self.root / lease.folder
                modified = max(p.stat().st_mtime for p in folder.iterdir())
        except SearchUnavailable as error:
            return BackendStatus(self.name, False, error.detail, location=str(self.root))
        except OSError as error:
            return BackendStatus(self.name, False, str(error), location=str(self.root))
        return BackendStatus(
            self.name,
            True,
            "The index is readable.",
            documents,
            datetime.fromtimestamp(modified, UTC),
            str(folder),
        )
