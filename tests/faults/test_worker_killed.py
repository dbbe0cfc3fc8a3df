"""A real `flask worker` process is SIGKILLed in the middle of a digest run (its e-mail on the
way to a mail server that does not answer yet): after RQ hands the abandoned job back and a
worker starts again, the digest arrives exactly once."""

from __future__ import annotations

import fcntl
import socket
import threading
import time
from datetime import timedelta
from pathlib import Path

import time_machine
from rq import Queue
from sqlalchemy import func, select

from advocacy.discussions.models import MemberProfile
from advocacy.discussions.notifications import digests
from advocacy.discussions.notifications.models import DigestRun
from advocacy.extensions import db
from advocacy.jobs import AppWorker
from advocacy.models_base import utcnow
from advocacy.search.extension import current_backend
from advocacy.search.indexing import rebuild_index
from advocacy.search.models import SearchPendingChange
from tests.discussions.factories import make_space, make_thread
from tests.factories import UserFactory
from tests.faults.conftest import fault_port
from tests.faults.processes import hand_back_abandoned_jobs, kill_with_its_work_horses, start_worker
from tests.search.conftest import ANYONE, find, keys
from tests.smtp import smtp_inbox  # noqa: F401 - the real SMTP server fixture


def pending_changes() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchPendingChange))


class SilentMailServer:
    """Accepts connections and says nothing: a sender waits there, mid-run, until killed."""

    def __init__(self, port: int):
        self.listener = socket.create_server(("127.0.0.1", port))
        self.connected = threading.Event()
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        try:
            while True:
                client, _ = self.listener.accept()
                self.held.append(client)
                self.connected.set()
        except OSError:
            return

    def close(self) -> None:
        for client in self.held:
            client.close()
        self.listener.close()


def due_digest() -> tuple[int, str]:
    """A reader whose daily digest is due now, with a new thread to tell them about."""
    reader = UserFactory(email="reader@example.com", timezone="Europe/London")
    author = UserFactory()
    with time_machine.travel(utcnow() - timedelta(days=2), tick=False):
        digests.queue_due_digests()  # schedules the reader's next digest: a day ago
    make_thread(make_space(author), author, "What happened while you slept")
    return reader.id, reader.email


def test_a_digest_run_killed_mid_send_is_sent_exactly_once(make_app, redis_url, request, worker_id):
    inbox = request.getfixturevalue("smtp_inbox")
    port = fault_port(worker_id, 2)
    app = make_app(
        REDIS_URL=redis_url,
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=inbox.port,
        DIGEST_SEND_LEASE=0,
    )
    silent = SilentMailServer(port)
    with app.app_context():
        reader_id, email = due_digest()
        assert digests.queue_due_digests() >= 1  # the reader's (the author's comes out empty)
        mail = Queue("mail", connection=app.extensions["jobs"].redis)

        process = start_worker(
            app, {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port)}, queues="mail"
        )
        try:
            assert silent.connected.wait(60), "the worker never reached the mail server"
        finally:
            kill_with_its_work_horses(process)
            silent.close()

        db.session.expire_all()
        runs = db.session.query(DigestRun).filter_by(user_id=reader_id).all()
        assert [run.outcome for run in runs] == ["sending"] and inbox.to(email) == []
        run_id, due = runs[0].id, runs[0].due_at

        hand_back_abandoned_jobs(mail)
        restarted = AppWorker([mail], connection=mail.connection)
        restarted.flask_app = app
        restarted.work(burst=True, with_scheduler=False)

        db.session.expire_all()
        assert len(inbox.to(email)) == 1
        finished = db.session.query(DigestRun).filter_by(user_id=reader_id).all()

        assert [(run.id, run.outcome) for run in finished] == [(run_id, "sent")]
        assert db.session.get(MemberProfile, reader_id).next_digest_at > utcnow()

        # A late duplicate of the job (or the periodic queueing) sends nothing more.
        mail.enqueue(digests.SEND_DIGEST_JOB, reader_id, due.isoformat())
        restarted.work(burst=True, with_scheduler=False)
        assert len(inbox.to(email)) == 1


def writer_lock_is_held(root: Path) -> bool:
    """True while some process holds the index's writer lock (it is inside an indexing job)."""
    with open(root / "writer.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_an_index_batch_killed_midway_completes_once_after_restart(make_app, redis_url, tmp_path):
    app = make_app(REDIS_URL=redis_url, SEARCH_INDEX_DIR=str(tmp_path / "index"))
    with app.app_context():
        backend = current_backend()
        rebuild_index(backend, lambda done, total: None)
        people = [UserFactory(display_name=f"Quillon Nr{n}") for n in range(5)]
        search = Queue("search", connection=app.extensions["jobs"].redis)
        db.session.expire_all()
        assert len(search) >= 1 and pending_changes() == 5

        # Whoosh's own write lock, held here: the job reads its batch, builds the documents and
        # then waits to write them; it is killed there, in the middle of the batch.
        blocker = backend._writable_index().writer(timeout=1.0)
        process = start_worker(app, {}, queues="search")
        try:
            assert wait_for(lambda: writer_lock_is_held(backend.root)), "the job never started"
        finally:
            kill_with_its_work_horses(process)
            blocker.cancel()
        assert pending_changes() == 5  # nothing was marked done by the dead job

        hand_back_abandoned_jobs(search)
        restarted = AppWorker([search], connection=search.connection)
        restarted.flask_app = app
        restarted.work(burst=True, with_scheduler=False)

        backend.close()
        assert pending_changes() == 0
        status = backend.status()
        assert status.available and status.documents["person"] == len(people)
        for person in people:
            found = keys(find(backend, f'"{person.display_name}"', ANYONE))
            assert found == [f"person:{person.id}"]
