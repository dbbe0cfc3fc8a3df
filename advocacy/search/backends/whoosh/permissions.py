"""The Whoosh backend's permission masks: the documents a reader may not see, cached per segment.

A mask lists the documents the reader may NOT see (usually few), built from positive terms only
(an inverted query would walk every document). Segments never change once written (deleted
documents are dropped by the reader anyway), so each segment's part of a mask is cached per
reader signature and minute (publish windows): after a commit only the new segment's part is
computed, not the whole index's again. A permission word's documents are read straight from its
posting list and kept per segment, whoever reads: a union matcher over 40 spaces' words took
seconds on 100,000 documents.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from whoosh import query as wq
from whoosh.idsets import BitSet

from advocacy.search.backends.whoosh.schema import EVERYONE, NO_SPACE
from advocacy.search.documents import match_key
from advocacy.search.permissions import Reader

MASK_CACHE_MAX = 1024  # whole-index masks and their per-segment parts
SEGMENTS_CACHED_MAX = 64  # segments whose permission words' documents are kept
PERMISSION_FIELDS = ("space", "aud_teams", "aud_locations", "aud_languages")


def segment_id(leaf) -> str | None:
    """The id of a leaf searcher's segment (None for a reader without one: never cached)."""
    reader = leaf.reader()
    segment = reader.segment() if hasattr(reader, "segment") else None
    return segment.segment_id() if segment is not None else None


def hidden_query(searcher, reader: Reader, now: int) -> wq.Query | None:
    """What the reader may not see, in positive terms: spaces not theirs, content aimed
    elsewhere, outside its publish window."""
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


class PermissionMasks:
    """Readers' masks and the permission words' documents, cached per index folder and segment
    (shared by every searcher of the backend, so it keeps its own lock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._masks: OrderedDict = OrderedDict()
        self._term_docs: OrderedDict = OrderedDict()  # (folder, segment) -> {(field, term): docs}

    def mask(self, folder: str, generation: int, searcher, reader: Reader):
        """Documents of the searcher the reader may not see, as a BitSet, or None."""
        minute = int(time.time() // 60)
        whole_key = (folder, generation, reader.signature, minute)
        with self._lock:
            mask = self._masks.get(whole_key)
            if mask is not None:
                self._masks.move_to_end(whole_key)
                return mask or None
        docs: list[int] = []
        for leaf, offset in searcher.leaf_searchers():
            segment = segment_id(leaf)
            part_key = (folder, segment, reader.signature, minute)
            with self._lock:
                part = self._masks.get(part_key) if segment is not None else None
            if part is None:
                hidden = hidden_query(leaf, reader, minute * 60)
                part = self._hidden_docs(folder, leaf, hidden)
                if segment is not None:
                    self._remember(part_key, part)
            docs.extend(docnum + offset for docnum in part)
        mask = BitSet(docs, size=searcher.doc_count_all()) if docs else False
        self._remember(whole_key, mask)
        return mask or None

    def read_words(self, folder: str, searcher) -> int:
        """Read every permission word's documents of every segment (cached ones are skipped),
        for the warm-up; returns how many words there are."""
        words = 0
        for leaf, _offset in searcher.leaf_searchers():
            lexicon = leaf.reader()
            for field in PERMISSION_FIELDS:
                for text in lexicon.lexicon(field):
                    self._docs_of_term(folder, leaf, field, text.decode())
                    words += 1
        return words

    def clear(self) -> None:
        """Forget everything (the index was rebuilt, or the backend closed)."""
        with self._lock:
            self._masks.clear()
            self._term_docs.clear()

    def _hidden_docs(self, folder: str, leaf, hidden: wq.Query | None) -> tuple[int, ...]:
        """The documents of one segment matching the hidden query."""
        if hidden is None:
            return ()
        docs: set[int] = set()
        for part in hidden.subqueries if isinstance(hidden, wq.Or) else [hidden]:
            if isinstance(part, wq.Term) and part.fieldname in PERMISSION_FIELDS:
                docs.update(self._docs_of_term(folder, leaf, part.fieldname, part.text))
            else:
                docs.update(leaf.docs_for_query(part))
        return tuple(sorted(docs))

    def _docs_of_term(self, folder: str, leaf, field: str, text: str) -> tuple[int, ...]:
        """One permission word's documents in one segment, from its posting list (cached)."""
        segment = segment_id(leaf)
        if segment is None:
            return tuple(leaf.docs_for_query(wq.Term(field, text)))
        key = (folder, segment)
        with self._lock:
            terms = self._term_docs.setdefault(key, {})
            self._term_docs.move_to_end(key)
            while len(self._term_docs) > SEGMENTS_CACHED_MAX:
                self._term_docs.popitem(last=False)
            docs = terms.get((field, text))
        if docs is None:
            reader = leaf.reader()
            found = (field, text) in reader
            docs = tuple(reader.postings(field, text).all_ids()) if found else ()
            with self._lock:
                terms[(field, text)] = docs
        return docs

    def _remember(self, key, value) -> None:
        with self._lock:
            self._masks[key] = value
            while len(self._masks) > MASK_CACHE_MAX:
                self._masks.popitem(last=False)
