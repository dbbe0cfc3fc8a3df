"""`flask search reindex` and `flask search status`, on both backends."""

from __future__ import annotations

import shutil

from advocacy.extensions import db
from advocacy.search.extension import current_backend
from tests.factories import UserFactory
from tests.search.conftest import ANYONE, find, keys


def test_reindex_rebuilds_with_a_progress_bar(search_app, backend):
    people = UserFactory.create_batch(3)
    with backend.writer_lock(5):
        backend.clear()
    result = search_app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert f"Indexing ({backend.name})" in result.output
    assert f"Indexed 3 documents with {backend.name}" in result.output
    assert set(keys(find(backend, "type:person", ANYONE))) == {f"person:{p.id}" for p in people}


def test_status_reports_the_index(search_app, backend):
    UserFactory()
    search_app.test_cli_runner().invoke(args=["search", "reindex"])
    result = search_app.test_cli_runner().invoke(args=["search", "status"])
    assert result.exit_code == 0, result.output
    assert f"Backend:   {backend.name}" in result.output and "healthy" in result.output
    assert "Documents: 1" in result.output and "Pending:   0 changes" in result.output


def test_status_fails_when_the_index_is_unreadable(app, search_index):
    shutil.rmtree(current_backend().root)
    result = app.test_cli_runner().invoke(args=["search", "status"])
    assert result.exit_code == 1 and "UNAVAILABLE" in result.output


def test_reindex_of_postgres_needs_postgres(app, search_index):
    if db.engine.dialect.name == "postgresql":
        result = app.test_cli_runner().invoke(args=["search", "reindex", "--backend", "postgres"])
        assert result.exit_code == 0, result.output
        assert "SEARCH_BACKEND is whoosh, so postgres gets no live updates" in result.output
    else:
        result = app.test_cli_runner().invoke(args=["search", "reindex", "--backend", "postgres"])
        assert result.exit_code == 1
        assert "SEARCH_BACKEND=postgres needs a PostgreSQL DATABASE_URL" in result.output


def test_reindex_waits_for_no_one_when_busy(app, search_index, monkeypatch):
    from advocacy.search import indexing

    monkeypatch.setattr(indexing, "REBUILD_LOCK_WAIT", 0.1)
    with current_backend().writer_lock(5):
        result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 1 and "Another process is writing the index" in result.output
