"""Search analytics for admins: top queries and zero-result queries (content gaps).

What is stored, and why no more: each search's text (normalised), its result count, whether a
spelling correction was shown, where it came from (page, live, api) and when. No user id, address
or session id is stored: analytics need what people look for, not who looks. As-you-type searches
would log every pause in typing, so the browser's session cookie remembers the last logged row
for MERGE_SECONDS, and a query that extends or trims it updates that row instead of adding one.
Rows older than SEARCH_LOG_RETENTION_DAYS are purged daily.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, select

from advocacy.extensions import db
from advocacy.models_base import utcnow
from advocacy.search.documents import clean_text, fold
from advocacy.search.models import QUERY_MAX, SearchQueryLog

MERGE_SECONDS = 30
PERIODS = (1, 7, 30, 90)  # days the analytics page offers
TOP_LIMIT = 25


def normalise(text: str) -> str:
    """How searches are grouped: folded, spaces collapsed (control characters are spaces)."""
    return " ".join(fold(clean_text(text, QUERY_MAX * 2)).split())[:QUERY_MAX]


def record_search(
    text: str, results: int, corrected: bool, source: str, previous: dict | None = None
) -> dict:
    """Log a search (or update the one being typed, see the module doc); returns the reference
    the caller keeps for the next search."""
    normalized = normalise(text)
    now = utcnow()
    row = None
    if previous and now.timestamp() - previous.get("at", 0) < MERGE_SECONDS:
        before = previous.get("q", "")
        if normalized.startswith(before) or before.startswith(normalized):
            row = db.session.get(SearchQueryLog, previous.get("id"))
    if row is None:
        row = SearchQueryLog(source=source)
        db.session.add(row)
    row.query, row.normalized = clean_text(text, QUERY_MAX), normalized
    row.results, row.corrected, row.searched_at = results, corrected, now
    db.session.commit()
    return {"id": row.id, "q": normalized, "at": now.timestamp()}


@dataclass(frozen=True)
class QueryStat:
    """How often a query was searched in the period, and what it found."""

    query: str
    searches: int
    zero_results: int
    last_searched: datetime

    @property
    def zero_share(self) -> float:
        return self.zero_results / self.searches if self.searches else 0.0


def _stats(since: datetime, only_zero: bool, limit: int) -> list[QueryStat]:
    zero = func.sum(case((SearchQueryLog.results == 0, 1), else_=0))
    query = (
        select(
            SearchQueryLog.normalized,
            func.count().label("searches"),
            zero.label("zero"),
            func.max(SearchQueryLog.searched_at).label("last"),
        )
        .where(SearchQueryLog.searched_at >= since, SearchQueryLog.normalized != "")
        .group_by(SearchQueryLog.normalized)
        .order_by(func.count().desc(), SearchQueryLog.normalized)
        .limit(limit)
    )
    if only_zero:
        query = query.where(SearchQueryLog.results == 0)
    return [
        QueryStat(r.normalized, r.searches, r.zero or 0, r.last) for r in db.session.execute(query)
    ]


def top_queries(days: int, limit: int = TOP_LIMIT) -> list[QueryStat]:
    """The most frequent searches of the last `days` days."""
    return _stats(utcnow() - timedelta(days=days), only_zero=False, limit=limit)


def zero_result_queries(days: int, limit: int = TOP_LIMIT) -> list[QueryStat]:
    """The most frequent searches that found nothing: what people miss."""
    return _stats(utcnow() - timedelta(days=days), only_zero=True, limit=limit)


def search_totals(days: int) -> tuple[int, int]:
    """(searches, searches that found nothing) in the last `days` days."""
    since = utcnow() - timedelta(days=days)
    zero = func.sum(case((SearchQueryLog.results == 0, 1), else_=0))
    total, zeros = db.session.execute(
        select(func.count(), zero).where(SearchQueryLog.searched_at >= since)
    ).one()
    return total or 0, zeros or 0


def purge_query_log(retention_days: int) -> int:
    """Delete searches older than the retention period; returns how many."""
    cutoff = utcnow() - timedelta(days=retention_days)
    result = db.session.execute(delete(SearchQueryLog).where(SearchQueryLog.searched_at < cutoff))
    db.session.commit()
    return result.rowcount or 0
