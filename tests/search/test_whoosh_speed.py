"""The Whoosh backend's shortcuts keep results unchanged: phrases checked per document agree with
Whoosh's own phrase matcher, and the warm-up loads caches without changing what anyone finds."""

from __future__ import annotations

import pytest
from whoosh import query as wq

from advocacy.search.backends.warm_up import warm_in_background
from advocacy.search.backends.whoosh.matching import phrase_docs
from advocacy.search.extension import search_state
from tests.search.conftest import (
    ANYONE,
    INSIDER,
    MEMBER,
    PRIVATE,
    PUBLIC,
    SECRET,
    add,
    find,
    make_doc,
)
from tests.search.conftest import keys as keys_of

BODIES = [
    "The state of the art in release trains.",
    "Art of the state: a release review.",
    "State art release train train release.",
    "Release notes. Train the team on the release train.",
    "Our state is the art of art state of the art.",
    "Nothing about it.",
]


@pytest.mark.parametrize(
    "phrase", ["release train", "state of the art", "train release", "art state", "the art"]
)
def test_phrases_checked_per_document_agree_with_whoosh(search_index, phrase):
    add(search_index, *[make_doc(n, "Notes", body) for n, body in enumerate(BODIES, 1)])
    with search_index._searcher() as lease:
        searcher = lease.searcher
        compiled = search_index._compiler.phrase(phrase, "all")
        if compiled is None:  # one word left once common words are dropped
            return
        expected = {hit.docnum for hit in searcher.search(compiled, limit=None)}
        everything = sorted(searcher.docs_for_query(wq.Every()))
        assert phrase_docs(searcher, compiled, everything) == expected
        assert phrase_docs(searcher, compiled, everything[1::2]) == expected & set(everything[1::2])


def test_warm_up_loads_caches_and_changes_no_result(app, search_index):
    add(
        search_index,
        make_doc(1, "Budget review", space=PUBLIC),
        make_doc(2, "Budget review", space=PRIVATE),
        make_doc(3, "Budget review", space=SECRET),
    )
    assert search_index.warm() >= 3  # the three spaces' words, at least
    assert keys_of(find(search_index, "budget", ANYONE)) == ["thread:1"]
    assert sorted(keys_of(find(search_index, "budget", MEMBER))) == ["thread:1", "thread:2"]
    assert len(find(search_index, "budget", INSIDER).hits) == 3
    thread = warm_in_background(search_state(app).backend())
    thread.join(10)
    assert not thread.is_alive()


def test_warm_up_of_a_missing_index_leaves_the_error_to_search(app, search_index, tmp_path):
    search_index.root = tmp_path / "nothing-here"
    thread = warm_in_background(search_state(app).backend())
    thread.join(10)
    assert not thread.is_alive()
    assert not search_index.exists()
