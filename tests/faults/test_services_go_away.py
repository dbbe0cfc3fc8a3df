"""PostgreSQL restarts and Redis goes away, behind a TCP proxy: requests fail cleanly and fast
(503, never a hang or a 500), pages that need no Redis keep working, queued work still happens,
and the app recovers by itself when the service is back."""

from __future__ import annotations

import threading
import time

from redis import Redis
from rq import Queue
from sqlalchemy import func, select, text

from advocacy.accounts.tokens import create_api_token
from advocacy.extensions import db
from advocacy.search.models import SearchPendingChange
from tests.factories import PASSWORD, UserFactory


def sign_in(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    client.csrf_token = None
    return client


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_a_postgres_restart_is_a_clean_503_then_the_app_recovers(postgres_proxy, make_app):
    url, proxy = postgres_proxy
    app = make_app(DATABASE_URL=url)
    with app.app_context():
        user = UserFactory()
        client = sign_in(app, user)
        bearer = app.test_client()
        bearer.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {create_api_token(user, 'x')[1]}"
        assert client.get("/settings/").status_code == 200

        proxy.cut()
        page, seconds = timed(lambda: client.get("/settings/"))
        problem = bearer.get("/api/v1/me")

        assert page.status_code == 503 and seconds < 5
        assert "database cannot be reached" in page.get_data(as_text=True)
        assert page.headers["Retry-After"] == "10"
        assert problem.status_code == 503, problem.get_json()
        assert problem.mimetype == "application/problem+json"

        proxy.restore()
        assert client.get("/settings/").status_code == 200  # pre-ping replaced the dead ones
        assert bearer.get("/api/v1/me").status_code == 200


def test_a_query_in_flight_when_postgres_goes_fails_at_once(postgres_proxy, make_app):
    url, proxy = postgres_proxy
    app = make_app(DATABASE_URL=url)
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        started = time.monotonic()
        threading.Timer(0.5, proxy.cut).start()
        try:
            db.session.execute(text("SELECT pg_sleep(20)"))
            raised = None
        except Exception as error:  # noqa: BLE001 - the kind is asserted below
            raised = error
        db.session.rollback()
        assert raised is not None and "OperationalError" in type(raised).__name__
        assert time.monotonic() - started < 5
        proxy.restore()
        assert db.session.scalar(text("SELECT 1")) == 1


def pending_changes() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchPendingChange))


def test_without_redis_pages_work_and_jobs_run_in_process(redis_proxy, make_app, redis_url):
    url, proxy = redis_proxy
    # The limiter is one object shared by every app of the process: cutting its storage here put
    # later tests' limits into a fallback state, so this app's limits count in memory.
    app = make_app(REDIS_URL=url, RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        search_queue = Queue("search", connection=Redis.from_url(redis_url))
        user = UserFactory(display_name="Before Redis Left")
        client = sign_in(app, user)
        assert len(search_queue) >= 1  # indexing the new person waits for a worker

        proxy.cut()
        search_queue.empty()
        again, seconds = timed(lambda: sign_in(app, user))
        profile = again.post("/settings/profile", data=profile_form(user, "While Redis Is Away"))
        assert seconds < 5
        assert profile.status_code in (200, 302), profile.get_data(as_text=True)
        assert again.get("/").status_code == 200
        assert len(search_queue) == 0 and pending_changes() == 0  # the index job ran here

        proxy.restore()
        back = client.post("/settings/profile", data=profile_form(user, "Redis Is Back"))
        assert back.status_code in (200, 302)
        assert len(search_queue) == 1 and pending_changes() == 1  # queued for a worker again


def profile_form(user, name: str) -> dict:
    return {
        "display_name": name,
        "job_title": "",
        "department": "",
        "location": "",
        "timezone": user.timezone,
        "languages": "en",
    }
