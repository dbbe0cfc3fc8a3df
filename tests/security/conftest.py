"""Security fixtures: one seeded organisation per module (the walks only read it, or try to
change it and must fail), signed-in clients for every role, and API clients with their tokens."""

from __future__ import annotations

import os

import pytest
from redis import Redis

from advocacy import create_app
from advocacy.extensions import db, limiter
from advocacy.search.extension import current_backend
from advocacy.search.indexing import rebuild_index
from tests.conftest import CsrfClient, _empty_database
from tests.factories import PASSWORD
from tests.security.org import ROLES, Org, seed_org


@pytest.fixture(scope="module")
def walk_app(request, base_config, _schema, services_redis_url, tmp_path_factory):
    """An app whose database holds the walk's organisation for the whole module (a module's
    APP_CONFIG adds settings)."""
    os.environ["ADVOCACY_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("walk-instance"))
    app = create_app(
        {
            **base_config,
            "REDIS_URL": services_redis_url,
            "SEARCH_INDEX_DIR": str(tmp_path_factory.mktemp("walk-index")),
            **getattr(request.module, "APP_CONFIG", {}),
        }
    )
    app.test_client_class = CsrfClient
    if services_redis_url:
        Redis.from_url(services_redis_url).flushdb()
    with app.app_context():
        app.extensions["walk_org"] = seed_org()
        # With Redis the indexing jobs wait in a queue: build the index now, as a worker would.
        rebuild_index(current_backend(), lambda done, total: None)
        yield app
        _empty_database()
        limiter.reset()
        db.engine.dispose()


@pytest.fixture(scope="module")
def org(walk_app) -> Org:
    return walk_app.extensions["walk_org"]


@pytest.fixture(scope="module")
def clients(walk_app, org) -> dict[str, CsrfClient]:
    """A client per role, signed in through the real form (anonymous stays signed out)."""
    result = {"anonymous": walk_app.test_client()}
    for role in ROLES[1:]:
        client = walk_app.test_client()
        response = client.post(
            "/login", data={"email": f"{role}@walk.example", "password": PASSWORD}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        client.csrf_token = None
        result[role] = client
    limiter.reset()
    return result
