"""Session events that keep the index in step with the database, without ever writing it here.

- after_flush: the keys of documents whose rows changed (registered sources and watches) are
  collected, and written to `search_pending_change` in the same transaction, so a rollback drops
  them and a commit keeps them even if the job below is lost (the periodic sweep picks them up).
- after_commit: ONE indexing job is enqueued on the `search` queue with the keys. The job reads
  the rows again and rebuilds their documents (flaskbb indexed at flush time, so rolled-back rows
  reached its index).
- while indexing is deferred (a bulk load such as the demo's seed, which rebuilds the index at its
  end), no job is enqueued: the keys stay in `search_pending_change` for the rebuild to drain.
- the whole transaction rolled back (or closed): the collected keys are dropped. A savepoint's
  rollback keeps them: indexing a key whose row did not change is harmless, missing one is not.
"""

from __future__ import annotations

import logging
from itertools import chain

from flask import current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from advocacy.jobs import enqueue
from advocacy.models_base import utcnow
from advocacy.search.documents import parse_key
from advocacy.search.models import SearchPendingChange

log = logging.getLogger("advocacy.search.hooks")

PENDING_KEYS = "search_changed_keys"
KEYS_PER_JOB = 1000  # above this, the job finds the keys in the pending table instead of its args
JOB_TIMEOUT = 60 * 60  # a missing index is rebuilt by the job itself


def _registry():
    if not has_app_context():
        return None
    state = current_app.extensions.get("search")
    return state.registry if state is not None and state.registry.watches else None


def _changed(obj, attributes) -> bool:
    """Did a flushed, modified object change in a way its watch cares about?"""
    state = inspect(obj)
    names = attributes if attributes is not None else [a.key for a in state.mapper.column_attrs]
    return any(state.attrs[name].history.has_changes() for name in names if name in state.attrs)


@event.listens_for(Session, "after_flush")
def _collect_changed_keys(session: Session, flush_context) -> None:
    registry = _registry()
    if registry is None:
        return
    keys: set[str] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        for watch in registry.watches_for(obj):
            modified = obj in session.dirty and obj not in session.deleted
            if modified and not _changed(obj, watch.attributes):
                continue
            try:
                keys.update(k for k in watch.keys_of(obj) if parse_key(k))
            except Exception:
                # A search hook must never fail a user's write; the sweep or a reindex repairs.
                log.exception("search: cannot tell which documents %r changes", obj)
    if keys:
        session.info.setdefault(PENDING_KEYS, set()).update(keys)
        _record_pending(session, keys)


def _record_pending(session: Session, keys: set[str]) -> None:
    """Upsert the pending rows on the flushing connection (inside the user's transaction)."""
    connection = session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    table = SearchPendingChange.__table__
    statement = dialect.insert(table).values(
        [{"key": key, "version": 1, "changed_at": utcnow()} for key in sorted(keys)]
    )
    statement = statement.on_conflict_do_update(
        index_elements=["key"], set_={"version": table.c.version + 1}
    )
    connection.execute(statement)


# insert=True: run before advocacy.jobs' own after_commit listener. During after_commit the
# session still reports a transaction, so enqueue() holds the job in the session, and that
# listener, coming next, dispatches it at once.
@event.listens_for(Session, "after_commit", insert=True)
def _enqueue_indexing(session: Session) -> None:
    keys = session.info.pop(PENDING_KEYS, None)
    if keys and not current_app.extensions["search"].indexing_deferred:
        arguments = sorted(keys) if len(keys) <= KEYS_PER_JOB else []
        enqueue(
            "advocacy.search.jobs.index_changes",
            arguments,
            queue="search",
            timeout=JOB_TIMEOUT,
        )


@event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted(session: Session, transaction) -> None:
    # After a commit the keys are gone already (after_commit comes first); what is left here was
    # rolled back or closed. A savepoint (it has a parent) ends without forgetting anything.
    if transaction.parent is None:
        session.info.pop(PENDING_KEYS, None)
