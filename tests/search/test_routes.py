"""The search page: full page, htmx fragment and boosted request; as-you-type; corrections;
every bad input answered with a message and a fitting status; leaks; unavailability; limits."""

from __future__ import annotations

import re
import shutil

import pytest
from sqlalchemy import delete, func, select

from advocacy.accounts.models import User
from advocacy.accounts.service import deactivate_user
from advocacy.extensions import db
from advocacy.search.extension import current_backend
from advocacy.search.models import SearchQueryLog
from tests.factories import UserFactory
from tests.search.conftest import ANYONE, find, keys
from tests.search.models import Note

HTMX = {"HX-Request": "true", "HX-Target": "search-results"}
TAG = re.compile(r"<[^>]+>")


def shown(response) -> str:
    """The response's text as a reader sees it (tags such as the highlights' <mark> removed)."""
    return TAG.sub("", response.get_data(as_text=True))


BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


@pytest.fixture
def maya(app, search_index, run_jobs):
    """The searcher, with colleagues to find."""
    me = UserFactory(display_name="Maya Member", email="maya@example.com")
    UserFactory(display_name="Marcus Chen", job_title="VP Engineering", department="Engineering")
    UserFactory(display_name="Isabelle Dubois", job_title="Product Designer")
    run_jobs()
    return me


def test_the_page_without_a_query_invites_one(client, login_as, maya):
    login_as(maya, client)
    response = client.get("/search")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Type a word, a name or a phrase to search." in body
    assert 'hx-trigger="input changed delay:300ms, search"' in body
    assert 'role="search"' in body and "Search tips and operators" in body
    assert client.get("/search?q=%20%20").status_code == 200


def test_page_fragment_and_boosted_request(client, login_as, maya):
    login_as(maya, client)
    page = client.get("/search?q=marcus")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    assert "Marcus Chen" in shown(page)
    assert "HX-Request" in page.headers["Vary"]

    fragment = client.get("/search?q=marcus", headers=HTMX)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body
    assert "1 result" in body and "<mark>Marcus</mark> Chen" in body

    boosted = client.get("/search?q=marcus", headers=BOOSTED)
    assert "<html" in boosted.get_data(as_text=True)


def test_as_you_type_matches_the_word_being_typed(client, login_as, maya):
    login_as(maya, client)
    typing = shown(client.get("/search?q=marc", headers=HTMX))
    assert "Marcus Chen" in typing
    submitted = client.get("/search?q=marc").get_data(as_text=True)
    assert "No results" in submitted  # a submitted search looks for whole words


def test_a_typo_shows_results_for_the_correction(client, login_as, maya):
    login_as(maya, client)
    body = client.get("/search?q=isabele", headers=HTMX).get_data(as_text=True)
    assert "Showing results for" in body and "Isabelle Dubois" in TAG.sub("", body)
    assert "Search instead for" in body and "exact=1" in body
    exact = client.get("/search?q=isabele&exact=1", headers=HTMX).get_data(as_text=True)
    assert "No results" in exact and "Showing results for" not in exact


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("x" * 2000, 422, "A search can be at most 256 characters long; this one has 2,000."),
        ("?!* ...", 422, "nothing to search for"),
        ("-marcus", 422, "a search cannot be made of exclusions only"),
        ("the of and", 422, "too common to search for"),
        ('"unbalanced quote', 200, "No results"),
        ("mar\x00cus", 200, "No results"),
        (r"^ma.*rcus$ (a|b)[", 200, "result"),
        ("@@@ ### OR", 422, "nothing to search for"),
        ("tag: from: marcus", 200, "needs a value after the colon"),
    ],
)
def test_bad_queries_get_a_message_never_an_error(client, login_as, maya, query, status, message):
    login_as(maya, client)
    for headers in ({}, HTMX):
        response = client.get("/search", query_string={"q": query}, headers=headers)
        body = response.get_data(as_text=True)
        assert response.status_code == status, body
        assert message in body.replace("&#34;", '"').replace("&#39;", "'")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"page": "abc"}, "The page must be a whole number"),
        ({"page": "0"}, "Pages start at 1."),
        ({"page": "999999"}, "Results stop at page 50 (1,000 results)"),
        ({"page": "99999999999999999999"}, "The page must be a whole number"),
        ({"type": "banana"}, "Choose one of thread, post, content, person, space."),
    ],
)
def test_bad_paging_and_types(client, login_as, maya, args, message):
    login_as(maya, client)
    response = client.get("/search", query_string={"q": "marcus", **args})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_a_page_past_the_end_says_where_the_results_end(client, login_as, maya):
    login_as(maya, client)
    body = client.get("/search?q=marcus&page=3").get_data(as_text=True)
    assert "There is no page 3: the results end at page 1." in body


def test_pages_link_to_each_other(client, login_as, maya, run_jobs):
    db.session.add_all(UserFactory.build_batch(23, job_title="Tester"))
    db.session.commit()  # one commit, one indexing job
    run_jobs()
    login_as(maya, client)
    first = client.get("/search?q=tester").get_data(as_text=True)
    assert "23 results" in first and "page 1 of 2" in first
    assert re.search(r'href="/search\?q=tester&amp;page=2"[^>]*hx-get=', first)
    second = client.get("/search?q=tester&page=2", headers=HTMX).get_data(as_text=True)
    assert "← Previous" in second and second.count('class="search-hit"') == 3


