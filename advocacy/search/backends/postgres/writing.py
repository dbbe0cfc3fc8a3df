"""Writing the PostgreSQL search tables: the one writer's lock, upserts, and a rebuild into a new
table swapped in at the end."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import MetaData, bindparam, delete, func, literal_column, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.schema import CreateIndex, CreateTable

from advocacy.extensions import db
from advocacy.models_base import utcnow
from advocacy.search.backends.base import ProgressCallback, WriterBusy
from advocacy.search.backends.postgres.sql import DOCS, WORDS, WordPairs, regconfig
from advocacy.search.backends.postgres.vocabulary import (
    add_words,
    replace_vocabulary,
    vocabulary_counts,
)
from advocacy.search.documents import SearchDocument
from advocacy.search.query.nodes import word_tokens

NEXT = "search_document_next"
LOCK_KEY = 0x5EA4C4  # the advisory lock of the one writer


@contextmanager
def hold_writer_lock(timeout: float) -> Iterator[None]:
    """Hold the session advisory lock of the one writer, or raise WriterBusy after `timeout` s."""
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


def apply_changes(documents: list[SearchDocument], deleted_keys: list[str], language: str) -> None:
    """Upsert `documents` and delete `deleted_keys` in one transaction."""
    if not documents and not deleted_keys:
        return
    with db.engine.begin() as conn:
        if deleted_keys:
            conn.execute(delete(DOCS).where(DOCS.c.key.in_(deleted_keys)))
        if documents:
            upsert = _insert(DOCS, language, upsert=True)
            conn.execute(upsert, [_values(d) for d in documents])
            add_words(conn, vocabulary_counts(documents))


def rebuild_tables(
    batches: Iterator[tuple[int, list[SearchDocument]]], progress: ProgressCallback, language: str
) -> int:
    """Fill a new documents table from `batches`, swap it in, then replace the vocabulary;
    returns the number of documents."""
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
    insert_next = _insert(next_table, language, upsert=False)
    try:
        for rows, documents in batches:
            if documents:
                with db.engine.begin() as conn:
                    conn.execute(insert_next, [_values(d) for d in documents])
                vocabulary.update(vocabulary_counts(documents))
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
            # documents hold a rare word decides how candidates are found
            # (PostgresBackend._bitmap_is_cheaper);
            # a prefix's 30 rare words were guessed at twice their real matches.
            conn.execute(text(f"ALTER TABLE {NEXT} ALTER COLUMN search_vector SET STATISTICS 1000"))
            conn.execute(text(f"ANALYZE {NEXT}"))
        _swap_in(renames)
    except BaseException:
        with db.engine.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {NEXT}"))
        raise
    with db.engine.begin() as conn:
        replace_vocabulary(conn, vocabulary)
    return count


def clear_tables() -> None:
    """Empty the documents table and the vocabulary."""
    with db.engine.begin() as conn:
        conn.execute(delete(DOCS))
        conn.execute(delete(WORDS))


def _swap_in(renames: list[tuple[str, str]]) -> None:
    """Make the filled table the live one, in one transaction (searches wait a moment)."""
    primary = f"pk_{DOCS.name}"
    with db.engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {DOCS.name}"))
        conn.execute(text(f"ALTER TABLE {NEXT} RENAME TO {DOCS.name}"))
        conn.execute(text(f"ALTER TABLE {DOCS.name} RENAME CONSTRAINT {primary}_next TO {primary}"))
        for temporary, final in renames:
            conn.execute(text(f"ALTER INDEX {temporary} RENAME TO {final}"))


def _values(document: SearchDocument) -> dict:
    """A document as the table's column values (the vectors are computed by the insert)."""
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


def _insert(table, language: str, upsert: bool):
    """The insert (or upsert) of _values rows into `table`, computing search_vector and
    search_pairs in PostgreSQL."""
    config = regconfig(language)

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


def _columns(index) -> tuple[str, ...]:
    """An index's column names (indexes are matched by them between the live and next tables)."""
    return tuple(c.name for c in index.columns)
