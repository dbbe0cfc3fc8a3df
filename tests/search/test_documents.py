"""SearchDocument is validated pure data; the registry builds documents from keys."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from advocacy.search.documents import (
    Audience,
    SearchDocument,
    audience_key,
    document_key,
    parse_key,
    plain_text,
    registry,
)
from advocacy.search.permissions import Reader
from tests.factories import UserFactory

NOW = datetime(2024, 5, 1, tzinfo=UTC)


def test_keys():
    assert document_key("thread", 12) == "thread:12"
    assert parse_key("thread:12") == ("thread", 12)
    for bad in ("thread:", "thread:0", "thread:-1", "nope:3", "thread:1:2", "", "thread:1x"):
        assert parse_key(bad) is None


def test_documents_are_cleaned_and_checked():
    document = SearchDocument(
        key="post:3",
        type="post",
        title="  Hello\x00 world ",
        body="x" * 30_000,
        tags=("HR", "hr ", "", "!!", "Events"),
        statuses=("Open", "open"),
        created_at=NOW,
        author_name="Chloé Martin",
        author_handle="chloe.m",
    )
    assert document.title == "Hello  world" and len(document.body) == 20_000
    assert document.tags == ("HR", "hr", "Events")
    assert document.tag_keys == ("events", "hr")
    assert document.statuses == ("open",) and document.updated_at == NOW
    assert document.author_keys == ("chloe", "chloem", "chloemartin", "martin")
    with pytest.raises(ValueError, match="does not name"):
        SearchDocument(key="post:3", type="thread", title="x", created_at=NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        SearchDocument(key="post:3", type="post", title="x", created_at=datetime(2024, 1, 1))


def test_audience_values_compare_like_the_feed():
    audience = Audience(teams=(3, 3, 1), locations=("London, UK", "london uk"), languages=("EN",))
    assert audience.teams == (1, 3) and audience.locations == ("londonuk",)
    assert audience.languages == ("en",) and not audience.is_everyone
    assert audience_key(" São  Paulo ") == "saopaulo"
    reader = Reader(user_id=1, location="London UK", languages={"en"}, team_ids={9})
    document = SearchDocument(
        key="content:1", type="content", title="x", created_at=NOW, audience=audience
    )
    assert not reader.may_see(document, NOW)  # team 9 is not targeted
    assert Reader(user_id=1, team_ids={3}, location="london, uk", languages={"en"}).may_see(
        document, NOW
    )


def test_plain_text_of_rendered_markdown():
    html = "<p>Hello <b>team</b> &amp; friends</p><p>Next</p><script>alert(1)</script><br>end"
    assert plain_text(html) == "Hello team & friends Next end"
    assert plain_text("no tags, 3 < 4") == "no tags, 3 < 4"


def test_the_registry_builds_or_deletes_by_key(search_index):
    user = UserFactory(display_name="Kenji Sato")
    inactive = UserFactory(active=False)
    documents, gone = registry().build(
        [f"person:{user.id}", f"person:{inactive.id}", "person:999", "thread:1", "junk"]
    )
    assert [d.key for d in documents] == [f"person:{user.id}"]
    assert gone == sorted([f"person:{inactive.id}", "person:999", "thread:1", "junk"])


def test_a_builder_must_return_its_rows_key(app, search_index):
    source = registry().sources["person"]
    user = UserFactory()
    wrong = SearchDocument(key="person:999999", type="person", title="x", created_at=NOW)
    registry().sources["person"] = type(source)(
        "person", source.model, lambda row: wrong, source.query, source.recheck
    )
    try:
        with pytest.raises(ValueError, match="returned person:999999"):
            registry().build([f"person:{user.id}"])
    finally:
        registry().sources["person"] = source
