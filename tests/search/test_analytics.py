"""The query log: typing merges into one row, grouping, periods, retention."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.models_base import utcnow
from advocacy.search import analytics
from advocacy.search.models import SearchQueryLog


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchQueryLog))


def test_typing_extends_or_trims_the_same_row(app):
    ref = analytics.record_search("On", 3, False, "live")
    ref = analytics.record_search("Onboa", 2, False, "live", ref)
    ref = analytics.record_search("Onb", 2, False, "live", ref)
    assert count() == 1
    other = analytics.record_search("payroll", 0, False, "live", ref)
    assert count() == 2 and other["id"] != ref["id"]
    row = db.session.get(SearchQueryLog, ref["id"])
    assert (row.query, row.normalized, row.results) == ("Onb", "onb", 2)


def test_a_pause_starts_a_new_row(app):
    ref = analytics.record_search("onboarding", 1, False, "page")
    with time_machine.travel(utcnow() + timedelta(seconds=analytics.MERGE_SECONDS + 1)):
        analytics.record_search("onboarding", 1, False, "page", ref)
    assert count() == 2


def test_top_and_zero_result_queries_over_a_period(app):
    for text, results in [("Holiday  Policy", 0), ("holiday policy", 0), ("ada", 2), ("x", 0)]:
        analytics.record_search(text, results, False, "api")
    with time_machine.travel(utcnow() - timedelta(days=10)):
        analytics.record_search("old search", 0, False, "api")
    top = analytics.top_queries(7)
    assert [(s.query, s.searches, s.zero_results) for s in top] == [
        ("holiday policy", 2, 2),
        ("ada", 1, 0),
        ("x", 1, 1),
    ]
    assert [s.query for s in analytics.zero_result_queries(7)] == ["holiday policy", "x"]
    assert "old search" in [s.query for s in analytics.top_queries(30)]
    assert analytics.search_totals(7) == (4, 3)


def test_old_searches_are_purged(app):
    with time_machine.travel(utcnow() - timedelta(days=100)):
        analytics.record_search("ancient", 0, False, "page")
    analytics.record_search("recent", 0, False, "page")
    assert analytics.purge_query_log(90) == 1
    assert [r.normalized for r in db.session.scalars(select(SearchQueryLog))] == ["recent"]
