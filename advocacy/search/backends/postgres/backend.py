"""PostgreSQL full-text search, for companies that run several app hosts (a local index cannot be
shared between hosts; the database can).

- `search_document` holds one row per document; `search_vector` is written with each row:
  title weight A, tags B, body C, from the same folded tokens the query parser produces, so the
  two backends split words alike. A GIN index serves `@@`.
- Our own AST compiles to tsquery with bound parameters only (`to_tsquery` of single letter-and-
  digit tokens, `phraseto_tsquery` of phrase text, combined with `&&`, `||`, `!!`): no user text is
  ever parsed as tsquery syntax. `websearch_to_tsquery` is not used: its operators are not ours.
- `search_pairs` holds each document's neighbouring lexemes as pair lexemes ("first second"),
  GIN-indexed: a required phrase also requires its pairs there, so PostgreSQL checks positions
  only in the documents holding the pairs (see postgres_sql._PAIRS).
- `search_word` is the vocabulary (trigram GIN index) for "did you mean" (`%` similarity, then
  edit distance) and for bounded prefix expansion; `ts_headline` marks matches with control
  characters that are turned into <mark> after everything else was escaped.
- A rebuild fills `search_document_next`, builds its indexes, then swaps the tables in one
  transaction; a session advisory lock admits one writer at a time.
- One query finds the total (up to MAX_RESULTS + 1) and the candidates (newest first); ranking
  runs on the candidates by key, except that very common searches (more than MAX_RESULTS matches)
  rank their RANK_CANDIDATES most recent matches: ts_rank reads each match's tsvector.
- Speed rules (100,000 posts): the tsqueries are built first and used as constants (as
  expressions they were rebuilt for every row); candidates come from walking the date index
  newest first unless the planner's estimate says the GIN index is cheaper (_bitmap_is_cheaper);
  a rebuild stores the rows in date order (CLUSTER), so the walk reads neighbouring rows from the
  same pages, and moves the vocabulary's trigram entries out of the GIN pending list.

Here: searching and ranking. The AST and the reader compile to conditions in postgres_query; the
tables are written in postgres_writing, the vocabulary in postgres_vocabulary.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager

from sqlalchemy import Text, cast, column, func, literal, select, table
from sqlalchemy.dialects.postgresql import ARRAY, REAL, TSQUERY
from sqlalchemy.exc import SQLAlchemyError

from advocacy.extensions import db
from advocacy.search.backends.base import (
    FIELD_WEIGHTS,
    MAX_RESULTS,
    RANK_CANDIDATES,
    RECENCY_HALF_LIFE_DAYS,
    RECENCY_WEIGHT,
    BackendStatus,
    ProgressCallback,
    SearchBackend,
    SearchHit,
    SearchUnavailable,
    mark_between,
    plain_snippet,
)
from advocacy.search.backends.postgres.query import (
    clause_tsquery,
    pairs_filter,
    query_filters,
    text_query,
    visible_to,
)
from advocacy.search.backends.postgres.sql import DOCS, PlanOf, regconfig
from advocacy.search.backends.postgres.vocabulary import similar_words
from advocacy.search.backends.postgres.writing import (
    apply_changes,
    clear_tables,
    hold_writer_lock,
    rebuild_tables,
)
from advocacy.search.documents import DOCUMENT_TYPES, SearchDocument
from advocacy.search.permissions import Reader
from advocacy.search.query.nodes import Order, ParsedQuery, Word

log = logging.getLogger("advocacy.search.postgres")

START, STOP = "\x02", "\x03"
# ts_rank weights are {D, C, B, A}: body (C), tags (B) and title (A) in FIELD_WEIGHTS' proportions.
RANK_WEIGHTS = [
    0.1,
    FIELD_WEIGHTS["body"] / FIELD_WEIGHTS["title"],
    FIELD_WEIGHTS["tags"] / FIELD_WEIGHTS["title"],
    1.0,
]
SNIPPET_OPTIONS = (
    f"StartSel={START}, StopSel={STOP}, MaxWords=32, MinWords=12, ShortWord=2, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
TITLE_OPTIONS = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"
UNAVAILABLE = "Search is unavailable: the search tables cannot be read. An admin can rebuild them."
VOCABULARY_CANDIDATES = 50
# Microseconds per row (100,000 posts, a loaded 2-core machine): walking by date, plus per word
# of the tsquery; fetching a match found in the GIN index.
WALK_ROW_US, WALK_WORD_US, GIN_ROW_US = 0.6, 0.06, 4.0
DOCUMENTS_ESTIMATE_SECONDS = 60
_LEXEMES = re.compile(r"'(?:[^']|'')*'")  # the quoted lexemes of a tsquery's text
_PG_CLASS = table("pg_class", column("oid"), column("reltuples", REAL))
_DOCUMENTS_ESTIMATE = select(_PG_CLASS.c.reltuples).where(
    _PG_CLASS.c.oid == func.to_regclass(DOCS.name)
)


class PostgresBackend(SearchBackend):
    """PostgreSQL full-text search in the app's own database."""

    name = "postgres"

    def __init__(self, language: str = "english"):
        self.language = language
        self._documents_read = (-math.inf, 0.0)  # (when, pg_class.reltuples)

    def _config(self):
        return regconfig(self.language)

    # --- searching ------------------------------------------------------------------------------

    def _run(self, query: ParsedQuery, reader: Reader, offset: int, limit: int):
        try:
            with db.engine.connect() as conn:
                return self._run_with(conn, query, reader, offset, limit)
        except SQLAlchemyError as error:
            log.exception("search failed on PostgreSQL")
            raise SearchUnavailable(UNAVAILABLE) from error

    def _run_with(self, conn, query: ParsedQuery, reader: Reader, offset: int, limit: int):
        tsquery, highlight_query, phrase = text_query(conn, query, self.language)
        where = [*query_filters(query), visible_to(reader)]
        if tsquery is not None:
            where.append(DOCS.c.search_vector.op("@@")(tsquery))
            pairs = pairs_filter(conn, query, self.language)
            if pairs is not None:
                where.append(DOCS.c.search_pairs.op("@@")(pairs))
            if query.title_only:
                where.append(func.to_tsvector(self._config(), DOCS.c.title).op("@@")(tsquery))
        if limit == 0:  # the typo pass counts: no order, stop at MAX_RESULTS + 1
            counted = select(DOCS.c.key).where(*where).limit(MAX_RESULTS + 1).subquery()
            return conn.scalar(select(func.count()).select_from(counted)) or 0, []
        order = query.effective_order
        # One pass over the matches finds both the total (up to MAX_RESULTS + 1) and the
        # candidates, newest first: ranking and headlines then read only these rows by key.
        newest = DOCS.c.created_at.desc() if order != Order.OLDEST else DOCS.c.created_at
        matches = select(DOCS.c.key, DOCS.c.created_at).where(*where)
        if tsquery is not None and self._bitmap_is_cheaper(conn, matches, tsquery):
            # All matches from the GIN index first, then the newest of them (a top-N sort): a
            # materialised CTE is planned on its own, so the LIMIT cannot pull it back to the
            # date walk. (Its rows are those of `matches`, only the plan differs.)
            matches = matches.cte("matches").prefix_with("MATERIALIZED")
            by_date = matches.c.created_at.desc() if order != Order.OLDEST else matches.c.created_at
            candidates = select(matches.c.key).order_by(by_date, matches.c.key)
        else:
            candidates = select(DOCS.c.key).where(*where).order_by(newest, DOCS.c.key)
        keys = list(conn.scalars(candidates.limit(MAX_RESULTS + 1)))
        total = len(keys)
        if total <= offset:
            return total, []
        if order == Order.RELEVANCE and tsquery is not None and total > MAX_RESULTS:
            # A very common search ranks its RANK_CANDIDATES most recent matches (ts_rank
            # reads each one's tsvector); a page past them ranks as many as it needs (deep
            # pages of such a search may repeat or skip a few results: few people go there).
            keys = keys[: max(RANK_CANDIDATES, offset + limit)]
        where = [DOCS.c.key.in_(keys[:MAX_RESULTS])]
        if order == Order.RELEVANCE and tsquery is not None:
            score = func.ts_rank(cast(RANK_WEIGHTS, ARRAY(REAL)), DOCS.c.search_vector, tsquery)
            age_days = func.extract("epoch", func.now() - DOCS.c.updated_at) / 86400.0
            score = score * (
                1.0 + RECENCY_WEIGHT * func.power(0.5, age_days / RECENCY_HALF_LIFE_DAYS)
            )
            first = DOCS.c.search_vector.op("@@")(phrase) if phrase is not None else literal(False)
            ordering = [first.desc(), score.desc(), DOCS.c.key]
        else:
            score = literal(0.0)
            ordering = [newest, DOCS.c.key]
        page = (
            select(
                DOCS.c.key,
                score.label("score"),
                func.row_number().over(order_by=ordering).label("position"),
            )
            .where(*where)
            .order_by(*ordering)
            .offset(offset)
            .limit(limit)
            .subquery()
        )
        # Headlines for this page's rows only (ts_headline re-parses the text: not for every match).
        columns = [
            DOCS.c.key,
            DOCS.c.type,
            DOCS.c.title,
            DOCS.c.body,
            DOCS.c.url,
            DOCS.c.author_name,
            DOCS.c.space_name,
            DOCS.c.tags,
            DOCS.c.created_at,
            DOCS.c.updated_at,
            page.c.score,
        ]
        if highlight_query is not None:
            config = self._config()
            columns += [
                func.ts_headline(config, DOCS.c.title, highlight_query, TITLE_OPTIONS).label("th"),
                func.ts_headline(config, DOCS.c.body, highlight_query, SNIPPET_OPTIONS).label("bh"),
            ]
        rows = conn.execute(
            select(*columns)
            .join_from(page, DOCS, page.c.key == DOCS.c.key)
            .order_by(page.c.position)
        )
        return total, [self._hit(row, highlight_query is not None) for row in rows]

    def _count_words(self, query: ParsedQuery, words: list[Word], reader: Reader) -> list[int]:
        """The typo pass's counts of its candidates in two statements (their tsqueries, then one
        bounded count each, as subqueries of one select), not two statements per candidate."""
        if not words:
            return []
        try:
            with db.engine.connect() as conn:
                built = [cast(clause_tsquery(conn, word, self.language), Text) for word in words]
                texts = conn.execute(select(*built)).one()
                where = [*query_filters(query), visible_to(reader)]
                counts = []
                for text_ in texts:
                    holding = DOCS.c.search_vector.op("@@")(cast(literal(text_, Text), TSQUERY))
                    bounded = select(DOCS.c.key).where(*where, holding).limit(MAX_RESULTS + 1)
                    counted = select(func.count()).select_from(bounded.subquery())
                    counts.append(counted.scalar_subquery())
                return [int(n) for n in conn.execute(select(*counts)).one()]
        except SQLAlchemyError as error:
            log.exception("search failed on PostgreSQL")
            raise SearchUnavailable(UNAVAILABLE) from error

    def _bitmap_is_cheaper(self, conn, matches, tsquery) -> bool:
        """Whether collecting every match from the GIN index beats walking the documents newest
        first until MAX_RESULTS + 1 match (which PostgreSQL prefers for any LIMIT).

        The walk checks ~documents × MAX_RESULTS / matches rows, each costing more the more
        words the tsquery holds (a prefix holds 30); the GIN way reads every match. PostgreSQL
        counts a tsquery check as one operator whatever it holds, so the choice is made here
        from its estimate of the matches (costs per row measured at 100,000 posts)."""
        plan = conn.scalar(PlanOf(matches))
        estimated = max(1.0, float(plan[0]["Plan"]["Plan Rows"]))
        documents = self._documents(conn)
        words = len(_LEXEMES.findall(str(tsquery.clause.value)))
        walked = min(documents, documents * (MAX_RESULTS + 1) / estimated)
        walk = walked * (WALK_ROW_US + WALK_WORD_US * words)
        return estimated * GIN_ROW_US < walk

    def _documents(self, conn) -> float:
        """The planner's count of documents (pg_class.reltuples; -1 before the first ANALYZE),
        read again after DOCUMENTS_ESTIMATE_SECONDS."""
        read_at, documents = self._documents_read
        if time.monotonic() - read_at > DOCUMENTS_ESTIMATE_SECONDS:
            documents = float(conn.scalar(_DOCUMENTS_ESTIMATE) or 0.0)
            self._documents_read = (time.monotonic(), documents)
        return documents

    def _hit(self, row, highlighted: bool) -> SearchHit:
        title_html = mark_between(row.th, START, STOP) if highlighted else None
        snippet = mark_between(row.bh, START, STOP) if highlighted else None
        if snippet is not None and "<mark>" not in snippet:
            snippet = plain_snippet(row.body)  # no query word in the body: show its start
        return SearchHit(
            key=row.key,
            type=row.type,
            title=row.title,
            title_html=title_html or mark_between(row.title, START, STOP),
            snippet_html=snippet if snippet is not None else plain_snippet(row.body),
            score=round(float(row.score or 0.0), 4),
            url=row.url,
            author_name=row.author_name,
            space_name=row.space_name,
            tags=tuple(row.tags or ()),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    def _spelling_candidates(self, token: str) -> Iterable[str]:
        try:
            with db.engine.begin() as conn:
                return similar_words(conn, token)
        except SQLAlchemyError as error:
            log.exception("spelling candidates failed on PostgreSQL")
            raise SearchUnavailable(UNAVAILABLE) from error

    # --- writing --------------------------------------------------------------------------------

    def writer_lock(self, timeout: float) -> AbstractContextManager:
        return hold_writer_lock(timeout)

    def exists(self) -> bool:
        try:
            with db.engine.connect() as conn:
                return conn.scalar(select(func.to_regclass(DOCS.name))) is not None
        except SQLAlchemyError:
            return False

    def apply(self, documents: list[SearchDocument], deleted_keys: list[str]) -> None:
        apply_changes(documents, deleted_keys, self.language)

    def rebuild(
        self, batches: Iterator[tuple[int, list[SearchDocument]]], progress: ProgressCallback
    ) -> int:
        return rebuild_tables(batches, progress, self.language)

    def clear(self) -> None:
        clear_tables()

    def close(self) -> None:
        """Nothing to release: connections belong to the app's engine."""

    def status(self) -> BackendStatus:
        try:
            with db.engine.connect() as conn:
                counts = dict(
                    conn.execute(select(DOCS.c.type, func.count()).group_by(DOCS.c.type)).all()
                )
                last = conn.scalar(select(func.max(DOCS.c.indexed_at)))
        except SQLAlchemyError as error:
            log.warning("search status failed on PostgreSQL: %s", error)
            return BackendStatus(self.name, False, UNAVAILABLE, location=DOCS.name)
        documents = {doc_type: counts.get(doc_type, 0) for doc_type in DOCUMENT_TYPES}
        return BackendStatus(
            self.name, True, "The search tables are readable.", documents, last, DOCS.name
        )
