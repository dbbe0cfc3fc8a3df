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
  from positive terms only and cached per segment and permission signature (a commit adds one
  small segment: only its part of each mask is computed then).
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
from whoosh import fields, highlight, index
from whoosh import query as wq
from whoosh.analysis import Filter, RegexTokenizer, StemFilter, StopFilter
from whoosh.idsets import BitSet

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
from advocacy.search.documents import (
    DOCUMENT_TYPES,
    SearchDocument,
    fold,
    match_key,
    utc_timestamp,
)
from advocacy.search.permissions import Reader
from advocacy.search.query import (
    STOP_WORDS,
    AnyOf,
    Order,
    ParsedQuery,
    Phrase,
    Word,
    word_tokens,
)

log = logging.getLogger("advocacy.search.whoosh")

CURRENT = "CURRENT"
LOCK_FILE = "writer.lock"
EVERYONE = "*"  # the audience token of a dimension that targets nobody in particular
NO_SPACE = "_none"
FOREVER = 2**62
PREFIX_SCAN_MAX = 5000  # vocabulary words looked at for one prefix
POOL_IDLE_MAX = 8
MASK_CACHE_MAX = 1024  # whole-index masks and their per-segment parts
SEGMENTS_CACHED_MAX = 64  # segments whose permission words' documents are kept
PERMISSION_FIELDS = ("space", "aud_teams", "aud_locations", "aud_languages")
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


