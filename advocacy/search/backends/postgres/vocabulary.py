"""The PostgreSQL backend's vocabulary (search_word): counted from documents, read for bounded
prefix expansion and for "did you mean"."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import bindparam, cast, delete, func, select, text
from sqlalchemy.dialects.postgresql import REGCLASS, insert

from advocacy.search.backends.base import PREFIX_EXPANSIONS_MAX
from advocacy.search.backends.postgres.sql import WORDS
from advocacy.search.documents import SearchDocument
from advocacy.search.query.nodes import STOP_WORDS, word_tokens

VOCABULARY_CANDIDATES = 50
BATCH = 2000  # vocabulary rows per statement


def vocabulary_counts(documents: Iterable[SearchDocument]) -> Counter:
    """How many of `documents` hold each whole word (for the search_word vocabulary)."""
    counts: Counter = Counter()
    for document in documents:
        words = word_tokens(f"{document.title} {' '.join(document.tags)} {document.body}")
        counts.update({w for w in words if w not in STOP_WORDS and len(w) <= 100})
    return counts


def add_words(conn, counts: Counter) -> None:
    """Add `counts` to the vocabulary's document counts (new words are inserted)."""
    if not counts:
        return
    statement = insert(WORDS).values(word=bindparam("w"), documents=bindparam("n"))
    statement = statement.on_conflict_do_update(
        index_elements=["word"],
        set_={"documents": WORDS.c.documents + statement.excluded.documents},
    )
    rows = [{"w": word, "n": n} for word, n in sorted(counts.items())]
    for start in range(0, len(rows), BATCH):
        conn.execute(statement, rows[start : start + BATCH])


def replace_vocabulary(conn, counts: Counter) -> None:
    """Make `counts` the whole vocabulary (after a rebuild), ready for fast lookups."""
    conn.execute(delete(WORDS))
    add_words(conn, counts)
    # Into the GIN indexes proper: rows inserted under a GIN index wait in its pending
    # list, which every lookup reads through (a "did you mean" lookup took 28 ms at
    # 30,000 words with 9,000 waiting, 0.1 ms without), until a vacuum gets round to it.
    for index in WORDS.indexes:
        if index.dialect_options["postgresql"]["using"] == "gin":
            conn.execute(select(func.gin_clean_pending_list(cast(index.name, REGCLASS))))
    conn.execute(text(f"ANALYZE {WORDS.name}"))


def expand_prefix(conn, prefix: str) -> list[str]:
    """The PREFIX_EXPANSIONS_MAX most frequent whole words starting with `prefix`."""
    query = (
        select(WORDS.c.word)
        .where(WORDS.c.word.like(prefix + "%"))
        .order_by(WORDS.c.documents.desc(), WORDS.c.word)
        .limit(PREFIX_EXPANSIONS_MAX)
    )
    return list(conn.scalars(query))


def similar_words(conn, token: str) -> list[str]:
    """The VOCABULARY_CANDIDATES words most like `token` by trigram similarity. `conn` must be in
    a transaction: the similarity threshold is set for that transaction only."""
    conn.execute(select(func.set_config("pg_trgm.similarity_threshold", "0.2", True)))
    words = conn.scalars(
        select(WORDS.c.word)
        .where(WORDS.c.word.op("%")(token))
        .order_by(func.similarity(WORDS.c.word, token).desc())
        .limit(VOCABULARY_CANDIDATES)
    )
    return list(words)
