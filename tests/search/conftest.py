"""Search fixtures: an app per backend (Whoosh in a fresh folder, PostgreSQL in a real database
in both CI runs), synthetic documents, readers, and the test-only Note model."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from rq import Queue

from advocacy import create_app
from advocacy.extensions import db
from advocacy.jobs import QUEUES, InlineAppWorker
from advocacy.search.documents import EVERYONE, Audience, SearchDocument, document_key
from advocacy.search.extension import current_backend, search_state
from advocacy.search.permissions import Reader, set_visible_spaces_provider
from advocacy.search.query.parser import parse_query
from tests.conftest import _postgres_database
from tests.search.models import NoteBase, register_notes

BACKENDS = ["whoosh", "postgres"]
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/advocacy_ci"
NOW = datetime.now(UTC).replace(microsecond=0)

PUBLIC, PRIVATE, SECRET = 1, 2, 3  # space ids of the permission matrix
ANYONE = Reader(user_id=1, space_ids={PUBLIC})
MEMBER = Reader(user_id=2, space_ids={PUBLIC, PRIVATE})
INSIDER = Reader(user_id=3, space_ids={PUBLIC, PRIVATE, SECRET})


@pytest.fixture(scope="session")
def postgres_search_url(database_url, worker_id, base_config, tmp_path_factory) -> str:
    """A PostgreSQL database for the PostgreSQL backend, in both runs. The embedded run makes its
    own next to TEST_PG_URL and fails (never skips) when PostgreSQL cannot be reached."""
    if database_url.startswith("postgresql"):
        return database_url
    base = urlsplit(os.environ.get("TEST_PG_URL") or DEFAULT_PG_URL)
    base = urlunsplit(base._replace(path=f"{base.path.rstrip('/') or '/advocacy'}_search"))
    try:
        url = _postgres_database(base, worker_id)
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL is needed at {base} and cannot be reached: {error}", False)
    app = create_app(
        {
            **base_config,
            "DATABASE_URL": url,
            "ADVOCACY_INSTANCE_PATH": str(tmp_path_factory.mktemp("pg-search")),
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return url


def backend_overrides(request, name: str, tmp_path) -> dict:
    overrides = {"SEARCH_BACKEND": name, "SEARCH_INDEX_DIR": str(tmp_path / "search-index")}
    if name == "postgres":
        overrides["DATABASE_URL"] = request.getfixturevalue("postgres_search_url")
    return overrides


@pytest.fixture(params=BACKENDS)
def search_app(request, make_app, tmp_path):
    """An app on each backend, with an empty index, inside its app context."""
    app = make_app(**backend_overrides(request, request.param, tmp_path))
    with app.app_context():
        chosen = current_backend()
        with chosen.writer_lock(5):
            chosen.clear()
        yield app
        chosen.close()


@pytest.fixture
def backend(search_app):
    """The search_app's backend."""
    return current_backend()


@pytest.fixture
def run_search_jobs(search_app):
    """Run the jobs the search_app queued (with Redis); in-process jobs have run already."""

    def drain() -> None:
        redis = search_app.extensions["jobs"].redis
        if redis is not None:
            worker = InlineAppWorker(
                [Queue(name, connection=redis) for name in QUEUES], connection=redis
            )
            worker.flask_app = search_app
            worker.work(burst=True, with_scheduler=False)
        db.session.expire_all()

    return drain


@pytest.fixture
def note_source(search_app):
    """The test-only Note model, searchable as threads, on the search_app's database."""
    NoteBase.metadata.create_all(db.engine)
    register_notes(search_app)
    set_visible_spaces_provider(search_app, lambda user: {PUBLIC, PRIVATE})
    yield
    db.session.remove()
    NoteBase.metadata.drop_all(db.engine)


@pytest.fixture
def search_index(app, tmp_path):
    """The default app with a fresh, empty index of its own."""
    state = search_state(app)
    state.config = {**state.config, "SEARCH_INDEX_DIR": str(tmp_path / "own-index")}
    state.backends.clear()
    chosen = state.backend()
    with chosen.writer_lock(5):
        chosen.clear()
    yield chosen
    chosen.close()


@pytest.fixture
def notes(app, search_index):
    """The test-only Note model, searchable as threads; readers see spaces 1 and 2."""
    NoteBase.metadata.create_all(db.engine)
    register_notes(app)
    set_visible_spaces_provider(app, lambda user: {PUBLIC, PRIVATE})
    yield
    db.session.remove()
    NoteBase.metadata.drop_all(db.engine)


def make_doc(
    n: int,
    title: str,
    body: str = "",
    *,
    doc_type: str = "thread",
    tags: tuple[str, ...] = (),
    space: int | None = None,
    author: str = "",
    age_days: float = 10,
    audience: Audience = EVERYONE,
    statuses: tuple[str, ...] = (),
    visible_from: datetime | None = None,
    visible_until: datetime | None = None,
    created: datetime | None = None,
) -> SearchDocument:
    """A synthetic document (the kind the feeds and discussions builders will make)."""
    created = created or NOW - timedelta(days=age_days)
    names = {PUBLIC: "Town Hall", PRIVATE: "Leadership", SECRET: "Project Falcon"}
    return SearchDocument(
        key=document_key(doc_type, n),
        type=doc_type,
        title=title,
        body=body,
        tags=tags,
        author_id=n if author else None,
        author_name=author,
        author_handle=author.split(" ")[0].lower() if author else "",
        space_id=space,
        space_name=names.get(space, "") if space else "",
        space_slug=names.get(space, "").lower().replace(" ", "-") if space else "",
        audience=audience,
        statuses=statuses,
        created_at=created,
        updated_at=created,
        visible_from=visible_from,
        visible_until=visible_until,
        url=f"/{doc_type}/{n}",
    )


def add(backend, *documents: SearchDocument) -> None:
    with backend.writer_lock(5):
        backend.apply(list(documents), [])


def find(
    backend,
    text: str,
    reader: Reader = INSIDER,
    page: int = 1,
    per_page: int = 20,
    correct: bool = True,
    timezone: str = "UTC",
):
    query = parse_query(text, now=datetime.now(UTC), timezone=timezone)
    assert query.problem is None, query.problem
    return backend.search(query, reader, page, per_page, correct)


def keys(results) -> list[str]:
    return [hit.key for hit in results.hits]
