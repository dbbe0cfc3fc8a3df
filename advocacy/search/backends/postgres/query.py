"""Compiling a parsed query and its reader to PostgreSQL conditions: constant tsqueries, the
operators' filters and the reader's permission filter."""

from __future__ import annotations

from sqlalchemy import Text, and_, cast, func, literal, or_, select
from sqlalchemy.dialects.postgresql import TSQUERY

from advocacy.models_base import utcnow
from advocacy.search.backends.postgres.sql import (
    DOCS,
    PAIRS_OF_TEXT,
    combine,
    empty_array,
    overlaps,
    quoted,
    regconfig,
)
from advocacy.search.backends.postgres.vocabulary import expand_prefix
from advocacy.search.permissions import Reader
from advocacy.search.query.nodes import STOP_WORDS, AnyOf, ParsedQuery, Phrase, Word


def visible_to(reader: Reader):
    """The reader's permission filter, evaluated by PostgreSQL with the query."""
    now = utcnow()
    spaces = DOCS.c.space_id.is_(None)
    if reader.space_ids:
        spaces = or_(spaces, DOCS.c.space_id.in_(sorted(reader.space_ids)))
    conditions = [
        spaces,
        or_(DOCS.c.visible_from.is_(None), DOCS.c.visible_from <= now),
        or_(DOCS.c.visible_until.is_(None), DOCS.c.visible_until > now),
    ]
    if not reader.sees_all_audiences:
        for column, mine in (
            (DOCS.c.audience_teams, sorted(reader.team_ids)),
            (DOCS.c.audience_locations, [reader.location] if reader.location else []),
            (DOCS.c.audience_languages, sorted(reader.languages)),
        ):
            # `= '{}'`, not cardinality() = 0: the planner knows from the column's statistics
            # that nearly every row is for anyone (it guessed 0.5% for the function).
            anyone = column == empty_array(column)
            conditions.append(or_(anyone, overlaps(column, mine)) if mine else anyone)
    return and_(*conditions)


def query_filters(query: ParsedQuery) -> list:
    """The conditions of the query's operators (types, authors, spaces, tags, statuses, dates)."""
    filters = []
    if query.types:
        filters.append(DOCS.c.type.in_(query.types))
    if query.authors:
        filters.append(overlaps(DOCS.c.author_keys, list(query.authors)))
    if query.spaces:
        filters.append(overlaps(DOCS.c.space_keys, list(query.spaces)))
    for group in query.tag_groups:
        filters.append(overlaps(DOCS.c.tag_keys, list(group)))
    if query.statuses:
        filters.append(overlaps(DOCS.c.statuses, list(query.statuses)))
    if query.after:
        filters.append(DOCS.c.created_at >= query.after)
    if query.before:
        filters.append(DOCS.c.created_at < query.before)
    return filters


def text_query(conn, query: ParsedQuery, language: str):
    """(what must match, what to highlight, the whole-query phrase or None) as constant
    tsqueries, or (None, None, None).

    PostgreSQL builds them here, in one round trip, and the search then passes their text
    (PostgreSQL's own output, as a bound parameter) as constants: left as expressions, the
    to_tsquery calls are evaluated again for every row checked or ranked (to_tsquery is only
    STABLE), ~75 µs a row for a prefix's 30 words; a constant is also what the planner
    estimates the number of matches from."""
    if not query.required:
        return None, None, None
    positives = [clause_tsquery(conn, clause, language) for clause in query.required]
    matching = combine(positives, func.tsquery_and)
    for clause in query.excluded:
        excluded = clause_tsquery(conn, clause, language)
        matching = func.tsquery_and(matching, func.tsquery_not(excluded))
    built = [matching, combine(positives, func.tsquery_or), _phrase_bonus(query, language)]
    present = [expression for expression in built if expression is not None]
    texts = iter(conn.execute(select(*(cast(e, Text) for e in present))).one())
    return tuple(
        cast(literal(next(texts), Text), TSQUERY) if e is not None else None for e in built
    )


def pairs_filter(conn, query: ParsedQuery, language: str):
    """The word pairs every required phrase implies, as one tsquery, or None.

    Checking a phrase means reading the positions in each document holding all its words
    (thousands for two common words); the pairs are plain lexemes of the GIN index, so it
    hands over only the documents holding the pairs, nearly always the phrase's matches."""
    texts = [" ".join(c.tokens) for c in query.required if isinstance(c, Phrase)]
    if not texts:
        return None
    pairs = set()
    for text_ in texts:
        found = conn.scalars(PAIRS_OF_TEXT, {"config": language, "t": text_})
        pairs.update(found)
    if not pairs:
        return None  # words a common word apart ("state of the art"): no adjacent pair
    return cast(" & ".join(quoted(p) for p in sorted(pairs)), TSQUERY)


def clause_tsquery(conn, clause, language: str):
    """One clause of the AST (word, prefix, phrase, OR) as a tsquery expression."""
    if isinstance(clause, AnyOf):
        options = [clause_tsquery(conn, o, language) for o in clause.options]
        return combine(options, func.tsquery_or)
    if isinstance(clause, Phrase):
        return func.phraseto_tsquery(regconfig(language), " ".join(clause.tokens))
    if clause.prefix:
        # The most frequent whole words with the prefix, like Whoosh; `:*` would make the
        # GIN index visit every lexeme with the prefix and every document holding one.
        token = clause.tokens[0]
        words = expand_prefix(conn, token)
        if not words:
            return _token(token, language)  # no word starts so: nothing matches but itself
        return combine([_token(w, language) for w in words], func.tsquery_or)
    return combine([_token(t, language) for t in clause.tokens], func.tsquery_and)


def _token(token: str, language: str):
    """One folded token as a tsquery."""
    # Tokens are letters and digits only (word_tokens), so they cannot carry tsquery syntax.
    return func.to_tsquery(regconfig(language), token)


def _phrase_bonus(query: ParsedQuery, language: str):
    """The query's plain words as one phrase (its documents rank first), or None."""
    words = [c for c in query.required if isinstance(c, Word) and not c.prefix]
    tokens = [t for w in words for t in w.tokens if t not in STOP_WORDS]
    if len(tokens) < 2:
        return None
    return func.phraseto_tsquery(regconfig(language), " ".join(tokens))
