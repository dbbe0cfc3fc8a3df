"""Compiling a parsed query to Whoosh queries: what must match, the whole-query phrase, and the
words to lift by and to highlight."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

from whoosh import query as wq

from advocacy.search.backends.base import PREFIX_EXPANSIONS_MAX
from advocacy.search.documents import utc_timestamp
from advocacy.search.query.nodes import AnyOf, ParsedQuery, Phrase, Word

PREFIX_SCAN_MAX = 5000  # vocabulary words looked at for one prefix


@dataclass
class CompiledQuery:
    """A query compiled for Whoosh: what must match, the whole-query phrase, the words (stems)
    to lift by and to highlight."""

    matching: wq.Query
    phrase: wq.Query | None
    highlight_terms: frozenset[str]


class QueryCompiler:
    """Compiles the AST with the index's own analyzer, so query words are stemmed like the
    documents' words."""

    def __init__(self, analyzer) -> None:
        self._analyzer = analyzer

    def compile(self, searcher, query: ParsedQuery) -> CompiledQuery:
        """The query for the searcher's index (prefixes expand to its vocabulary)."""
        highlight_terms: set[str] = set()
        field = "title" if query.title_only else "all"
        required = []
        for clause in query.required:
            compiled = self._clause(searcher, clause, field, highlight_terms)
            required.append(compiled if compiled is not None else wq.NullQuery)
        required += query_filters(query)
        matching = wq.And(required) if required else wq.Every()
        excluded = [self._clause(searcher, c, field, set()) for c in query.excluded]
        excluded = [q for q in excluded if q is not None]
        if excluded:
            matching = wq.AndNot(matching, wq.Or(excluded))
        return CompiledQuery(matching, self._phrase_bonus(query), frozenset(highlight_terms))

    def stems(self, text: str) -> list[str]:
        """The words of `text` as the index holds them (folded, common words dropped, stemmed)."""
        return [token.text for token in self._analyzer(text, mode="query")]

    def phrase(self, text: str, field: str) -> wq.Query | None:
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
            for word in expand_prefix(searcher, clause.tokens[0]):
                stems.update(self.stems(word))
            highlight_terms.update(stems)
            if not stems:
                return wq.NullQuery
            return wq.Or([wq.Term(field, s) for s in sorted(stems)])
        stems = self.stems(" ".join(clause.tokens))
        if not stems:
            return None  # only common words ("the"): they match everything, so they add nothing
        highlight_terms.update(stems)
        if isinstance(clause, Phrase) and len(stems) > 1:
            return self.phrase(" ".join(clause.tokens), field)
        parts = [wq.Term(field, s) for s in stems]
        return parts[0] if len(parts) == 1 else wq.And(parts)

    def _phrase_bonus(self, query: ParsedQuery) -> wq.Query | None:
        """The query's words as one phrase: documents holding it come first (in the window)."""
        words = [c for c in query.required if isinstance(c, Word) and not c.prefix]
        field = "title" if query.title_only else "all"
        return self.phrase(" ".join(" ".join(w.tokens) for w in words), field)


def query_filters(query: ParsedQuery) -> list[wq.Query]:
    """The queries of the operators (types, authors, spaces, tags, statuses, dates)."""
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


def expand_prefix(searcher, prefix: str) -> list[str]:
    """The most frequent whole words starting with `prefix`: at most PREFIX_EXPANSIONS_MAX of
    the first PREFIX_SCAN_MAX in the unstemmed vocabulary field, never every such term."""
    reader = searcher.reader()
    scanned = islice(reader.iter_prefix("words", prefix), PREFIX_SCAN_MAX)
    frequent = sorted(scanned, key=lambda item: -item[1].doc_frequency())
    return [text.decode("utf-8") for text, _ in frequent[:PREFIX_EXPANSIONS_MAX]]
