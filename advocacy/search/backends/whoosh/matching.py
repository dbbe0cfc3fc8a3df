"""Checking given documents against a Whoosh query, cheaply (the Whoosh backend's helpers).

Whoosh finds matches by walking posting lists from the first document on. Two of our searches
need the opposite: whether some known documents match (the rerank window, the most recent
documents of a very common search). Skipping a matcher to each of them is cheap for words,
AND, OR and NOT, but not for a phrase: Whoosh's phrase matcher, skipped to a document, goes on
checking word positions in every following document holding all the words until one holds the
phrase (for two common words, most of the index). `phrase_docs` reads the words' positions in
the given documents only.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator

from whoosh import query as wq


def docs_matching(searcher, query: wq.Query | None, docnums: list[int]) -> set[int]:
    """Which of `docnums` (ascending) match `query` (no phrase inside: see phrase_docs)."""
    if query is None or not docnums:
        return set()
    matcher = query.matcher(searcher)
    found = set()
    for docnum in docnums:
        if not matcher.is_active():
            break
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
        if matcher.is_active() and matcher.id() == docnum:
            found.add(docnum)
    return found


def phrase_docs(searcher, phrase: wq.Phrase, docnums: list[int]) -> set[int]:
    """Which of `docnums` (ascending) hold the phrase: each word's positions are read in those
    documents only. Same rule as Whoosh's Phrase: each word 1 to `slop` positions after the
    previous one."""
    field = phrase.fieldname
    lexicon = searcher.reader()
    if not docnums or any((field, word) not in lexicon for word in phrase.words):
        return set()
    matchers = [searcher.postings(field, word) for word in phrase.words]
    found = set()
    for docnum in docnums:
        positions = []
        for matcher in matchers:
            if matcher.is_active() and matcher.id() < docnum:
                matcher.skip_to(docnum)
            if not matcher.is_active():
                return found
            if matcher.id() != docnum:
                break
            positions.append(matcher.value_as("positions"))
        else:
            if in_sequence(positions, phrase.slop):
                found.add(docnum)
    return found


def in_sequence(positions: list[Iterable[int]], slop: int) -> bool:
    """True when one position can be picked per list, each 1..slop after the one before."""
    ends = set(positions[0])
    for following in positions[1:]:
        ends = {p for p in following if any(1 <= p - end <= slop for end in ends)}
        if not ends:
            return False
    return True


def loosened(query: wq.Query) -> tuple[wq.Query, list[wq.Phrase]]:
    """`query` with its required phrases (top-level AND parts) replaced by their words, and
    those phrases: documents matching the first and holding every phrase match `query`."""
    if isinstance(query, wq.Phrase):
        return wq.And([wq.Term(query.fieldname, w) for w in query.words]), [query]
    if isinstance(query, wq.And):
        parts, phrases = [], []
        for part in query.subqueries:
            loose, found = loosened(part)
            parts.append(loose)
            phrases += found
        return wq.And(parts), phrases
    if isinstance(query, wq.AndNot):
        loose, phrases = loosened(query.a)
        return wq.AndNot(loose, query.b), phrases
    return query, []


def matching_among(searcher, query: wq.Query, docnums: list[int]) -> dict[int, float]:
    """Which of `docnums` (ascending) match `query` (required phrases checked per document),
    with their first-phase score (the searcher's weighting, BM25; phrases score as their words)
    read in the same pass."""
    _loose, phrases = loosened(query)
    found = scores_of(searcher, query, docnums)
    for phrase in phrases:
        holding = phrase_docs(searcher, phrase, sorted(found))
        found = {d: score for d, score in found.items() if d in holding}
    return found


def first_matches(searcher, query: wq.Query, mask, stop: int, chunk: int = 512) -> list[int]:
    """The first `stop` matching documents outside `mask` (ascending). Required phrases are
    checked on chunks of the documents holding their words, not by Whoosh's phrase matcher."""
    loose, phrases = loosened(query)
    candidates = (d for d in searcher.docs_for_query(loose) if not (mask and d in mask))
    if not phrases:
        return [d for _, d in zip(range(stop), candidates, strict=False)]
    found: list[int] = []
    while len(found) < stop:
        batch = [d for _, d in zip(range(chunk), candidates, strict=False)]
        if not batch:
            break
        for phrase in phrases:
            batch = sorted(phrase_docs(searcher, phrase, batch))
        found += batch
    return found[:stop]


def scores_of(searcher, query: wq.Query, docnums: list[int]) -> dict[int, float]:
    """The first-phase score (the searcher's weighting: BM25) of each of `docnums` (ascending)
    that `query`'s matcher reaches."""
    loose, _phrases = loosened(query)
    matcher = loose.matcher(searcher, searcher.context())
    scores = {}
    for docnum in docnums:
        if not matcher.is_active():
            break
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
        if matcher.is_active() and matcher.id() == docnum:
            scores[docnum] = matcher.score()
    return scores


def by_date(parts: list[tuple[int, list[tuple[int, int]]]], newest: bool) -> Iterator[int]:
    """Docnums of the whole index in date order, from each segment's (offset, [(created,
    docnum)] ascending): the segments' lists merged lazily."""
    if newest:
        runs = (((-c, -(d + off)) for c, d in reversed(rows)) for off, rows in parts)
        return (-negated for _, negated in heapq.merge(*runs))
    runs = (((c, d + off) for c, d in rows) for off, rows in parts)
    return (docnum for _, docnum in heapq.merge(*runs))
