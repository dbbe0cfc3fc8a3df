"""Simulating a concurrent request deterministically: just before our session flushes a given kind
of row, another connection commits a rival row (as a second request would have done a moment
earlier). Our transaction has written nothing yet at that point, so this works on SQLite too."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from advocacy.extensions import db


@contextmanager
def rival_commits_before_flush(trigger: type, table, row: Callable[[], dict]) -> Iterator[list]:
    """While active, the first flush that adds a `trigger` object is preceded by a rival insert
    of `row()` into `table`, committed on its own connection. Yields a list that holds True once
    the rival row went in."""
    happened: list[bool] = []

    def before_flush(session, _context, _instances) -> None:
        if happened or not any(isinstance(obj, trigger) for obj in session.new):
            return
        happened.append(True)
        with db.engine.begin() as connection:
            connection.execute(insert(table).values(**row()))

    event.listen(Session, "before_flush", before_flush)
    try:
        yield happened
    finally:
        event.remove(Session, "before_flush", before_flush)
