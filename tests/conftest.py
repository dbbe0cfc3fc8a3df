"""Shared fixtures: a real database (SQLite, or PostgreSQL when DATABASE_URL says so), a real
Redis when the run uses one, CSRF-aware clients, sign-in, and a burst-mode RQ worker.

The suite runs twice in CI: on the embedded default, and with DATABASE_URL + REDIS_URL.
Tests that need Redis in the embedded run reach it through TEST_REDIS_URL (default localhost)
and fail, never skip, when it is not there.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import text

from advocacy import create_app
from advocacy.accounts.tokens import create_api_token
from advocacy.extensions import db, limiter
from tests.factories import PASSWORD, UserFactory

pytest_plugins = ["tests.openapi_validation"]

CSRF_INPUT = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)
SERVICES_DATABASE_URL = os.environ.get("DATABASE_URL", "")
SERVICES_REDIS_URL = os.environ.get("REDIS_URL", "")


# Several checkouts may run the suite at once against the same services: TEST_SLOT (0-6) gives
# each its own PostgreSQL databases and Redis database numbers (1 + 2 * slot + worker, so Redis's
# 16 databases hold seven slots of at most two xdist workers).
TEST_SLOT = int(os.environ.get("TEST_SLOT", "0"))
WORKERS_PER_SLOT = 2


def _worker_number(worker_id: str) -> int:
    return int(worker_id[2:]) if worker_id.startswith("gw") else 0


def _postgres_database(base_url: str, worker_id: str) -> str:
    """A fresh database per xdist worker, made next to the one DATABASE_URL names."""
    parts = urlsplit(base_url)
    slot = f"s{TEST_SLOT}_" if TEST_SLOT else ""
    name = f"{parts.path.lstrip('/') or 'advocacy'}_test_{slot}{worker_id}"
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def worker_id(request) -> str:
    return getattr(request.config, "workerinput", {}).get("workerid", "master")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id) -> str:
    if SERVICES_DATABASE_URL:
        return _postgres_database(SERVICES_DATABASE_URL, worker_id)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def redis_url(worker_id) -> str:
    """A real Redis database of this worker's own (db 1+n), flushed between tests."""
    base = SERVICES_REDIS_URL or os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    parts = urlsplit(base)
    number = 1 + TEST_SLOT * WORKERS_PER_SLOT + _worker_number(worker_id)
    url = urlunsplit(parts._replace(path=f"/{number}"))
    try:
        Redis.from_url(url).ping()
    except Exception as error:  # noqa: BLE001 - any failure here means the service is missing
        pytest.fail(f"Redis is needed at {url} and cannot be reached: {error}", pytrace=False)
    return url


@pytest.fixture(scope="session")
def base_config(tmp_path_factory, database_url) -> dict:
    config = {
        "ADVOCACY_ENV": "testing",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "SEARCH_INDEX_DIR": str(tmp_path_factory.mktemp("index")),
        "MAIL_BACKEND": "locmem",
        "PUBLIC_BASE_URL": "http://advocacy.test",
        "ORGANISATION_NAME": "Acme",
        "REDIS_URL": "",
        # only loopback hosts are ever fetched in tests: the previews test turns this on
        "LINK_PREVIEWS": False,
    }
    return config


@pytest.fixture(scope="session")
def services_redis_url(request) -> str:
    """The Redis the app itself uses in the services run ('' in the embedded run)."""
    if not SERVICES_REDIS_URL:
        return ""
    return request.getfixturevalue("redis_url")


@pytest.fixture(scope="session")
def _schema(base_config, tmp_path_factory):
    app = create_app(
        {**base_config, "ADVOCACY_INSTANCE_PATH": str(tmp_path_factory.mktemp("inst"))}
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return True


class CsrfClient(FlaskClient):
    """A test client that sends the CSRF token like a browser would (form field, or the
    X-CSRFToken header for htmx), unless told `csrf=False`."""

    csrf_token: str | None = None

    @staticmethod
    def _forget_request_state() -> None:
        """The `app` fixture keeps an app context pushed, so every test request would share one
        `g`, where Flask-Login caches the signed-in user and Flask-WTF the CSRF token: a second
        client would be taken for the first. Forget them before each request, as a server would."""
        if has_app_context():
            for name in (
                "_login_user",
                "csrf_token",
                "csrf_valid",
                "organisation_name",
                "unread_notifications",
            ):
                g.pop(name, None)

    def fetch_csrf_token(self) -> str:
        # The sign-in page has a form when signed out; the settings page when signed in.
        for page in ("/login", "/settings/"):
            match = CSRF_INPUT.search(self.get(page).get_data(as_text=True))
            if match:
                break
        self.csrf_token = match.group(1) or match.group(2)
        return self.csrf_token

    def open(self, *args, csrf: bool = True, **kwargs):
        self._forget_request_state()
        method = kwargs.get("method", "GET").upper()
        path = args[0] if args and isinstance(args[0], str) else kwargs.get("path", "")
        if csrf and method in {"POST", "PUT", "PATCH", "DELETE"} and not path.startswith("/api/"):
            token = self.csrf_token or self.fetch_csrf_token()
            headers = dict(kwargs.pop("headers", None) or {})
            if headers.get("HX-Request"):
                headers.setdefault("X-CSRFToken", token)
            elif isinstance(kwargs.get("data"), dict):
                kwargs["data"] = {"csrf_token": token, **kwargs["data"]}
            elif kwargs.get("data") is None and "json" not in kwargs:
                kwargs["data"] = {"csrf_token": token}
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)


