"""The contract every backend keeps, run against Whoosh and against a real PostgreSQL: operators,
phrases, exclusions, typos, ranking, paging, highlighting, the permission matrix, deletions and bad
input. Each test indexes a handful of synthetic documents."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from sqlalchemy import inspect

from advocacy import create_app
from advocacy.extensions import db
from advocacy.search.backends import base
from advocacy.search.backends.postgres import backend as postgres_backend
from advocacy.search.backends.postgres import vocabulary as postgres_vocabulary
from advocacy.search.backends.whoosh import backend as whoosh_backend
from advocacy.search.backends.whoosh import query as whoosh_query
from advocacy.search.documents import Audience
from advocacy.search.extension import current_backend
from advocacy.search.models import SearchDocumentRow
from advocacy.search.permissions import Reader
from advocacy.search.query.parser import parse_query
from tests.search.conftest import (
    ANYONE,
    BACKENDS,
    INSIDER,
    MEMBER,
    NOW,
    PRIVATE,
    PUBLIC,
    SECRET,
    add,
    find,
    keys,
    make_doc,
)


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request, base_config, tmp_path_factory, _schema):
    """One app per backend for the whole module (the contract only touches the index)."""
    os.environ["ADVOCACY_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    config = {
        **base_config,
        "SEARCH_BACKEND": request.param,
        "SEARCH_INDEX_DIR": str(tmp_path_factory.mktemp("index")),
    }
    if request.param == "postgres":
        config["DATABASE_URL"] = request.getfixturevalue("postgres_search_url")
    app = create_app(config)
    with app.app_context():
        chosen = current_backend()
        yield chosen
        with chosen.writer_lock(5):
            chosen.clear()
        chosen.close()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _empty_index(backend):
    with backend.writer_lock(5):
        backend.clear()


# --- words, phrases, exclusions, OR, prefixes -------------------------------------------------


def test_all_words_must_match_in_any_form(backend):
    add(
        backend,
        make_doc(1, "Onboarding checklist", "Everything a new starter needs in week one."),
        make_doc(2, "Onboarding buddies", "Pair every starter with a buddy."),
        make_doc(3, "Expense policy", "Checklists for claiming expenses."),
    )
    assert keys(find(backend, "onboarding checklists")) == ["thread:1"]
    assert set(keys(find(backend, "ONBOARDING"))) == {"thread:1", "thread:2"}
    assert set(keys(find(backend, "checklist"))) == {"thread:1", "thread:3"}
    assert find(backend, "onboarding expenses").total == 0


def test_phrase_matches_the_words_together_in_order(backend):
    add(
        backend,
        make_doc(1, "Notes", "Plan the first week of every new hire."),
        make_doc(2, "Notes", "The week first, then the rest."),
        make_doc(3, "First week survival guide"),
    )
    assert set(keys(find(backend, '"first week"'))) == {"thread:1", "thread:3"}


def test_exclusions_of_words_and_phrases(backend):
    add(
        backend,
        make_doc(1, "Summer internship", "Interns join in June."),
        make_doc(2, "Summer party", "Drinks on the roof."),
        make_doc(3, "Summer job fair", "Meet the summer job candidates."),
    )
    assert keys(find(backend, "summer -internship")) == ["thread:3", "thread:2"] or set(
        keys(find(backend, "summer -internship"))
    ) == {"thread:2", "thread:3"}
    assert set(keys(find(backend, 'summer -"job fair"'))) == {"thread:1", "thread:2"}


def test_or_finds_either(backend):
    add(
        backend,
        make_doc(1, "Remote work policy"),
        make_doc(2, "Hybrid work policy"),
        make_doc(3, "Office work policy"),
    )
    assert set(keys(find(backend, "remote OR hybrid"))) == {"thread:1", "thread:2"}
    assert set(keys(find(backend, "policy remote OR hybrid"))) == {"thread:1", "thread:2"}


def test_prefix_expands_to_whole_words(backend):
    add(
        backend,
        make_doc(1, "Onboarding guide"),
        make_doc(2, "Onboard the new team"),
        make_doc(3, "Offboarding steps"),
    )
    assert set(keys(find(backend, "onboard*"))) == {"thread:1", "thread:2"}
    # A partial word longer than its stem still finds it ("marketi" is not a prefix of "market").
    add(backend, make_doc(4, "Marketing plan"))
    assert keys(find(backend, "marketi*")) == ["thread:4"]
    assert find(backend, "zzzq*").total == 0


def test_prefix_expansion_is_bounded(backend, monkeypatch):
    add(backend, *[make_doc(i, f"report{i:03d} alpha") for i in range(1, 41)])
    monkeypatch.setattr(whoosh_query, "PREFIX_EXPANSIONS_MAX", 5)
    monkeypatch.setattr(postgres_vocabulary, "PREFIX_EXPANSIONS_MAX", 5)
    # Both backends match the 5 most frequent words with the prefix, never every such word.
    assert find(backend, "report0*").total == 5
    assert find(backend, "zzzq*").total == 0


# --- operators ----------------------------------------------------------------------------------


def test_author_by_handle_word_or_full_name(backend):
    add(
        backend,
        make_doc(1, "Budget", author="Maya Member"),
        make_doc(2, "Budget", author="Chloé Martin"),
        make_doc(3, "Budget"),
    )
    assert keys(find(backend, "@maya")) == ["thread:1"]
    assert keys(find(backend, "budget from:member")) == ["thread:1"]
    assert keys(find(backend, 'from:"Maya Member" budget')) == ["thread:1"]
    assert keys(find(backend, "@chloe")) == ["thread:2"]
    assert set(keys(find(backend, "@maya @chloe"))) == {"thread:1", "thread:2"}
    assert find(backend, "@nobody budget").total == 0


def test_in_space_by_slug_or_name(backend):
    add(
        backend,
        make_doc(1, "Agenda", space=PUBLIC),
        make_doc(2, "Agenda", space=PRIVATE),
        make_doc(3, "Agenda"),
    )
    assert keys(find(backend, "agenda in:town-hall")) == ["thread:1"]
    assert keys(find(backend, 'agenda in:"Town Hall"')) == ["thread:1"]
    assert keys(find(backend, "#leadership")) == ["thread:2"]


def test_tags_any_and_all(backend):
    add(
        backend,
        make_doc(1, "One", tags=("Hiring", "Events")),
        make_doc(2, "Two", tags=("hiring",)),
        make_doc(3, "Three", tags=("events",)),
    )
    assert set(keys(find(backend, "tag:hiring"))) == {"thread:1", "thread:2"}
    assert set(keys(find(backend, "tag:hiring,events"))) == {"thread:1", "thread:2", "thread:3"}
    assert keys(find(backend, "tag:hiring+events")) == ["thread:1"]


def test_types_and_statuses(backend):
    add(
        backend,
        make_doc(1, "Laptop", statuses=("open", "unanswered")),
        make_doc(2, "Laptop", statuses=("closed", "solved")),
        make_doc(3, "Laptop", doc_type="post"),
        make_doc(4, "Laptop", doc_type="person"),
    )
    assert keys(find(backend, "laptop type:post")) == ["post:3"]
    assert set(keys(find(backend, "laptop type:post,person"))) == {"post:3", "person:4"}
    assert keys(find(backend, "laptop status:unanswered")) == ["thread:1"]
    assert keys(find(backend, "status:solved")) == ["thread:2"]


def test_before_and_after_in_the_readers_zone(backend):
    day = NOW.replace(hour=12, minute=0, second=0) - timedelta(days=3)
    add(
        backend,
        make_doc(1, "Retro", created=day - timedelta(days=30)),
        make_doc(2, "Retro", created=day),
        make_doc(3, "Retro", created=NOW - timedelta(minutes=5)),
    )
    iso = day.date().isoformat()
    assert set(keys(find(backend, f"retro after:{iso}"))) == {"thread:2", "thread:3"}
    assert keys(find(backend, f"retro before:{iso}")) == ["thread:1"]
    assert keys(find(backend, "retro after:yesterday")) == ["thread:3"]
    assert set(keys(find(backend, "retro after:7d"))) == {"thread:2", "thread:3"}
    # 12:00 UTC is already 02:00 the next day in Kiritimati (UTC+14).
    next_day = (day + timedelta(days=1)).date().isoformat()
    assert set(keys(find(backend, f"retro before:{next_day}"))) == {"thread:1", "thread:2"}
    assert keys(find(backend, f"retro before:{next_day}", timezone="Pacific/Kiritimati")) == [
        "thread:1"
    ]


def test_in_title_looks_at_titles_only(backend):
    add(
        backend,
        make_doc(1, "Parking rules", "Where to leave bikes."),
        make_doc(2, "Bikes", "Parking is under the building."),
    )
    assert set(keys(find(backend, "parking"))) == {"thread:1", "thread:2"}
    assert keys(find(backend, "parking in:title")) == ["thread:1"]


def test_order_latest_and_oldest(backend):
    add(
        backend,
        make_doc(1, "Standup notes", age_days=5),
        make_doc(2, "Standup notes standup", age_days=1),
        make_doc(3, "Standup notes", age_days=9),
    )
    assert keys(find(backend, "standup order:latest")) == ["thread:2", "thread:1", "thread:3"]
    assert keys(find(backend, "standup order:oldest")) == ["thread:3", "thread:1", "thread:2"]
    assert keys(find(backend, "type:thread")) == ["thread:2", "thread:1", "thread:3"]


# --- ranking ------------------------------------------------------------------------------------


def test_title_beats_tags_beats_body(backend):
    add(
        backend,
        make_doc(1, "Weekly notes", "We talked about the kubernetes migration at length."),
        make_doc(2, "Weekly notes", "Nothing much.", tags=("kubernetes",)),
        make_doc(3, "Kubernetes migration", "Nothing much."),
    )
    assert keys(find(backend, "kubernetes")) == ["thread:3", "thread:2", "thread:1"]


def test_exact_phrase_matches_come_first(backend):
    add(
        backend,
        make_doc(
            1, "Release train", "The release went out on time; the train was late.", age_days=0
        ),
        make_doc(2, "Notes", "Our release train leaves every Tuesday.", age_days=300),
        make_doc(3, "Train release", "A release of the train schedule.", age_days=0),
    )
    assert keys(find(backend, "release train"))[0] in {"thread:1", "thread:2"}
    ranked = keys(find(backend, "release train"))
    assert ranked.index("thread:2") < ranked.index("thread:3")


def test_recency_lifts_newer_documents_among_equals(backend):
    add(
        backend,
        make_doc(1, "Quarterly planning", "Goals.", age_days=400),
        make_doc(2, "Quarterly planning", "Goals.", age_days=1),
        make_doc(3, "Quarterly planning", "Goals.", age_days=60),
    )
    assert keys(find(backend, "quarterly planning")) == ["thread:2", "thread:3", "thread:1"]


# --- typos ------------------------------------------------------------------------------------


def test_typo_shows_results_for_the_correction(backend):
    add(
        backend,
        make_doc(1, "Onboarding checklist"),
        make_doc(2, "Onboarding buddies"),
    )
    results = find(backend, "onbaording")
    assert results.showing_corrected and results.corrected_text == "onboarding"
    assert set(keys(results)) == {"thread:1", "thread:2"}
    fixed = find(backend, "onbaording chekclist")
    assert fixed.corrected_text == "onboarding checklist" and keys(fixed) == ["thread:1"]


def test_few_results_offer_a_correction_without_replacing_them(backend):
    add(
        backend,
        make_doc(1, "Budget", "Budgte is misspelt here."),
        make_doc(2, "Budget dates"),
        make_doc(3, "Budget contacts"),
        make_doc(4, "Budget questions"),
    )
    results = find(backend, "budgte")
    assert not results.showing_corrected and results.corrected_text == "budget"
    assert keys(results) == ["thread:1"]


def test_no_correction_when_asked_for_the_exact_words(backend):
    add(backend, make_doc(1, "Onboarding"))
    results = find(backend, "onbaording", correct=False)
    assert results.total == 0 and results.corrected_text is None


def test_known_words_and_short_words_are_not_corrected(backend):
    add(backend, make_doc(1, "Cats"), make_doc(2, "Dogs and cat food"))
    assert find(backend, "cta").corrected_text is None  # too short to guess
    assert find(backend, "dogs").corrected_text is None


# --- paging, counts, highlighting -------------------------------------------------------------


def test_pages_split_the_results_without_overlap(backend):
    add(backend, *[make_doc(i, f"Incident review {i}", age_days=i) for i in range(1, 8)])
    first, second, third = (find(backend, "incident", page=p, per_page=3) for p in (1, 2, 3))
    assert first.total == second.total == 7
    seen = keys(first) + keys(second) + keys(third)
    assert len(seen) == len(set(seen)) == 7
    beyond = find(backend, "incident", page=9, per_page=3)
    assert beyond.total == 7 and beyond.hits == []


def test_totals_are_capped(backend, monkeypatch):
    for module in (base, whoosh_backend, postgres_backend):
        monkeypatch.setattr(module, "MAX_RESULTS", 4)
    add(backend, *[make_doc(i, "Lunch menu") for i in range(1, 8)])
    results = find(backend, "lunch")
    assert results.total == 4 and results.capped


@pytest.fixture
def very_common(backend, monkeypatch):
    """More than MAX_RESULTS (patched to 4) matches: the search ranks its RANK_CANDIDATES (3)
    most recent ones."""
    for module in (base, whoosh_backend, postgres_backend):
        monkeypatch.setattr(module, "MAX_RESULTS", 4)
    for module in (whoosh_backend, postgres_backend):
        monkeypatch.setattr(module, "RANK_CANDIDATES", 3)
    # Old posts match best (the word in the title, twice); recent ones in the body only.
    add(
        backend,
        *[make_doc(i, "Lunch lunch menu", age_days=300 + i) for i in range(1, 5)],
        *[make_doc(i, "Notes", "The lunch menu changed.", age_days=i) for i in range(5, 9)],
        make_doc(9, "Notes", "The lunch menu, secretly.", space=SECRET, age_days=0),
    )


def test_very_common_searches_rank_their_most_recent_matches(backend, very_common):
    results = find(backend, "lunch", reader=MEMBER, per_page=2)
    assert results.total == 4 and results.capped
    assert set(keys(results)) <= {"thread:5", "thread:6", "thread:7"}
    phrase = find(backend, '"lunch menu"', reader=MEMBER, per_page=2)
    assert phrase.capped and set(keys(phrase)) <= {"thread:5", "thread:6", "thread:7"}


def test_very_common_searches_list_by_date_exactly(backend, very_common):
    latest = find(backend, "lunch order:latest", MEMBER, 1, 3)
    assert keys(latest) == ["thread:5", "thread:6", "thread:7"]
    assert keys(find(backend, "lunch order:latest", MEMBER, 2, 3))[0] == "thread:8"
    oldest = find(backend, "lunch order:oldest", MEMBER, 1, 3)
    assert keys(oldest) == ["thread:4", "thread:3", "thread:2"]
    assert "thread:9" in keys(find(backend, "lunch order:latest", INSIDER, 1, 3))


def test_highlights_are_escaped_with_marks(backend):
    add(
        backend,
        make_doc(
            1,
            "<b>Budget</b> & forecast",
            "Intro. <script>alert('x')</script> The budget is approved; see the budget sheet.",
        ),
    )
    [hit] = find(backend, "budget").hits
    assert "<mark>Budget</mark>" in hit.title_html and "&lt;b&gt;" in hit.title_html
    assert "&amp;" in hit.title_html and "<b>" not in hit.title_html
    assert "<mark>budget</mark>" in hit.snippet_html
    assert "<script>" not in hit.snippet_html
    assert hit.title == "<b>Budget</b> & forecast" and hit.url == "/thread/1"


def test_snippet_without_a_body_match_is_the_start_of_the_body(backend):
    add(backend, make_doc(1, "Parking", "Bikes go to level minus one. " * 30))
    [hit] = find(backend, "parking").hits
    assert "<mark>" not in hit.snippet_html
    assert hit.snippet_html.startswith("Bikes go to level") and hit.snippet_html.endswith("…")


# --- permissions ------------------------------------------------------------------------------


def matrix_documents():
    return [
        make_doc(1, "Falcon roadmap", "The falcon launch plan.", space=PUBLIC, author="Ann Open"),
        make_doc(2, "Falcon budget", "Private falcon numbers.", space=PRIVATE, author="Pat Lead"),
        make_doc(3, "Falcon secret", "Zorblax codename falcon.", space=SECRET, author="Sam Hidden"),
        make_doc(4, "Falcon announcement", "Falcon for everyone.", doc_type="content"),
    ]


@pytest.mark.parametrize(
    ("reader", "expected"),
    [
        (ANYONE, {"thread:1", "content:4"}),
        (MEMBER, {"thread:1", "thread:2", "content:4"}),
        (INSIDER, {"thread:1", "thread:2", "thread:3", "content:4"}),
        (Reader(user_id=9), {"content:4"}),
    ],
    ids=["public-only", "private-member", "secret-member", "no-spaces"],
)
def test_readers_see_only_their_spaces(backend, reader, expected):
    add(backend, *matrix_documents())
    results = find(backend, "falcon", reader=reader)
    assert set(keys(results)) == expected
    assert results.total == len(expected)  # counts leak nothing either


def test_secret_space_name_behaves_like_an_unknown_space(backend):
    add(backend, *matrix_documents())
    secret = find(backend, "falcon in:project-falcon", reader=MEMBER)
    unknown = find(backend, "falcon in:no-such-space", reader=MEMBER)
    assert secret == unknown
    assert secret.total == 0 and secret.hits == [] and secret.corrected_text is None
    assert keys(find(backend, "falcon in:project-falcon", reader=INSIDER)) == ["thread:3"]


def test_a_hidden_authors_name_finds_nothing(backend):
    add(backend, *matrix_documents())
    assert find(backend, "@sam", reader=MEMBER) == find(backend, "@nobody", reader=MEMBER)
    assert find(backend, "@sam", reader=MEMBER).total == 0
    assert keys(find(backend, "@sam", reader=INSIDER)) == ["thread:3"]


def test_words_only_in_hidden_documents_are_never_suggested(backend):
    add(backend, *matrix_documents())
    # "zorbla" is one letter from "zorblax", a word that exists only in the secret space.
    for_member = find(backend, "zorbla", reader=MEMBER)
    assert for_member.total == 0 and for_member.corrected_text is None and for_member.hits == []
    for_insider = find(backend, "zorbla", reader=INSIDER)
    assert for_insider.corrected_text == "zorblax" and keys(for_insider) == ["thread:3"]


def test_hidden_documents_never_reach_highlights_or_snippets(backend):
    add(backend, *matrix_documents())
    text = " ".join(
        f"{h.title_html} {h.snippet_html}" for h in find(backend, "falcon", ANYONE).hits
    )
    assert "Private" not in text and "Zorblax" not in text and "secret" not in text.lower()


def test_audience_targeting(backend):
    add(
        backend,
        make_doc(1, "Benefits", doc_type="content"),
        make_doc(2, "Benefits", doc_type="content", audience=Audience(teams=(7, 8))),
        make_doc(3, "Benefits", doc_type="content", audience=Audience(locations=("London, UK",))),
        make_doc(
            4,
            "Benefits",
            doc_type="content",
            audience=Audience(teams=(7,), languages=("fr", "de")),
        ),
    )
    londoner = Reader(user_id=1, team_ids={8}, location="london uk", languages={"en"})
    french_seven = Reader(user_id=2, team_ids={7}, location="Paris", languages={"fr"})
    nobody = Reader(user_id=3)
    assert set(keys(find(backend, "benefits", londoner))) == {"content:1", "content:2", "content:3"}
    assert set(keys(find(backend, "benefits", french_seven))) == {
        "content:1",
        "content:2",
        "content:4",
    }
    assert keys(find(backend, "benefits", nobody)) == ["content:1"]
    everything = Reader(user_id=4, sees_all_audiences=True)
    assert find(backend, "benefits", everything).total == 4


def test_publish_windows(backend):
    add(
        backend,
        make_doc(1, "Gala", doc_type="content", visible_from=NOW + timedelta(days=1)),
        make_doc(2, "Gala", doc_type="content", visible_until=NOW - timedelta(minutes=2)),
        make_doc(
            3,
            "Gala",
            doc_type="content",
            visible_from=NOW - timedelta(days=1),
            visible_until=NOW + timedelta(days=1),
        ),
    )
    assert keys(find(backend, "gala", ANYONE)) == ["content:3"]


def test_the_python_rule_agrees_with_the_backend(backend):
    documents = matrix_documents() + [
        make_doc(5, "Falcon", doc_type="content", audience=Audience(teams=(7,))),
        make_doc(6, "Falcon", doc_type="content", visible_from=NOW + timedelta(hours=1)),
    ]
    add(backend, *documents)
    for reader in (ANYONE, MEMBER, INSIDER, Reader(user_id=5, team_ids={7})):
        expected = {d.key for d in documents if reader.may_see(d, NOW)}
        assert set(keys(find(backend, "falcon", reader))) == expected


# --- writes -------------------------------------------------------------------------------------


def test_updates_replace_and_deletes_remove(backend):
    add(backend, make_doc(1, "Holiday calendar"), make_doc(2, "Holiday rota"))
    add(backend, make_doc(1, "Vacation calendar"))
    assert keys(find(backend, "holiday")) == ["thread:2"]
    with backend.writer_lock(5):
        backend.delete(["thread:2", "thread:999"])
    assert find(backend, "holiday").total == 0
    assert keys(find(backend, "vacation")) == ["thread:1"]


def test_rebuild_switches_to_a_new_index(backend):
    add(backend, make_doc(1, "Old index only"))
    progress = []
    batches = iter([(2, [make_doc(2, "New index one"), make_doc(3, "New index two")])])
    with backend.writer_lock(5):
        assert backend.rebuild(batches, progress.append) == 2
    assert progress == [2]
    assert find(backend, "old").total == 0
    assert find(backend, "index").total == 2
    if backend.name == "postgres":  # the swapped-in table carries the model's index names
        names = {i["name"] for i in inspect(db.engine).get_indexes("search_document")}
        assert names == {i.name for i in SearchDocumentRow.__table__.indexes}


def test_status_counts_documents_per_type(backend):
    add(backend, *matrix_documents())
    status = backend.status()
    assert status.available and status.backend == backend.name
    assert status.documents["thread"] == 3 and status.documents["content"] == 1
    assert status.total == 4 and status.last_updated is not None


# --- hostile input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '"unbalanced quote',
        "^foo.*bar$ (a|b)[c-d]{2,}",
        "a:b:c:: ::",
        "x\x00y",
        "' OR 1=1; -- DROP TABLE search_document",
        "foo & bar | !baz <-> qux:* ''",
        "💥 日本語 ﬁle",
        "@ # - OR",
        "budget " * 40,
    ],
)
def test_hostile_queries_never_raise(backend, text):
    add(backend, make_doc(1, "Budget foo bar"))
    query = parse_query(text)
    if query.problem is None:
        backend.search(query, INSIDER, 1, 20, True)