class FoldFilter(Filter):
    """Case- and accent-folds tokens exactly like the query parser does."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold(token.text)
            yield token


def text_analyzer():
    """Words for matching: letters and digits, folded, common words dropped, stemmed."""
    stop = StopFilter(stoplist=STOP_WORDS, minsize=1, renumber=False)
    return RegexTokenizer(r"[^\W_]+") | FoldFilter() | stop | StemFilter()


def make_schema() -> fields.Schema:
    """The index's fields. Matching and counting use one field, `all` (title, tags and body, one
    posting list per word: multi-field OR matchers were the slowest part of a query); `title`
    and `tags_text` only add score to what `all` matched, and serve in:title."""
    text = text_analyzer()
    number = {"numtype": int, "bits": 64}
    return fields.Schema(
        key=fields.ID(stored=True, unique=True),
        type=fields.ID(stored=True),
        all=fields.TEXT(analyzer=text, phrase=True),
        title=fields.TEXT(analyzer=text, stored=True, phrase=True),
        tags_text=fields.TEXT(analyzer=text, phrase=False),
        body=fields.STORED(),
        words=fields.KEYWORD(),
        tag_names=fields.STORED(),
        tag_keys=fields.KEYWORD(),
        author_keys=fields.KEYWORD(),
        author_id=fields.STORED(),
        author_name=fields.STORED(),
        space=fields.ID(stored=True),
        space_keys=fields.KEYWORD(),
        space_name=fields.STORED(),
        aud_teams=fields.KEYWORD(),
        aud_locations=fields.KEYWORD(),
        aud_languages=fields.KEYWORD(),
        statuses=fields.KEYWORD(stored=True),
        created=fields.NUMERIC(stored=True, sortable=True, **number),
        updated=fields.NUMERIC(stored=True, sortable=True, **number),
        visible_from=fields.NUMERIC(**number),
        visible_until=fields.NUMERIC(**number),
        url=fields.STORED(),
    )


# Between the parts of `all`, so that a phrase never spans the end of a title and a body's start.
FIELD_GAP = " qqfieldgapqq "


def document_fields(doc: SearchDocument) -> dict:
    """A document as Whoosh fields."""
    audience = doc.audience
    tags = " ".join(doc.tags)
    vocabulary = set(word_tokens(f"{doc.title} {tags} {doc.body}")) - STOP_WORDS
    return {
        "key": doc.key,
        "type": doc.type,
        "all": FIELD_GAP.join((doc.title, tags, doc.body)),
        "title": doc.title,
        "tags_text": tags,
        "body": doc.body,
        "words": " ".join(sorted(vocabulary)),
        "tag_names": list(doc.tags),
        "tag_keys": " ".join(doc.tag_keys),
        "author_keys": " ".join(doc.author_keys),
        "author_id": doc.author_id,
        "author_name": doc.author_name,
        "space": str(doc.space_id) if doc.space_id is not None else NO_SPACE,
        "space_keys": " ".join(doc.space_keys),
        "space_name": doc.space_name,
        "aud_teams": " ".join(map(str, audience.teams)) or EVERYONE,
        "aud_locations": " ".join(map(match_key, audience.locations)) or EVERYONE,
        "aud_languages": " ".join(map(match_key, audience.languages)) or EVERYONE,
        "statuses": " ".join(doc.statuses),
        "created": utc_timestamp(doc.created_at),
        "updated": utc_timestamp(doc.updated_at),
        "visible_from": utc_timestamp(doc.visible_from) if doc.visible_from else 0,
        "visible_until": utc_timestamp(doc.visible_until) if doc.visible_until else FOREVER,
        "url": doc.url,
    }


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
        self._masks: OrderedDict = OrderedDict()
        self._term_docs: OrderedDict = OrderedDict()  # (folder, segment) -> {(field, term): docs}

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
            self._masks.clear()
            self._term_docs.clear()

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
        mask = self._mask(lease, reader)
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
            segment = leaf.reader().segment() if hasattr(leaf.reader(), "segment") else None
            key = ("dated", lease.folder, segment.segment_id() if segment else None)
            with self._lock:
                rows = self._masks.get(key) if segment is not None else None
            if rows is None:
                column = leaf.reader().column_reader("created")
                rows = sorted((created, docnum) for docnum, created in enumerate(column))
                if segment is not None:
                    self._remember(key, rows)
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

    # --- the permission mask --------------------------------------------------------------------

    def _mask(self, lease: _Lease, reader: Reader):
        """Documents the reader may not see. Segments never change once written (deleted
        documents are dropped by the reader anyway), so each segment's part is cached per
        reader signature and minute (publish windows): after a commit only the new segment's
        part is computed, not the whole index's again."""
        minute = int(time.time() // 60)
        searcher = lease.searcher
        whole_key = (lease.folder, lease.generation, reader.signature, minute)
        with self._lock:
            mask = self._masks.get(whole_key)
            if mask is not None:
                self._masks.move_to_end(whole_key)
                return mask or None
        docs: list[int] = []
        for leaf, offset in searcher.leaf_searchers():
            segment = leaf.reader().segment() if hasattr(leaf.reader(), "segment") else None
            part_key = (lease.folder, segment.segment_id() if segment else None)
            part_key += (reader.signature, minute)
            with self._lock:
                part = self._masks.get(part_key) if segment is not None else None
            if part is None:
                hidden = self._hidden_query(leaf, reader, minute * 60)
                part = self._hidden_docs(lease, leaf, hidden)
                if segment is not None:
                    self._remember(part_key, part)
            docs.extend(docnum + offset for docnum in part)
        mask = BitSet(docs, size=searcher.doc_count_all()) if docs else False
        self._remember(whole_key, mask)
        return mask or None

    def _hidden_docs(self, lease: _Lease, leaf, hidden: wq.Query | None) -> tuple[int, ...]:
        """The documents of one segment matching the hidden query. A permission word's
        documents are read straight from its posting list and kept per segment (whoever reads):
        a union matcher over 40 spaces' words took seconds on 100,000 documents, and the first
        search after a start waited for it."""
        if hidden is None:
            return ()
        docs: set[int] = set()
        for part in hidden.subqueries if isinstance(hidden, wq.Or) else [hidden]:
            if isinstance(part, wq.Term) and part.fieldname in PERMISSION_FIELDS:
                docs.update(self._docs_of_term(lease, leaf, part.fieldname, part.text))
            else:
                docs.update(leaf.docs_for_query(part))
        return tuple(sorted(docs))

    def _docs_of_term(self, lease: _Lease, leaf, field: str, text: str) -> tuple[int, ...]:
        reader = leaf.reader()
        segment = reader.segment() if hasattr(reader, "segment") else None
        if segment is None:
            return tuple(leaf.docs_for_query(wq.Term(field, text)))
        key = (lease.folder, segment.segment_id())
        with self._lock:
            terms = self._term_docs.setdefault(key, {})
            self._term_docs.move_to_end(key)
            while len(self._term_docs) > SEGMENTS_CACHED_MAX:
                self._term_docs.popitem(last=False)
            docs = terms.get((field, text))
        if docs is None:
            found = (field, text) in reader
            docs = tuple(reader.postings(field, text).all_ids()) if found else ()
            with self._lock:
                terms[(field, text)] = docs
        return docs

    def warm(self) -> int:
        """Read what the first search would: open a searcher (kept in the pool), the documents
        of every permission word and the date order, per segment (cached ones are skipped).
        Called in the background at app start and after each indexing job, so the first search
        after a start (5-6 s at 100,000 documents) or a commit does not wait. Returns the
        number of permission words read."""
        words = 0
        with self._searcher() as lease:
            for leaf, _offset in lease.searcher.leaf_searchers():
                lexicon = leaf.reader()
                for field in PERMISSION_FIELDS:
                    for text in lexicon.lexicon(field):
                        self._docs_of_term(lease, leaf, field, text.decode())
                        words += 1
            self._dated(lease)
        return words

    def _remember(self, key, value) -> None:
        with self._lock:
            self._masks[key] = value
            while len(self._masks) > MASK_CACHE_MAX:
                self._masks.popitem(last=False)

    def _hidden_query(self, searcher, reader: Reader, now: int) -> wq.Query | None:
        """What the reader may not see, in positive terms (an inverted query would walk every
        document): spaces not theirs, content aimed elsewhere, outside its publish window."""
        lexicon = searcher.reader()
        hidden: list[wq.Query] = []
        spaces = {s.decode() for s in lexicon.lexicon("space")} - {NO_SPACE}
        invisible = spaces - {str(s) for s in reader.space_ids}
        hidden += [wq.Term("space", s) for s in sorted(invisible)]
        if not reader.sees_all_audiences:
            dimensions = (
                ("aud_teams", {str(t) for t in reader.team_ids}),
                ("aud_locations", {match_key(reader.location)} - {""}),
                ("aud_languages", {match_key(lang) for lang in reader.languages} - {""}),
            )
            for field, mine in dimensions:
                targets = {t.decode() for t in lexicon.lexicon(field)} - {EVERYONE}
                others = sorted(targets - mine)
                if not others:
                    continue
                aimed_elsewhere = wq.Or([wq.Term(field, t) for t in others])
                if mine & targets:
                    ours = wq.Or([wq.Term(field, t) for t in sorted(mine & targets)])
                    aimed_elsewhere = wq.AndNot(aimed_elsewhere, ours)
                hidden.append(aimed_elsewhere)
        hidden.append(wq.NumericRange("visible_from", now + 1, None))
        hidden.append(wq.NumericRange("visible_until", None, now))
        return wq.Or(hidden) if hidden else None

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
            self._masks.clear()
            self._term_docs.clear()

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
