"""The embedded default: a Whoosh index on disk (whoosh3: maintained, the original index format).

Layout of SEARCH_INDEX_DIR: `CURRENT` names the live index folder (`ix-<time>-<random>`); a rebuild
writes a new folder and replaces `CURRENT` atomically (os.replace), so readers switch between two
searches and never see a half-built index. `writer.lock` (flock) admits one writer at a time across
processes: the search queue's worker, `flask search reindex`, the embedded in-process jobs.

Reading: searchers are pooled, each used by one request at a time (a Whoosh reader's files keep a
position, so one searcher must not serve two threads at once), and are replaced when the index's
generation changes (a cheap directory listing per search).

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
"""

from __future__ import annotations

import fcntl
import heapq
import logging
import os
import secrets
import shutil
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from markupsafe import Markup, escape
from whoosh import highlight, index
from whoosh import query as wq

from advocacy.models_base import utcnow
from advocacy.search.backends.base import (
    FIELD_WEIGHTS,
    MAX_RESULTS,
    PREFIX_EXPANSIONS_MAX,
    RANK_CANDIDATES,
    RERANK_WINDOW,
    SNIPPET_CHARS,
    BackendStatus,
    ProgressCallback,
    SearchBackend,
    SearchHit,
    SearchUnavailable,
    WriterBusy,
    correction_distance,
    plain_snippet,
    recency_factor,
)
from advocacy.search.backends.whoosh_matching import (
    by_date,
    docs_matching,
    first_matches,
    loosened,
    matching_among,
    phrase_docs,
    scores_of,
)
from advocacy.search.backends.whoosh_permissions import (
    SEGMENTS_CACHED_MAX,
    PermissionMasks,
    segment_id,
)
from advocacy.search.backends.whoosh_schema import document_fields, make_schema, text_analyzer
from advocacy.search.documents import (
    DOCUMENT_TYPES,
    SearchDocument,
    utc_timestamp,
)
from advocacy.search.permissions import Reader
from advocacy.search.query import (
    AnyOf,
    Order,
    ParsedQuery,
    Phrase,
    Word,
)

log = logging.getLogger("advocacy.search.whoosh")

CURRENT = "CURRENT"
LOCK_FILE = "writer.lock"
PREFIX_SCAN_MAX = 5000  # vocabulary words looked at for one prefix
POOL_IDLE_MAX = 8
MERGE_AFTER_SEGMENTS = 8
DATE_CHUNK_MIN = 500  # documents looked at first, by date, for a very common search
DENSE_MATCHES = 0.2  # a very common search matching fewer documents than this lists them all
UNAVAILABLE = "Search is unavailable: the index cannot be read. It is rebuilt automatically; an "


