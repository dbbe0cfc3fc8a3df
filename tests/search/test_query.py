"""The operator language: every operator, its edge cases, and input that must never raise."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from advocacy.search.query.dates import resolve_day
from advocacy.search.query.nodes import AnyOf, Order, Phrase, Word, word_tokens
from advocacy.search.query.parser import MAX_CLAUSES, MAX_QUERY_CHARS, parse_query

NOW = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)


def parse(text: str, timezone: str = "UTC"):
    return parse_query(text, now=NOW, timezone=timezone)


def texts(clauses) -> list:
    """Clauses as plain data, to compare without positions."""
    out = []
    for clause in clauses:
        if isinstance(clause, AnyOf):
            out.append(("or", texts(clause.options)))
        elif isinstance(clause, Phrase):
            out.append(("phrase", clause.tokens))
        else:
            out.append(("prefix" if clause.prefix else "word", clause.tokens))
    return out


def test_words_are_all_required_and_folded():
    query = parse("Onboarding  CHECKLIST café")
    assert texts(query.required) == [
        ("word", ("onboarding",)),
        ("word", ("checklist",)),
        ("word", ("cafe",)),
    ]
    assert query.problem is None and query.order == Order.RELEVANCE


def test_phrases_exclusions_and_excluded_phrases():
    query = parse('"first week" -intern -"summer job" NOT contractor')
    assert texts(query.required) == [("phrase", ("first", "week"))]
    assert texts(query.excluded) == [
        ("word", ("intern",)),
        ("phrase", ("summer", "job")),
        ("word", ("contractor",)),
    ]


def test_or_joins_the_clauses_beside_it():
    query = parse('remote OR hybrid office OR "on site" OR')
    assert texts(query.required) == [
        ("or", [("word", ("remote",)), ("word", ("hybrid",))]),
        ("or", [("word", ("office",)), ("phrase", ("on", "site"))]),
    ]
    assert texts(parse("OR alone").required) == [("word", ("alone",))]
    assert texts(parse("a or b").required) == [("word", ("b",))]  # lower-case "or" is a word


def test_authors_spaces_and_their_spellings():
    query = parse('@Maya from:"Maya Member" from:chloé #HR-Announcements in:Engineering')
    assert query.authors == ("maya", "mayamember", "chloe")
    assert query.spaces == ("hrannouncements", "engineering")
    assert not query.required and query.has_filters


def test_tags_any_and_all():
    assert parse("tag:hiring,events").tag_groups == (("hiring", "events"),)
    assert parse("tags:hiring+events").tag_groups == (("hiring",), ("events",))
    assert parse('tag:"Remote Work"').tag_groups == (("remotework",),)


def test_types_with_aliases_and_unknown_ones():
    assert parse("type:threads,people").types == ("thread", "person")
    query = parse("type:banana report")
    assert query.types == ()
    assert "the types are thread, post, content, person and space" in query.notices[0]
    assert texts(query.required) == [("word", ("report",))]


def test_status_title_and_order():
    query = parse("status:open,solved in:title order:latest budget")
    assert query.statuses == ("open", "solved") and query.title_only
    assert query.order == Order.LATEST
    assert parse("order:sideways x").notices and parse("order:oldest x").order == Order.OLDEST
    assert parse("status:maybe x").statuses == () and parse("status:maybe x").notices


def test_filters_only_search_lists_the_latest_first():
    assert parse("@maya").effective_order == Order.LATEST
    assert parse("@maya budget").effective_order == Order.RELEVANCE


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-31", "2024-01-31"),
        ("2024-02", "2024-02-01"),
        ("2023", "2023-01-01"),
        ("today", "2024-03-15"),
        ("yesterday", "2024-03-14"),
        ("7d", "2024-03-08"),
        ("2w", "2024-03-01"),
        ("1m", "2024-02-15"),
        ("1y", "2023-03-15"),
    ],
)
def test_date_values(value, expected):
    from zoneinfo import ZoneInfo

    assert resolve_day(value, NOW, ZoneInfo("UTC")).isoformat() == expected


@pytest.mark.parametrize("value", ["2024-13-01", "2024-02-30", "someday", "99999d", "1969", "-1d"])
def test_bad_dates_are_ignored_with_a_notice(value):
    query = parse(f"after:{value} budget")
    assert query.after is None
    assert "is not a date we understand" in query.notices[0]
    assert texts(query.required) == [("word", ("budget",))]


def test_dates_are_days_in_the_readers_time_zone():
    # 15 March 12:00 UTC is already the 15th in Singapore (UTC+8): after:today starts at 16:00 UTC
    # on the 14th; in Vancouver (UTC-7) it starts at 07:00 UTC on the 15th.
    singapore = parse("after:today before:2024-03-16", timezone="Asia/Singapore")
    assert singapore.after == datetime(2024, 3, 14, 16, 0, tzinfo=UTC)
    assert singapore.before == datetime(2024, 3, 15, 16, 0, tzinfo=UTC)
    vancouver = parse("after:today", timezone="America/Vancouver")
    assert vancouver.after == datetime(2024, 3, 15, 7, 0, tzinfo=UTC)


def test_the_tightest_date_bounds_win():
    query = parse("after:2024-01-01 after:2024-02-01 before:2024-03-01 before:2024-02-20")
    assert query.after == datetime(2024, 2, 1, tzinfo=UTC)
    assert query.before == datetime(2024, 2, 20, tzinfo=UTC)


def test_prefix_needs_three_letters():
    assert texts(parse("onboard*").required) == [("prefix", ("onboard",))]
    query = parse("on* x")
    assert texts(query.required)[0] == ("word", ("on",))
    assert "a * needs at least 3 letters" in query.notices[0]


def test_unknown_operators_are_words():
    query = parse("foo:bar http://example.com/a?b=c")
    assert texts(query.required) == [
        ("word", ("foo", "bar")),
        ("word", ("http", "example", "com", "b", "c")),  # "a" is too common
    ]


def test_lone_operators_are_ignored_with_a_notice():
    query = parse("from: tag: - @ # budget")
    assert texts(query.required) == [("word", ("budget",))]
    assert query.authors == () and query.tag_groups == ()
    assert any("needs a value" in n for n in query.notices)


def test_exclusions_of_operators_are_refused_politely():
    query = parse("-tag:hiring budget")
    assert query.tag_groups == () and "exclusions work on words" in query.notices[0]


def test_common_words_are_left_out():
    query = parse("the budget")
    assert texts(query.required) == [("word", ("budget",))]
    assert "too common" in query.notices[0]
    assert parse("the and of").problem == (
        "These words are too common to search for: add a more specific one."
    )


@pytest.mark.parametrize(
    "text",
    [
        '"unbalanced quote',
        'from:"unbalanced',
        '""',
        '"',
        "a\x00b\x00",
        "^foo.*bar$ (a|b)[c-d]{2,} \\d+ ?*+",
        "* ** ***",
        "-",
        "OR OR OR",
        "@@@ ###",
        "ﬁle Ǆ e\u0301te",
        "💥🔥 日本語",
        "x" * 2000,
        " ".join(["word"] * 500),
        "in:title",
        "tag:,,,",
        "before:",
        "\u202e\u200b",
    ],
)
def test_hostile_input_never_raises(text):
    query = parse(text)
    assert query.problem or query.required or query.has_filters or query.excluded


def test_empty_long_and_wordless_queries_have_a_problem():
    assert parse("   ").problem == "Type a word or a name to search for."
    assert parse("\x00\x00").problem == "Type a word or a name to search for."
    long = parse("x" * 2000)
    assert long.problem.startswith(f"A search can be at most {MAX_QUERY_CHARS} characters long")
    assert "2,000" in long.problem
    assert "nothing to search for" in parse("?!*").problem
    assert parse("-intern").problem.startswith("Add a word to look for")
    assert parse("order:latest").problem


def test_null_bytes_and_controls_become_spaces():
    query = parse("bud\x00get\x1freport")
    assert texts(query.required) == [("word", ("bud",)), ("word", ("get",)), ("word", ("report",))]


def test_clauses_are_capped():
    query = parse(" ".join(f"word{i}" for i in range(MAX_CLAUSES + 5)))
    assert len(query.required) == MAX_CLAUSES
    assert f"Only the first {MAX_CLAUSES} words" in query.notices[0]


def test_duplicate_words_count_once():
    assert len(parse("budget budget Budget").required) == 1


def test_corrections_rewrite_only_the_words():
    query = parse('onbaording "first week" tag:hr chekclist')
    words = {w.text: w for w in query.plain_words()}
    fixed = query.with_words({words["onbaording"]: "onboarding", words["chekclist"]: "checklist"})
    assert fixed.text == 'onboarding "first week" tag:hr checklist'
    assert texts(fixed.required)[0] == ("word", ("onboarding",))
    assert fixed.tag_groups == query.tag_groups


def test_type_tabs_narrow_but_never_widen():
    assert parse("budget").with_types(("thread",)).types == ("thread",)
    assert parse("type:thread,post budget").with_types(("post",)).types == ("post",)
    assert parse("type:thread budget").with_types(("person",)).types == ("_none",)


def test_word_tokens_split_like_the_indexes():
    assert word_tokens("E-mail: Ünïcödé_snake 2024!") == ("e", "mail", "unicode", "snake", "2024")


def test_positions_point_into_the_text():
    query = parse("  budget   report")
    word = query.required[1]
    assert isinstance(word, Word) and query.text[word.start : word.start + len(word.text)] == (
        "report"
    )