@pytest.fixture
def make_app(base_config, _schema, services_redis_url, request, tmp_path):
    """Build an app with extra settings; the database is emptied after the test."""
    apps = []

    def factory(**overrides):
        config = {**base_config, "REDIS_URL": services_redis_url, **overrides}
        os.environ["ADVOCACY_INSTANCE_PATH"] = str(tmp_path / "instance")
        app = create_app(config)
        app.test_client_class = CsrfClient
        apps.append(app)
        if app.config.get("REDIS_URL"):
            Redis.from_url(app.config["REDIS_URL"]).flushdb()
        return app

    yield factory
    for app in apps:
        with app.app_context():
            _empty_database()
            limiter.reset()
            db.engine.dispose()


# PostgreSQL: DELETE, children first, then restart only the sequences that were used. TRUNCATE
# of all ~70 tables made new files for each and took 0.3-1.6 s per test; this takes ~5 ms.
_RESTART_USED_SEQUENCES = """
DO $$
DECLARE name text;
BEGIN
  FOR name IN SELECT sequencename FROM pg_sequences
              WHERE schemaname = current_schema() AND last_value IS NOT NULL LOOP
    EXECUTE format('ALTER SEQUENCE %I RESTART', name);
  END LOOP;
END $$;
"""


def _empty_database() -> None:
    db.session.remove()
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        for table in tables:
            conn.execute(table.delete())
        if conn.dialect.name == "postgresql":
            conn.execute(text(_RESTART_USED_SEQUENCES))


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app) -> CsrfClient:
    return app.test_client()


@pytest.fixture
def user(app):
    return UserFactory(display_name="Maya Member", email="maya@example.com")


@pytest.fixture
def admin(app):
    return UserFactory(display_name="Ada Admin", email="ada@example.com", role="admin")


@pytest.fixture
def curator(app):
    return UserFactory(display_name="Cora Curator", email="cora@example.com", role="curator")


@pytest.fixture
def login_as(app):
    """Sign a client in through the real sign-in form; returns the client."""

    def sign_in(user, client: CsrfClient | None = None) -> CsrfClient:
        client = client or app.test_client()
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        client.csrf_token = None  # the session changed on sign-in
        return client

    return sign_in


@pytest.fixture
def api_token(app):
    """A live personal API token for a user."""

    def make(user) -> str:
        return create_api_token(user, "test")[1]

    return make


@pytest.fixture
def api(app, validated_responses):
    """A client for /api/v1 authenticated as `user`; its responses are checked against the
    OpenAPI document."""

    def make(user, token: str | None = None):
        secret = token or create_api_token(user, "test")[1]
        test_client = app.test_client()
        test_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        return test_client

    return make


@pytest.fixture
def mail_outbox(app):
    """Messages sent through the locmem backend during the test."""
    mailman = app.extensions["mailman"]
    mailman.outbox = []
    return mailman.outbox


@pytest.fixture
def live_server(make_app):
    """The app served over real HTTP on a free local port, for the browser tests."""
    from threading import Thread

    from werkzeug.serving import make_server

    app = make_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.app = app
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by Playwright (no downloaded browsers)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page; CSP is bypassed only so axe-core can be injected."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def rq_app(make_app, redis_url):
    """An app backed by the real Redis (whatever the run's mode), inside an app context."""
    app = make_app(REDIS_URL=redis_url)
    with app.app_context():
        yield app


def drain_jobs(app) -> None:
    """Run `app`'s queued jobs now, in this process (nothing to do when jobs run in-process),
    then reload rows so the test sees what the jobs wrote."""
    redis = app.extensions["jobs"].redis
    if redis is not None:
        from rq import Queue

        from advocacy.jobs import QUEUES, InlineAppWorker

        worker = InlineAppWorker([Queue(n, connection=redis) for n in QUEUES], connection=redis)
        worker.flask_app = app
        worker.work(burst=True, with_scheduler=False)
    db.session.expire_all()


@pytest.fixture
def run_jobs(app):
    """Run queued jobs now (drain_jobs) for the test's app."""
    return lambda: drain_jobs(app)


@pytest.fixture
def worker(rq_app):
    """A real RQ worker of the app; drain with `worker.work(burst=True, with_scheduler=False)`."""
    from rq import Queue

    from advocacy.jobs import QUEUES, AppWorker, redis_connection

    connection = redis_connection()
    queues = [Queue(name, connection=connection) for name in QUEUES]
    rq_worker = AppWorker(queues, connection=connection)
    rq_worker.flask_app = rq_app
    return rq_worker