def _guarded(action):
    """(True, action()) or, when reading the index fails, (False, the reason): the caller then
    answers "unavailable". Whoosh leaves files open when it fails on damaged files; they are
    closed as the error is dropped, inside this function, which silences their ResourceWarning.
    The traceback is logged at debug level only: a damaged index is an operations problem."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return True, action()
        except SearchUnavailable:
            raise
        except Exception as error:
            log.debug("search index error", exc_info=True)
            return False, repr(error)[:500]


class SafeFormatter(highlight.Formatter):
    """Highlights as safe HTML: every character escaped, matched words wrapped in <mark>."""

    between = " … "

    def _text(self, text: str) -> str:
        return str(escape(text))

    def format_token(self, text, token, replace=False):
        return f"<mark>{escape(highlight.get_text(text, token, replace))}</mark>"


@dataclass
class _Lease:
    """A searcher of one index folder and generation, used by one request at a time."""

    folder: str
    searcher: object
    generation: int
    broken: bool = False
    pid: int = field(default_factory=os.getpid)  # a forked process must not share its files


@dataclass
class _Compiled:
    """A query compiled for Whoosh: what must match, the whole-query phrase, the words (stems)
    to lift by and to highlight."""

    matching: wq.Query
    phrase: wq.Query | None
    highlight_terms: frozenset[str]


class WhooshBackend(SearchBackend):
    """Whoosh, on one machine."""

    name = "whoosh"

    def __init__(self, root: str):
        self.root = Path(root)
        self._schema = make_schema()
        self._analyzer = text_analyzer()
        self._lock = threading.Lock()
        self._idle: list[_Lease] = []
        self._indexes: dict = {}
        self._permissions = PermissionMasks()
        self._dates: OrderedDict = OrderedDict()  # (folder, segment) -> [(created, docnum)]

    # --- the live folder and the searcher pool --------------------------------------------------

    def _current_folder(self) -> str:
        try:
            name = (self.root / CURRENT).read_text().strip()
        except FileNotFoundError:
            raise SearchUnavailable(
                "Search is unavailable: the index has not been built yet. It is built "
                "automatically after the next change, or by an admin (flask search reindex)."
            ) from None
        except (OSError, UnicodeDecodeError) as error:  # unreadable, or scribbled over
            raise SearchUnavailable(f"{UNAVAILABLE}admin can rebuild it now.") from error
        if not name.startswith("ix-") or "/" in name:
            raise SearchUnavailable(f"{UNAVAILABLE}admin can rebuild it now.")
        return name

    @contextmanager
    def _searcher(self):
        lease = self._acquire()
        try:
            yield lease
        finally:
            self._release(lease)

    def _acquire(self) -> _Lease:
        folder = self._current_folder()
        opened, lease = _guarded(lambda: self._lease(folder))
        if opened:
            return lease
        with self._lock:
            self._indexes.pop(folder, None)
        log.error("cannot open the search index %s: %s", self.root / folder, lease)
        raise SearchUnavailable(f"{UNAVAILABLE}admin can rebuild it now.")

    def _lease(self, folder: str) -> _Lease:
        """An idle searcher of the folder's latest generation, or a new one. (Whoosh's
        `Searcher.refresh()` reuses unchanged segments' readers, but a reused reader kept
        showing documents deleted since: every new generation gets a new searcher.)"""
        ix = self._index(folder)
        generation = ix.latest_generation()
        with self._lock:
            while self._idle:
                lease = self._idle.pop()
                if lease.pid != os.getpid():
                    continue  # opened before a fork: its files' positions are shared
                if lease.folder == folder and lease.generation == generation:
                    return lease
                lease.searcher.close()
        searcher = ix.searcher()
        return _Lease(folder, searcher, searcher.reader().generation())

    def _index(self, folder: str):
        """The opened index of a folder (kept: opening reads and unpickles the schema)."""
        with self._lock:
            cached = self._indexes.get(folder)
        if cached is None:
            cached = index.open_dir(str(self.root / folder), schema=self._schema)
            with self._lock:
                self._indexes = {folder: cached}  # older folders are gone after a rebuild
        return cached

    def _release(self, lease: _Lease) -> None:
        with self._lock:
            if not lease.broken and len(self._idle) < POOL_IDLE_MAX:
                self._idle.append(lease)
                return
        lease.searcher.close()

    def close(self) -> None:
        with self._lock:
            for lease in self._idle:
                lease.searcher.close()
            self._idle.clear()
            self._dates.clear()
        self._permissions.clear()

    # --- searching ------------------------------------------------------------------------------

    def _run(self, query: ParsedQuery, reader: Reader, offset: int, limit: int):
        with self._searcher() as lease:
            done, outcome = _guarded(lambda: self._run_with(lease, query, reader, offset, limit))
            if done:
                return outcome
            lease.broken = True  # never reuse a searcher that failed
            log.error("search failed on the index %s: %s", self.root / lease.folder, outcome)
            raise SearchUnavailable(f"{UNAVAILABLE}admin can rebuild it now.")

    def _run_with(self, lease: _Lease, query: ParsedQuery, reader: Reader, offset, limit):
        searcher = lease.searcher
        compiled = self._compile(searcher, query)
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
        return total, [self._hit(searcher, docnum, score, compiled) for docnum, score in page]

    def _very_common(self, lease, compiled: _Compiled, mask, order, wanted: int, first):
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

    def _dated(self, lease: _Lease) -> list[tuple[int, list[tuple[int, int]]]]:
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

    def _rerank(self, searcher, top, compiled: _Compiled) -> list[tuple[int, float]]:
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

    def _hit(self, searcher, docnum: int, score: float, compiled: _Compiled) -> SearchHit:
        stored = searcher.stored_fields(docnum)
        title, body = stored.get("title", ""), stored.get("body", "")
        terms = compiled.highlight_terms
        return SearchHit(
            key=stored["key"],
            type=stored["type"],
            title=title,
            title_html=self._highlight(title, terms, whole=True) or escape(title),
            snippet_html=self._highlight(body, terms) or plain_snippet(body),
            score=round(float(score), 4),
            url=stored.get("url", ""),
            author_name=stored.get("author_name", ""),
            space_name=stored.get("space_name", ""),
            tags=tuple(stored.get("tag_names") or ()),
            created_at=datetime.fromtimestamp(stored["created"], UTC),
            updated_at=datetime.fromtimestamp(stored["updated"], UTC),
        )

    def _highlight(self, text: str, terms: frozenset[str], whole: bool = False) -> Markup:
        if not text or not terms:
            return Markup("")
        fragmenter = (
            highlight.WholeFragmenter()
            if whole
            else highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
        )
        marked = highlight.highlight(
            text, terms, self._analyzer, fragmenter, SafeFormatter(), top=2
        )
        return Markup(marked)  # noqa: S704 - SafeFormatter escaped every character

    # --- compiling the AST ----------------------------------------------------------------------

    def _compile(self, searcher, query: ParsedQuery) -> _Compiled:
        highlight_terms: set[str] = set()
        field = "title" if query.title_only else "all"
        required = []
        for clause in query.required:
            compiled = self._clause(searcher, clause, field, highlight_terms)
            required.append(compiled if compiled is not None else wq.NullQuery)
        required += self._filters(query)
        matching = wq.And(required) if required else wq.Every()
        excluded = [self._clause(searcher, c, field, set()) for c in query.excluded]
        excluded = [q for q in excluded if q is not None]
        if excluded:
            matching = wq.AndNot(matching, wq.Or(excluded))
        return _Compiled(matching, self._phrase_bonus(query), frozenset(highlight_terms))

    def _stems(self, text: str) -> list[str]:
        return [token.text for token in self._analyzer(text, mode="query")]

    def _phrase(self, text: str, field: str) -> wq.Query | None:
        """An exact phrase. Common words are not indexed but keep their place (like PostgreSQL's
        phrases): "state of the art" matches "state" and "art" three positions apart."""
        # (the analyzer yields one Token object over and over: copy what is needed)
        tokens = [(t.text, t.pos) for t in self._analyzer(text, mode="query", positions=True)]
        if len(tokens) < 2:
            return None
        stems = [stem for stem, _ in tokens]
        slop = max(b[1] - a[1] for a, b in zip(tokens, tokens[1:], strict=False))
        return wq.Phrase(field, stems, slop=slop)

    def _clause(self, searcher, clause, field: str, highlight_terms: set) -> wq.Query | None:
        if isinstance(clause, AnyOf):
            options = [self._clause(searcher, o, field, highlight_terms) for o in clause.options]
            options = [o for o in options if o is not None]
            return wq.Or(options) if options else None
        if isinstance(clause, Word) and clause.prefix:
            stems = set()
            for word in self._expand_prefix(searcher, clause.tokens[0]):
                stems.update(self._stems(word))
            highlight_terms.update(stems)
            if not stems:
                return wq.NullQuery
            return wq.Or([wq.Term(field, s) for s in sorted(stems)])
        stems = self._stems(" ".join(clause.tokens))
        if not stems:
            return None  # only common words ("the"): they match everything, so they add nothing
        highlight_terms.update(stems)
        if isinstance(clause, Phrase) and len(stems) > 1:
            return self._phrase(" ".join(clause.tokens), field)
        parts = [wq.Term(field, s) for s in stems]
        return parts[0] if len(parts) == 1 else wq.And(parts)

    def _phrase_bonus(self, query: ParsedQuery) -> wq.Query | None:
        """The query's words as one phrase: documents holding it come first (in the window)."""
        words = [c for c in query.required if isinstance(c, Word) and not c.prefix]
        field = "title" if query.title_only else "all"
        return self._phrase(" ".join(" ".join(w.tokens) for w in words), field)

    def _filters(self, query: ParsedQuery) -> list[wq.Query]:
        filters: list[wq.Query] = []

        def any_of(field: str, values: Iterable[str]) -> wq.Query:
            terms = [wq.Term(field, v) for v in values]
            return terms[0] if len(terms) == 1 else wq.Or(terms)

        if query.types:
            filters.append(any_of("type", query.types))
        if query.authors:
            filters.append(any_of("author_keys", query.authors))
        if query.spaces:
            filters.append(any_of("space_keys", query.spaces))
        for group in query.tag_groups:
            filters.append(any_of("tag_keys", group))
        if query.statuses:
            filters.append(any_of("statuses", query.statuses))
        if query.after or query.before:
            start = utc_timestamp(query.after) if query.after else None
            end = utc_timestamp(query.before) - 1 if query.before else None
            filters.append(wq.NumericRange("created", start, end))
        return filters

    def _expand_prefix(self, searcher, prefix: str) -> list[str]:
        """The most frequent whole words starting with `prefix` (bounded, see module doc)."""
        reader = searcher.reader()
        scanned = islice(reader.iter_prefix("words", prefix), PREFIX_SCAN_MAX)
        frequent = sorted(scanned, key=lambda item: -item[1].doc_frequency())
        return [text.decode("utf-8") for text, _ in frequent[:PREFIX_EXPANSIONS_MAX]]

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

    @contextmanager
    def writer_lock(self, timeout: float) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + timeout
        with open(self.root / LOCK_FILE, "a+") as handle:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise WriterBusy("another process is writing the search index") from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def exists(self) -> bool:
        try:
            with self._searcher():
                return True
        except SearchUnavailable:
            return False

    def _writable_index(self):
        return self._index(self._current_folder())

    def apply(self, documents: list[SearchDocument], deleted_keys: list[str]) -> None:
        if not documents and not deleted_keys:
            return
        writer = self._writable_index().writer(timeout=30.0)
        try:
            for key in deleted_keys:
                writer.delete_by_term("key", key)
            for document in documents:
                writer.update_document(**document_fields(document))
        except BaseException:
            writer.cancel()
            raise
        # Small segments are merged only once there are several: merging on every commit made
        # a new post wait for the merge, and readers reopen what a merge rewrote.
        writer.commit(merge=len(writer.segments) >= MERGE_AFTER_SEGMENTS)

    def rebuild(
        self, batches: Iterator[tuple[int, list[SearchDocument]]], progress: ProgressCallback
    ) -> int:
        self.root.mkdir(parents=True, exist_ok=True)
        folder = f"ix-{utcnow():%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
        path = self.root / folder
        path.mkdir()
        count = read = 0
        try:
            writer = index.create_in(str(path), self._schema).writer(limitmb=256)
            try:
                for rows, documents in batches:
                    for document in documents:
                        writer.add_document(**document_fields(document))
                    count += len(documents)
                    read += rows
                    progress(read)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        self._switch_to(folder)
        return count

    def _switch_to(self, folder: str) -> None:
        """Point CURRENT at `folder` atomically, then remove the other index folders (readers
        that still hold their files open keep reading them until they let go)."""
        pending = self.root / f"{CURRENT}.{folder}"
        with open(pending, "w") as handle:
            handle.write(folder)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(pending, self.root / CURRENT)
        for old in self.root.glob("ix-*"):
            if old.name != folder:
                shutil.rmtree(old, ignore_errors=True)
        with self._lock:
            self._dates.clear()
        self._permissions.clear()

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
