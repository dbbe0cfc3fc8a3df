"""Admin pages: the index status (healthy or not), a rebuild with its progress, analytics."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from advocacy.background.models import JobRun, JobState
from advocacy.background.service import create_job_run
from advocacy.extensions import db
from advocacy.search.extension import current_backend
from advocacy.search.indexing import REINDEX_KIND
from tests.factories import UserFactory

HTMX = {"HX-Request": "true", "HX-Target": "search-status"}
PAGES = [
    ("get", "/admin/search/"),
    ("post", "/admin/search/reindex"),
    ("get", "/admin/search/analytics"),
]


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_only_admins(client, login_as, user, search_index, method, path):
    login_as(user, client)
    assert getattr(client, method)(path).status_code == 403


def test_status_shows_health_size_and_lag(client, login_as, search_index, admin, run_jobs):
    UserFactory.create_batch(2)
    run_jobs()
    login_as(admin, client)
    body = client.get("/admin/search/").get_data(as_text=True)
    assert "Whoosh backend" in body and "Healthy" in body
    assert "<td>Person</td><td>3</td>" in body  # two people and the admin
    assert "Waiting to be indexed" in body and "0 changes" in body
    assert "Rebuild the search index" in body


def test_status_of_a_broken_index_is_a_page_not_an_error(client, login_as, search_index, admin):
    shutil.rmtree(current_backend().root)
    login_as(admin, client)
    response = client.get("/admin/search/")
    assert response.status_code == 200
    assert "Unavailable" in response.get_data(as_text=True)


def test_a_rebuild_from_the_page(client, login_as, search_index, admin, run_jobs):
    login_as(admin, client)
    response = client.post("/admin/search/reindex")
    assert response.status_code == 303
    run = db.session.scalar(select(JobRun).where(JobRun.kind == REINDEX_KIND))
    assert response.headers["Location"].endswith(f"/jobs/{run.id}")
    run_jobs()
    db.session.refresh(run)
    assert run.state == JobState.DONE and run.result["documents"] == 1
    assert "The search index was rebuilt: 1 documents" in client.get(f"/jobs/{run.id}").get_data(
        as_text=True
    )


def test_an_htmx_rebuild_shows_its_progress_in_place(client, login_as, search_index, admin):
    login_as(admin, client)
    response = client.post("/admin/search/reindex", headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 202 and "<html" not in body
    run = db.session.scalar(select(JobRun).where(JobRun.kind == REINDEX_KIND))
    assert f'id="job-{run.id}"' in body
    if run.state != JobState.DONE:  # queued in the services run: the fragment polls itself
        assert f'hx-get="/jobs/{run.id}"' in body


def test_one_rebuild_at_a_time(client, login_as, search_index, admin):
    create_job_run(REINDEX_KIND, admin.id, {})
    db.session.commit()
    login_as(admin, client)
    response = client.post("/admin/search/reindex", headers=HTMX)
    assert response.status_code == 409
    assert "being rebuilt already" in response.get_data(as_text=True)


def test_analytics_show_top_and_empty_searches(client, login_as, search_index, admin, run_jobs):
    run_jobs()  # the admin is findable
    # Separate sessions: one session repeating a search within seconds counts once.
    for text in ("ada", "ada", "holiday policy", "holiday policy", "holiday policy", "zzz"):
        login_as(admin).get("/search", query_string={"q": text})
    login_as(admin, client)
    body = client.get("/admin/search/analytics?days=7").get_data(as_text=True)
    assert "6 searches, 4 found nothing" in body
    top = body.split("Top searches")[1].split("Searches that found nothing")[0]
    assert top.index("holiday policy") < top.index("ada") < top.index("zzz")
    zero = body.split("Searches that found nothing")[1]
    assert "holiday policy" in zero and "zzz" in zero and "<td>ada</td>" not in zero


def test_analytics_period_must_be_offered(client, login_as, search_index, admin):
    login_as(admin, client)
    response = client.get("/admin/search/analytics?days=5")
    assert response.status_code == 422
    assert "Choose a period of 1, 7, 30, 90 days." in response.get_data(as_text=True)
