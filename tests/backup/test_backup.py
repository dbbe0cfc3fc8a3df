"""`flask backup create/restore`: a seeded demo organisation survives the round trip (rows, ids,
time zones, sequences) and search works after the reindex; bad files change nothing."""

from __future__ import annotations

import gzip
import json

import pytest
from sqlalchemy import func, select

from advocacy.accounts.models import User
from advocacy.backup.service import backed_up_tables
from advocacy.demo import ADMIN_EMAIL
from advocacy.discussions.models import Post, Thread
from advocacy.extensions import db
from advocacy.media.models import StoredImage
from advocacy.search.extension import current_backend
from tests.factories import UserFactory


def counts() -> dict[str, int]:
    return {
        t.name: db.session.scalar(select(func.count()).select_from(t)) for t in backed_up_tables()
    }


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture
def seeded(app):
    result = invoke(app, "seed-demo")
    assert result.exit_code == 0, result.output
    return app


def test_a_seeded_organisation_round_trips(seeded, tmp_path, api):
    app = seeded
    before = counts()
    assert before["user"] > 30 and before["thread"] > 5 and before["post"] > 10
    thread = db.session.scalars(select(Thread).order_by(Thread.id)).first()
    thread_facts = (thread.id, thread.title, thread.created_at, thread.space_id)
    admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
    admin_facts = (admin.id, admin.password_hash, admin.working_hours_start, admin.languages)
    path = tmp_path / "acme.jsonl.gz"

    result = invoke(app, "backup", "create", str(path))
    assert result.exit_code == 0, result.output
    assert "revision " in result.output

    # Damage the live data: a stranger joins, a thread goes, the index is emptied.
    UserFactory(email="intruder@example.com", display_name="Zebulon Intruder")
    db.session.execute(Post.__table__.delete().where(Post.thread_id == thread.id))
    db.session.execute(Thread.__table__.delete().where(Thread.id == thread.id))
    db.session.commit()
    with current_backend().writer_lock(5):
        current_backend().clear()

    result = invoke(app, "backup", "restore", str(path), "--yes")
    assert result.exit_code == 0, result.output
    assert "Search index rebuilt" in result.output

    db.session.expire_all()
    assert counts() == before
    restored = db.session.get(Thread, thread_facts[0])
    assert (restored.id, restored.title, restored.created_at, restored.space_id) == thread_facts
    admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
    assert (admin.id, admin.password_hash, admin.working_hours_start, admin.languages) == (
        admin_facts
    )
    # stored images (bytes) come back byte for byte
    picture = db.session.scalar(select(StoredImage).where(StoredImage.data.is_not(None)))
    assert picture is not None and picture.data.startswith((b"\x89PNG", b"\xff\xd8"))
    assert len(picture.data) == picture.byte_size
    assert db.session.scalar(select(User).where(User.email == "intruder@example.com")) is None
    # New rows get fresh ids after the restored ones (PostgreSQL's sequences were moved on).
    newcomer = UserFactory()
    assert newcomer.id > max(db.session.scalars(select(User.id).where(User.id != newcomer.id)))
    # The rebuilt index holds the restored people, and no longer the one who came after.
    for name, expected in (("Priya Nair", 1), ("Zebulon", 0)):
        found = api(admin).get("/api/v1/search", query_string={"q": f"type:person {name}"})
        assert found.status_code == 200, found.get_json()
        assert found.get_json()["meta"]["total"] == expected, name


def test_a_backup_from_another_revision_is_refused(app, tmp_path):
    UserFactory(email="kept@example.com")
    path = tmp_path / "old.jsonl.gz"
    assert invoke(app, "backup", "create", str(path)).exit_code == 0
    with gzip.open(path, "rt") as file:
        lines = file.readlines()
    header = json.loads(lines[0])
    header["revision"] = "0123456789ab"
    with gzip.open(path, "wt") as file:
        file.writelines([json.dumps(header) + "\n", *lines[1:]])
    UserFactory(email="also-kept@example.com")

    result = invoke(app, "backup", "restore", str(path), "--yes")

    assert result.exit_code == 1
    assert "made at database revision 0123456789ab" in result.output
    assert "Nothing was changed" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not gzip at all", "not a readable Advocacy backup"),
        (gzip.compress(b'{"hello": 1}\n', mtime=0), "not an Advocacy backup"),
        ("truncated", "ends early or is damaged"),
    ],
)
def test_a_damaged_file_is_refused_and_changes_nothing(app, tmp_path, content, message):
    UserFactory(email="kept@example.com")
    path = tmp_path / "bad.gz"
    if content == "truncated":
        assert invoke(app, "backup", "create", str(path)).exit_code == 0
        with gzip.open(path, "rt") as file:
            lines = file.readlines()
        with gzip.open(path, "wt") as file:
            file.writelines(lines[: len(lines) - 3])
    else:
        path.write_bytes(content)

    result = invoke(app, "backup", "restore", str(path), "--yes")

    assert result.exit_code == 1, result.output
    assert message in result.output
    assert db.session.scalar(select(User.email)) == "kept@example.com"


def test_create_does_not_overwrite_a_file(app, tmp_path):
    path = tmp_path / "exists.gz"
    path.write_text("keep me")
    result = invoke(app, "backup", "create", str(path))
    assert result.exit_code == 1 and "exists" in result.output
    assert path.read_text() == "keep me"
