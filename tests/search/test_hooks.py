"""Changes reach the index through the session hooks and the indexing job, on both backends:
committed changes are indexed, rolled-back ones never; edits, unpublishing and deletions follow;
pending changes are coalesced, survive a lost job, and are not lost to a concurrent rebuild."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rq import Queue
from sqlalchemy import insert, select, text, update

from advocacy.extensions import db
from advocacy.jobs import AppWorker
from advocacy.models_base import utcnow
from advocacy.search import indexing, jobs
from advocacy.search.backends.base import SearchUnavailable
from advocacy.search.extension import current_backend
from advocacy.search.models import SearchPendingChange
from advocacy.search.permissions import set_visible_spaces_provider
from tests.search.conftest import INSIDER, find, keys
from tests.search.models import Note, NoteBase, register_notes

PENDING = SearchPendingChange.__table__


def pending_keys() -> set[str]:
    return set(db.session.scalars(select(SearchPendingChange.key)))


def found(text_: str) -> list[str]:
    return keys(find(current_backend(), text_, INSIDER))


def add_note(**values) -> Note:
    note = Note(**values)
    db.session.add(note)
    db.session.commit()
    return note


def test_a_committed_change_is_searchable_after_the_job(search_app, note_source, run_search_jobs):
    note = add_note(title="Quarterly kickoff", body="Agenda and slides")
    run_search_jobs()
    assert found("kickoff") == [f"thread:{note.id}"]
    assert pending_keys() == set()


def test_a_rolled_back_change_is_never_indexed(search_app, note_source, run_search_jobs):
    db.session.add(Note(title="Secret merger"))
    db.session.flush()
    assert pending_keys() == {"thread:1"}  # written in the same transaction as the change
    db.session.rollback()
    run_search_jobs()
    assert pending_keys() == set()
    assert found("merger") == []
    redis = search_app.extensions["jobs"].redis
    if redis is not None:
        assert Queue("search", connection=redis).count == 0


def test_edits_unpublishing_and_deletion_follow(search_app, note_source, run_search_jobs):
    note = add_note(title="Draft travel policy")
    run_search_jobs()
    note.title = "Final travel policy"
    db.session.commit()
    run_search_jobs()
    assert found("final") == [f"thread:{note.id}"] and found("draft") == []

    note.published = False
    db.session.commit()
    run_search_jobs()
    assert found("travel") == []

    note.published = True
    db.session.commit()
    run_search_jobs()
    assert found("travel") == [f"thread:{note.id}"]

    db.session.delete(note)
    db.session.commit()
    run_search_jobs()
    assert found("travel") == [] and pending_keys() == set()


def test_a_savepoint_rollback_keeps_the_outer_change(search_app, note_source, run_search_jobs):
    db.session.add(Note(title="Outer note"))
    db.session.flush()
    savepoint = db.session.begin_nested()
    db.session.add(Note(title="Inner note"))
    db.session.flush()
    savepoint.rollback()
    db.session.commit()
    run_search_jobs()
    assert found("outer") == ["thread:1"]
    assert found("inner") == []


def test_pending_changes_are_coalesced_and_survive_a_lost_job(search_app, note_source):
    # Rows written behind the ORM's back, and pending rows whose job never ran (a crash, Redis
    # down): the periodic sweep indexes them all in one run.
    now = utcnow()
    db.session.execute(
        insert(Note.__table__),
        [{"id": i, "title": f"Sweep note {i}", "created_at": now} for i in range(1, 6)],
    )
    db.session.execute(
        insert(PENDING),
        [{"key": f"thread:{i}", "version": 1, "changed_at": now} for i in range(1, 6)],
    )
    db.session.commit()
    assert found("sweep") == []
    assert jobs.index_changes() == 5
    assert len(found("sweep")) == 5 and pending_keys() == set()


def test_a_change_made_while_its_batch_is_indexed_stays_pending(
    search_app, note_source, monkeypatch
):
    note = add_note(title="Roadmap v1")
    indexing.index_pending()
    db.session.execute(update(Note.__table__).values(title="Roadmap v2"))
    db.session.execute(
        insert(PENDING).values(key=f"thread:{note.id}", version=1, changed_at=utcnow())
    )
    db.session.commit()
    backend = current_backend()
    apply = backend.apply

    def apply_then_someone_edits(documents, deleted):
        apply(documents, deleted)
        with db.engine.begin() as conn:  # another request commits meanwhile
            conn.execute(update(Note.__table__).values(title="Roadmap v3"))
            conn.execute(update(PENDING).values(version=PENDING.c.version + 1))

    monkeypatch.setattr(backend, "apply", apply_then_someone_edits)
    indexing.index_pending()
    monkeypatch.undo()
    assert found("v2") == [f"thread:{note.id}"]
    assert pending_keys() == {f"thread:{note.id}"}  # not forgotten: it changed again
    indexing.index_pending()
    assert found("v3") == [f"thread:{note.id}"] and found("v2") == []
    assert pending_keys() == set()


def test_changes_committed_during_a_rebuild_reach_the_new_index(
    search_app, note_source, run_search_jobs, monkeypatch
):
    monkeypatch.setattr(indexing, "JOB_LOCK_WAIT", 0.2)
    add_note(title="Before the rebuild")
    run_search_jobs()
    backend = current_backend()
    rebuild = backend.rebuild

    def rebuild_while_someone_writes(batches, progress):
        def read_then_someone_writes():
            yield from batches
            # After the rebuild read every row: this commit's job finds the writer lock taken
            # and leaves the change pending.
            add_note(title="Written during the rebuild")

        return rebuild(read_then_someone_writes(), progress)

    monkeypatch.setattr(backend, "rebuild", rebuild_while_someone_writes)
    assert indexing.rebuild_index() == 1  # the rebuild read one note...
    # ...and the change made meanwhile was applied after the switch.
    assert set(found("rebuild")) == {"thread:1", "thread:2"}
    assert pending_keys() == set()
    run_search_jobs()


def break_index(backend) -> None:
    if backend.name == "whoosh":
        shutil.rmtree(backend.root)
    else:
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE search_document"))


def test_a_missing_index_is_unavailable_then_rebuilt_by_the_next_job(
    search_app, note_source, run_search_jobs
):
    add_note(title="Kept in the database")
    run_search_jobs()
    backend = current_backend()
    break_index(backend)
    with pytest.raises(SearchUnavailable):
        find(backend, "database")
    assert backend.status().available is False
    add_note(title="Another database note")
    run_search_jobs()
    assert set(found("database")) == {"thread:1", "thread:2"}
    assert backend.status().available


def test_a_corrupt_whoosh_index_is_unavailable_then_repaired(make_app, tmp_path):
    app = make_app(SEARCH_INDEX_DIR=str(tmp_path / "index"))
    with app.app_context():
        NoteBase.metadata.create_all(db.engine)
        try:
            register_notes(app)
            add_note(title="Survives corruption")
            indexing.index_pending()  # (the services run queues the job in Redis)
            backend = current_backend()
            assert keys(find(backend, "corruption")) == ["thread:1"]
            backend.close()
            for path in Path(backend.root).glob("ix-*/*"):
                path.write_bytes(b"\x00garbage" * 10)
            with pytest.raises(SearchUnavailable):
                find(backend, "corruption")
            indexing.index_pending()  # the next job sees an unreadable index and rebuilds it
            assert keys(find(backend, "corruption")) == ["thread:1"]
        finally:
            db.session.remove()
            NoteBase.metadata.drop_all(db.engine)


def test_a_real_worker_indexes_committed_changes(make_app, redis_url, tmp_path):
    """The deployed path: commit → job on the search queue → a forking RQ worker writes."""
    app = make_app(REDIS_URL=redis_url, SEARCH_INDEX_DIR=str(tmp_path / "index"))
    with app.app_context():
        NoteBase.metadata.create_all(db.engine)
        try:
            register_notes(app)
            set_visible_spaces_provider(app, lambda user: set())
            backend = current_backend()
            with backend.writer_lock(5):
                backend.clear()
            add_note(title="Shipped by the worker")
            queue = Queue("search", connection=app.extensions["jobs"].redis)
            assert queue.count == 1
            assert keys(find(backend, "worker")) == []
            worker = AppWorker([queue], connection=queue.connection)
            worker.flask_app = app
            worker.work(burst=True, with_scheduler=False)
            assert keys(find(backend, "worker")) == ["thread:1"]
            assert pending_keys() == set()
        finally:
            db.session.remove()
            NoteBase.metadata.drop_all(db.engine)
