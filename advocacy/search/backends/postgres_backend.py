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
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import (
    MetaData,
    Text,
    and_,
    bindparam,
    cast,
    column,
    delete,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import (
    ARRAY,
    REAL,
    REGCLASS,
    REGCONFIG,
    TSQUERY,
    insert,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.schema import CreateIndex, CreateTable

from advocacy.extensions import db
from advocacy.models_base import utcnow
from advocacy.search.backends.base import (
    FIELD_WEIGHTS,
    MAX_RESULTS,
    PREFIX_EXPANSIONS_MAX,
    RANK_CANDIDATES,
    RECENCY_HALF_LIFE_DAYS,
    RECENCY_WEIGHT,
    BackendStatus,
    ProgressCallback,
    SearchBackend,
    SearchHit,
    SearchUnavailable,
    WriterBusy,
    mark_between,
    plain_snippet,
)
from advocacy.search.backends.postgres_sql import (
    PAIRS_OF_TEXT,
    PlanOf,
    WordPairs,
    combine,
    empty_array,
    overlaps,
    quoted,
)
from advocacy.search.documents import DOCUMENT_TYPES, SearchDocument
from advocacy.search.models import SearchDocumentRow, SearchWord
from advocacy.search.permissions import Reader
from advocacy.search.query import STOP_WORDS, AnyOf, Order, ParsedQuery, Phrase, Word, word_tokens

log = logging.getLogger("advocacy.search.postgres")

DOCS = SearchDocumentRow.__table__
WORDS = SearchWord.__table__
NEXT = "search_document_next"
LOCK_KEY = 0x5EA4C4  # the advisory lock of the one writer
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
BATCH = 500


class PostgresBackend(SearchBackend):
    """PostgreSQL full-text search in the app's own database."""

    name = "postgres"

    def __init__(self, language: str = "english"):
        self.language = language
        self._documents_read = (-math.inf, 0.0)  # (when, pg_class.reltuples)

    def _config(self):
        return cast(literal(self.language), REGCONFIG)

    # --- searching ------------------------------------------------------------------------------

    def _run(self, query: ParsedQuery, reader: Reader, offset: int, limit: int):
        try:
            with db.engine.connect() as conn:
                return self._run_with(conn, query, reader, offset, limit)
        except SQLAlchemyError as error:
            log.exception("search failed on PostgreSQL")
            raise SearchUnavailable(UNAVAILABLE) from error

    def _run_with(self, conn, query: ParsedQuery, reader: Reader, offset: int, limit: int):
        tsquery, highlight_query, phrase = self._text_query(conn, query)
        where = [*self._filters(query), self._visible(reader)]
        if tsquery is not None:
            where.append(DOCS.c.search_vector.op("@@")(tsquery))
            pairs = self._pairs_filter(conn, query)
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
                built = [cast(self._clause(conn, word), Text) for word in words]
                texts = conn.execute(select(*built)).one()
                where = [*self._filters(query), self._visible(reader)]
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

    def _visible(self, reader: Reader):
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

    def _filters(self, query: ParsedQuery) -> list:
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

    # --- compiling the AST to tsquery -----------------------------------------------------------

    def _text_query(self, conn, query: ParsedQuery):
        """(what must match, what to highlight, the whole-query phrase or None) as constant
        tsqueries, or (None, None, None).

        PostgreSQL builds them here, in one round trip, and the search then passes their text
        (PostgreSQL's own output, as a bound parameter) as constants: left as expressions, the
        to_tsquery calls are evaluated again for every row checked or ranked (to_tsquery is only
        STABLE), ~75 µs a row for a prefix's 30 words; a constant is also what the planner
        estimates the number of matches from."""
        if not query.required:
            return None, None, None
        positives = [self._clause(conn, clause) for clause in query.required]
        matching = combine(positives, func.tsquery_and)
        for clause in query.excluded:
            matching = func.tsquery_and(matching, func.tsquery_not(self._clause(conn, clause)))
        built = [matching, combine(positives, func.tsquery_or), self._phrase_bonus(query)]
        present = [expression for expression in built if expression is not None]
        texts = iter(conn.execute(select(*(cast(e, Text) for e in present))).one())
        return tuple(
            cast(literal(next(texts), Text), TSQUERY) if e is not None else None for e in built
        )

    def _pairs_filter(self, conn, query: ParsedQuery):
        """The word pairs every required phrase implies, as one tsquery, or None.

        Checking a phrase means reading the positions in each document holding all its words
        (thousands for two common words); the pairs are plain lexemes of the GIN index, so it
        hands over only the documents holding the pairs, nearly always the phrase's matches."""
        texts = [" ".join(c.tokens) for c in query.required if isinstance(c, Phrase)]
        if not texts:
            return None
        pairs = set()
        for text_ in texts:
            found = conn.scalars(PAIRS_OF_TEXT, {"config": self.language, "t": text_})
            pairs.update(found)
        if not pairs:
            return None  # words a common word apart ("state of the art"): no adjacent pair
        return cast(" & ".join(quoted(p) for p in sorted(pairs)), TSQUERY)

    def _token(self, token: str, prefix: bool = False):
        # Tokens are letters and digits only (word_tokens), so they cannot carry tsquery syntax.
        return func.to_tsquery(self._config(), token + (":*" if prefix else ""))

    def _clause(self, conn, clause):
        if isinstance(clause, AnyOf):
            return combine([self._clause(conn, o) for o in clause.options], func.tsquery_or)
        if isinstance(clause, Phrase):
            return func.phraseto_tsquery(self._config(), " ".join(clause.tokens))
        if clause.prefix:
            # The most frequent whole words with the prefix, like Whoosh; `:*` would make the
            # GIN index visit every lexeme with the prefix and every document holding one.
            token = clause.tokens[0]
            words = self._expand_prefix(conn, token)
            if not words:
                return self._token(token)  # no word starts so: nothing matches but itself
            return combine([self._token(w) for w in words], func.tsquery_or)
        return combine([self._token(t) for t in clause.tokens], func.tsquery_and)

    def _phrase_bonus(self, query: ParsedQuery):
        words = [c for c in query.required if isinstance(c, Word) and not c.prefix]
        tokens = [t for w in words for t in w.tokens if t not in STOP_WORDS]
        if len(tokens) < 2:
            return None
        return func.phraseto_tsquery(self._config(), " ".join(tokens))

    def _expand_prefix(self, conn, prefix: str) -> list[str]:
        query = (
            select(WORDS.c.word)
            .where(WORDS.c.word.like(prefix + "%"))
            .order_by(WORDS.c.documents.desc(), WORDS.c.word)
            .limit(PREFIX_EXPANSIONS_MAX)
        )
        return list(conn.scalars(query))

    def _spelling_candidates(self, token: str) -> Iterable[str]:
        try:
            with db.engine.begin() as conn:
                conn.execute(select(func.set_config("pg_trgm.similarity_threshold", "0.2", True)))
                words = conn.scalars(
                    select(WORDS.c.word)
                    .where(WORDS.c.word.op("%")(token))
                    .order_by(func.similarity(WORDS.c.word, token).desc())
                    .limit(VOCABULARY_CANDIDATES)
                )
                return list(words)
        except SQLAlchemyError as error:
            log.exception("spelling candidates failed on PostgreSQL")
            raise SearchUnavailable(UNAVAILABLE) from error

    # --- writing --------------------------------------------------------------------------------

    @contextmanager
    def writer_lock(self, timeout: float) -> Iterator[None]:
        conn = db.engine.connect()
        locked = False
        try:
            deadline = time.monotonic() + timeout
            while not (locked := bool(conn.scalar(select(func.pg_try_advisory_lock(LOCK_KEY))))):
                conn.rollback()
                if time.monotonic() >= deadline:
                    raise WriterBusy("another process is writing the search tables")
                time.sleep(0.05)
            conn.commit()
            yield
        finally:
            try:
                if locked:
                    conn.execute(select(func.pg_advisory_unlock(LOCK_KEY)))
                    conn.commit()
                conn.close()
            except SQLAlchemyError:
                conn.invalidate()  # never hand a connection holding the lock back to the pool

    def exists(self) -> bool:
        try:
            with db.engine.connect() as conn:
                return conn.scalar(select(func.to_regclass(DOCS.name))) is not None
        except SQLAlchemyError:
            return False

    def _values(self, document: SearchDocument) -> dict:
        audience = document.audience
        return {
            "key": document.key,
            "type": document.type,
            "title": document.title,
            "body": document.body,
            "tags": list(document.tags),
            "tag_keys": list(document.tag_keys),
            "author_id": document.author_id,
            "author_name": document.author_name,
            "author_keys": list(document.author_keys),
            "space_id": document.space_id,
            "space_name": document.space_name,
            "space_keys": list(document.space_keys),
            "audience_teams": list(audience.teams),
            "audience_locations": list(audience.locations),
            "audience_languages": list(audience.languages),
            "statuses": list(document.statuses),
            "created_at": document.created_at,
            "updated_at": document.updated_at,
            "visible_from": document.visible_from,
            "visible_until": document.visible_until,
            "url": document.url,
            "indexed_at": utcnow(),
            "title_words": " ".join(word_tokens(document.title)),
            "tag_words": " ".join(word_tokens(" ".join(document.tags))),
            "body_words": " ".join(word_tokens(document.body)),
        }

    def _insert(self, table, upsert: bool):
        config = self._config()

        def weighted(name: str, weight: str):
            # setweight wants the "char" type: a constant letter, never a parameter
            return func.setweight(func.to_tsvector(config, bindparam(name)), literal_column(weight))

        values = {
            c.name: bindparam(c.name, type_=c.type)
            for c in table.c
            if c.name not in ("search_vector", "search_pairs")
        }
        values["search_vector"] = (
            weighted("title_words", "'A'")
            .op("||")(weighted("tag_words", "'B'"))
            .op("||")(weighted("body_words", "'C'"))
        )
        # The pairs of the same vector (same positions: title, tags and body concatenated)
        values["search_pairs"] = WordPairs(values["search_vector"])
        statement = insert(table).values(values)
        if upsert:
            updated = {name: statement.excluded[name] for name in values if name != "key"}
            statement = statement.on_conflict_do_update(index_elements=["key"], set_=updated)
        return statement

    def apply(self, documents: list[SearchDocument], deleted_keys: list[str]) -> None:
        if not documents and not deleted_keys:
            return
        with db.engine.begin() as conn:
            if deleted_keys:
                conn.execute(delete(DOCS).where(DOCS.c.key.in_(deleted_keys)))
            if documents:
                conn.execute(self._insert(DOCS, upsert=True), [self._values(d) for d in documents])
                self._add_words(conn, _vocabulary(documents))

    def _add_words(self, conn, counts: Counter) -> None:
        if not counts:
            return
        statement = insert(WORDS).values(word=bindparam("w"), documents=bindparam("n"))
        statement = statement.on_conflict_do_update(
            index_elements=["word"],
            set_={"documents": WORDS.c.documents + statement.excluded.documents},
        )
        rows = [{"w": word, "n": n} for word, n in sorted(counts.items())]
        for start in range(0, len(rows), BATCH * 4):
            conn.execute(statement, rows[start : start + BATCH * 4])

    def rebuild(
        self, batches: Iterator[tuple[int, list[SearchDocument]]], progress: ProgressCallback
    ) -> int:
        # The new table is made from the model (not LIKE the live one), so a rebuild also
        # repairs a missing table. Its key and indexes carry temporary names until the swap.
        next_table = DOCS.to_metadata(MetaData(), name=NEXT)
        next_table.primary_key.name = f"pk_{DOCS.name}_next"
        # (indexes made by `index=True` are renamed after the copy's table: map them by columns)
        live_names = {_columns(i): i.name for i in DOCS.indexes}
        renames = []
        for index in next_table.indexes:
            final = live_names[_columns(index)]
            index.name = f"{final}_next"
            renames.append((index.name, final))
        with db.engine.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {NEXT}"))
            conn.execute(CreateTable(next_table))
        count = read = 0
        vocabulary: Counter = Counter()
        insert_next = self._insert(next_table, upsert=False)
        try:
            for rows, documents in batches:
                if documents:
                    with db.engine.begin() as conn:
                        conn.execute(insert_next, [self._values(d) for d in documents])
                    vocabulary.update(_vocabulary(documents))
                count += len(documents)
                read += rows
                progress(read)
            with db.engine.begin() as conn:  # indexes after the load: much faster than during
                # The rows in date order first (on disk they are in the source's order, which
                # is not by date): a search walks the date index newest first, and with
                # neighbouring dates on the same pages it reads ~4x fewer pages per row.
                by_date = next(i for i in next_table.indexes if _columns(i) == ("created_at",))
                conn.execute(CreateIndex(by_date))
                conn.execute(text(f"CLUSTER {NEXT} USING {by_date.name}"))
                for index in next_table.indexes:
                    if index is not by_date:
                        conn.execute(CreateIndex(index))
                # Statistics now, not when autovacuum gets round to it: without them the planner
                # guesses that a common word matches a handful of rows and ranks all of them.
                # ... and for 10,000 words rather than 1,000: the planner's guess at how many
                # documents hold a rare word decides how candidates are found (_bitmap_is_cheaper);
                # a prefix's 30 rare words were guessed at twice their real matches.
                conn.execute(
                    text(f"ALTER TABLE {NEXT} ALTER COLUMN search_vector SET STATISTICS 1000")
                )
                conn.execute(text(f"ANALYZE {NEXT}"))
            self._swap_in(renames)
        except BaseException:
            with db.engine.begin() as conn:
                conn.execute(text(f"DROP TABLE IF EXISTS {NEXT}"))
            raise
        with db.engine.begin() as conn:
            conn.execute(delete(WORDS))
            self._add_words(conn, vocabulary)
            # Into the GIN indexes proper: rows inserted under a GIN index wait in its pending
            # list, which every lookup reads through (a "did you mean" lookup took 28 ms at
            # 30,000 words with 9,000 waiting, 0.1 ms without), until a vacuum gets round to it.
            for index in WORDS.indexes:
                if index.dialect_options["postgresql"]["using"] == "gin":
                    conn.execute(select(func.gin_clean_pending_list(cast(index.name, REGCLASS))))
            conn.execute(text(f"ANALYZE {WORDS.name}"))
        return count

    def _swap_in(self, renames: list[tuple[str, str]]) -> None:
        """Make the filled table the live one, in one transaction (searches wait a moment)."""
        primary = f"pk_{DOCS.name}"
        with db.engine.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {DOCS.name}"))
            conn.execute(text(f"ALTER TABLE {NEXT} RENAME TO {DOCS.name}"))
            conn.execute(
                text(f"ALTER TABLE {DOCS.name} RENAME CONSTRAINT {primary}_next TO {primary}")
            )
            for temporary, final in renames:
                conn.execute(text(f"ALTER INDEX {temporary} RENAME TO {final}"))

    def clear(self) -> None:
        with db.engine.begin() as conn:
            conn.execute(delete(DOCS))
            conn.execute(delete(WORDS))

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


def _columns(index) -> tuple[str, ...]:
    """An index's column names (indexes are matched by them between the live and next tables)."""
    return tuple(c.name for c in index.columns)


def _vocabulary(documents: Iterable[SearchDocument]) -> Counter:
    """How many of `documents` hold each whole word (for the search_word vocabulary)."""
    counts: Counter = Counter()
    for document in documents:
        words = word_tokens(f"{document.title} {' '.join(document.tags)} {document.body}")
        counts.update({w for w in words if w not in STOP_WORDS and len(w) <= 100})
    return counts