def test_an_unavailable_index_is_a_friendly_503(client, login_as, maya):
    login_as(maya, client)
    shutil.rmtree(current_backend().root)
    for headers in ({}, HTMX):
        response = client.get("/search?q=marcus", headers=headers)
        body = response.get_data(as_text=True)
        assert response.status_code == 503
        assert "Search is unavailable right now" in body and "Everything else keeps working" in body
        assert response.headers["Retry-After"] == "30"
    assert client.get("/").status_code == 200  # the rest of the app works


def test_searches_are_rate_limited_per_user(make_app, tmp_path, login_as):
    app = make_app(RATELIMIT_SEARCH="2 per minute", SEARCH_INDEX_DIR=str(tmp_path / "ix"))
    with app.app_context():
        current_backend().clear()
        first, second = UserFactory(), UserFactory()
        one, other = login_as(first, app.test_client()), login_as(second, app.test_client())
        assert [one.get("/search?q=x").status_code for _ in range(2)] == [200, 200]
        limited = one.get("/search?q=x", headers=HTMX)
        assert limited.status_code == 429
        assert "Too many attempts" in limited.get_data(as_text=True)
        assert limited.headers["Retry-After"]
        assert other.get("/search?q=x").status_code == 200  # per user, not per address


def test_a_secret_space_answers_exactly_like_an_unknown_one(
    client, login_as, maya, notes, run_jobs
):
    db.session.add_all(
        [
            Note(title="Budget review", space_id=1),
            Note(title="Budget secrets", body="Falcon budget", space_id=3),
        ]
    )
    db.session.commit()
    run_jobs()
    login_as(maya, client)
    secret = client.get("/search?q=budget in:space-3", headers=HTMX).get_data(as_text=True)
    unknown = client.get("/search?q=budget in:space-9", headers=HTMX).get_data(as_text=True)
    assert secret.replace("space-3", "X") == unknown.replace("space-9", "X")
    assert "No results" in secret
    everything = shown(client.get("/search?q=budget", headers=HTMX))
    assert "Budget review" in everything and "secrets" not in everything
    assert "1 result" in everything


def test_hits_the_database_no_longer_allows_are_dropped_and_reindexed(
    client, login_as, maya, notes, run_jobs
):
    note = Note(title="Offsite plans", space_id=1)
    db.session.add(note)
    db.session.commit()
    run_jobs()
    db.session.execute(delete(Note.__table__))  # behind the hooks' back
    db.session.commit()
    login_as(maya, client)
    body = client.get("/search?q=offsite", headers=HTMX).get_data(as_text=True)
    assert "Offsite plans" not in body
    run_jobs()
    assert keys(find(current_backend(), "offsite", ANYONE)) == []


def test_results_are_escaped_and_highlighted(client, login_as, maya, notes, run_jobs):
    db.session.add(Note(title="<script>alert(1)</script> budget", body="<img src=x> budget"))
    db.session.commit()
    run_jobs()
    login_as(maya, client)
    body = client.get("/search?q=budget", headers=HTMX).get_data(as_text=True)
    assert "<script>alert" not in body and "<img src=x>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>budget</mark>" in body


def test_type_tabs_narrow_the_results(client, login_as, maya, notes, run_jobs):
    db.session.add(Note(title="Marcus on design reviews"))
    db.session.commit()
    run_jobs()
    login_as(maya, client)
    everything = shown(client.get("/search?q=marcus", headers=HTMX))
    assert "Threads" in everything and "People" in everything and "2 results" in everything
    people = shown(client.get("/search?q=marcus&type=person", headers=HTMX))
    assert "1 result" in people and "Marcus Chen" in people and "design reviews" not in people


def test_typing_is_logged_once_without_the_reader(client, login_as, maya):
    login_as(maya, client)
    for text in ("mar", "marc", "marcus"):
        client.get(f"/search?q={text}", headers=HTMX)
    client.get("/search?q=isabelle")
    client.get("/search?q=isabelle&page=2")
    rows = db.session.scalars(select(SearchQueryLog).order_by(SearchQueryLog.id)).all()
    assert [(r.normalized, r.results, r.source) for r in rows] == [
        ("marcus", 1, "live"),
        ("isabelle", 1, "page"),
    ]
    assert not hasattr(SearchQueryLog, "user_id")


def test_the_person_card(client, login_as, maya, admin):
    login_as(maya, client)
    marcus = db.session.scalar(select(User).filter_by(display_name="Marcus Chen"))
    card = client.get(f"/search/people/{marcus.id}")
    body = card.get_data(as_text=True)
    assert card.status_code == 200 and "VP Engineering" in body and "Local time" in body
    deactivate_user(marcus, admin)
    assert client.get(f"/search/people/{marcus.id}").status_code == 404


def test_the_header_has_a_search_box(client, login_as, maya):
    login_as(maya, client)
    body = client.get("/").get_data(as_text=True)
    assert 'id="nav-search-q"' in body and 'action="/search"' in body


def test_signed_out_visitors_are_sent_to_sign_in(client, search_index):
    response = client.get("/search?q=x")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(SearchQueryLog)) == 0
