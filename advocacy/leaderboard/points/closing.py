"""Closing leaderboard periods: when a week, month or quarter ends at midnight in the
organisation's time zone, its final standings are announced once, through the `period_closed`
signal (webhooks send it as `leaderboard.period_closed`).

- A periodic job looks at the period just before the current one of each kind; a ClosedPeriod
  row per period key, written in the announcing transaction, makes it happen once even when the
  job runs again or twice at once (the second insert fails and is rolled back).
- Only the latest finished period of each kind is announced: after a long outage the missed ones
  are not replayed one by one (their standings are still on the leaderboard).
- An organisation with no points before a period's end announces nothing for it.
- The standings are those an anonymous reader sees (names under the privacy rules): the
  announcement leaves the install, so it shows no more than the board shows.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from advocacy.accounts.organisation import today
from advocacy.extensions import db
from advocacy.leaderboard.points.boards import BoardQuery, leaderboard
from advocacy.leaderboard.points.models import ClosedPeriod, PointEntry
from advocacy.leaderboard.points.periods import Period, PeriodKind, standard_period
from advocacy.leaderboard.points.signals import period_closed
from advocacy.leaderboard.points.standings import BoardFilters

CLOSING_KINDS = (PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.QUARTER)
STANDINGS_SHOWN = 10


def last_finished(kind: PeriodKind, day: date) -> Period:
    """The period of `kind` that ended just before the one containing `day`."""
    return standard_period(kind, standard_period(kind, day).start - timedelta(days=1))


def close_periods(day: date | None = None) -> list[str]:
    """Announce each kind's last finished period that was not announced yet; returns their keys."""
    day = day or today()
    first_day = db.session.scalar(select(func.min(PointEntry.local_day)))
    announced = []
    for kind in CLOSING_KINDS:
        period = last_finished(kind, day)
        if first_day is None or first_day > period.end:
            continue
        if db.session.get(ClosedPeriod, period.key) is not None:
            continue
        try:
            _announce(period)
        except IntegrityError:  # another run announced it first
            db.session.rollback()
            continue
        announced.append(period.key)
    return announced


def _announce(period: Period) -> None:
    db.session.add(
        ClosedPeriod(
            period_key=period.key, kind=period.kind.value, first_day=period.start,
            last_day=period.end,
        )
    )  # fmt: skip
    db.session.flush()
    query = BoardQuery(period, "people", BoardFilters(), "average", STANDINGS_SHOWN)
    board = leaderboard(query, reader=None)
    period_closed.send(None, data=period_data(period, board))
    db.session.commit()


def period_data(period: Period, board) -> dict:
    """What an announcement says: the period and its final top standings."""
    return {
        "period": {
            "kind": period.kind.value,
            "key": period.key,
            "first_day": period.start.isoformat(),
            "last_day": period.end.isoformat(),
        },
        "ranked": board.ranked_count,
        "standings": [
            {"rank": row.rank, "points": row.points, "name": row.name, "user_id": row.user_id}
            for row in board.people
        ],
    }
