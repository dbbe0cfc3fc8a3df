"""Counting the SQL statements one request sends, to keep pages' queries bounded."""

from __future__ import annotations

from sqlalchemy import event

from advocacy.extensions import db


class QueryCounter:
    """Counts the SQL statements the app sends (a real listener on the engine)."""

    def __init__(self):
        self.count = 0

    def __call__(self, *args):
        self.count += 1


def queries_for(client, url: str, headers: dict | None = None) -> tuple[int, str]:
    """The statements one request sends, from a cold session (as in a server, where each
    request loads the signed-in person again)."""
    db.session.expire_all()
    counter = QueryCounter()
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        response = client.get(url, headers=headers or {})
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    assert response.status_code == 200
    return counter.count, response.get_data(as_text=True)
