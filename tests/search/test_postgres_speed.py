"""The PostgreSQL backend's shortcuts keep results unchanged: candidates collected from the GIN
index agree with the walk by date, and a rebuild stores documents in date order and leaves nothing
waiting in the vocabulary's trigram index."""

from __future__ import annotations

import math
import random

import pytest
from sqlalchemy import event, text

from advocacy.extensions import db
from advocacy.search.backends.postgres import backend as postgres_backend
from tests.search.conftest import MEMBER, PRIVATE, PUBLIC, SECRET, find, keys, make_doc

pytestmark = pytest.mark.parametrize("search_app", ["postgres"], indirect=True)

WORDS = ["alpha", "beta", "gamma", "delta"]


def rebuild(backend, documents) -> None:
    with backend.writer_lock(5):
        backend.rebuild(iter([(len(documents), documents)]), lambda done: None)


def shuffled_documents(count: int = 120):
    """Documents whose dates do not follow their numbers (a rebuild's source is in any order)."""
    ages = list(range(count))
    random.Random(7).shuffle(ages)
    return [
        make_doc(
            n,
            f"Note {n}",
            f"{WORDS[n % 4]} {WORDS[n % 3]} report{n % 7}",
            space=(PUBLIC, PRIVATE, SECRET)[n % 3],
            age_days=age + 0.5,
        )
        for n, age in enumerate(ages, 1)
    ]


@pytest.mark.parametrize(
    "query",
    [
        "alpha",
        "alpha beta",
        "alpha OR delta",
        "report*",
        '"beta report2"',
        "beta order:oldest",
        "delta order:latest",
        "-alpha beta",
    ],
)
def test_candidates_from_the_gin_index_agree_with_the_date_walk(backend, monkeypatch, query):
    rebuild(backend, shuffled_documents())
    # More matches than MAX_RESULTS, so that which candidates are kept matters.
    monkeypatch.setattr(postgres_backend, "MAX_RESULTS", 10)
    monkeypatch.setattr(postgres_backend, "RANK_CANDIDATES", 5)
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        found = {}
        for gin_row_cost in (0.0, math.inf):  # always the GIN index, never
            monkeypatch.setattr(postgres_backend, "GIN_ROW_US", gin_row_cost)
            statements.clear()
            results = find(backend, query, MEMBER, per_page=8)
            found[gin_row_cost] = (results.total, keys(results))
            through_gin = any("AS MATERIALIZED" in statement for statement in statements)
            assert through_gin == (gin_row_cost == 0.0)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert found[0.0][0] > 0
    assert found[0.0] == found[math.inf]


def test_a_rebuild_stores_documents_by_date_and_leaves_no_word_pending(backend):
    rebuild(backend, shuffled_documents())
    with db.engine.connect() as conn:
        dates = conn.scalars(text("SELECT created_at FROM search_document ORDER BY ctid")).all()
        assert len(dates) == 120
        assert dates == sorted(dates)
        cleaned = conn.scalar(text("SELECT gin_clean_pending_list('ix_search_word_word_trgm')"))
        assert cleaned == 0  # pages the pending list still held
