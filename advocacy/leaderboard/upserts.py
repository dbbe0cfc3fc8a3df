"""INSERT ... ON CONFLICT for the running dialect (PostgreSQL and SQLite spell it alike but
SQLAlchemy builds it from each dialect's own insert)."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from advocacy.extensions import db


def upsert(model, keys: list[str], set_: dict | None = None, replace=(), add=()):
    """An insert of `model` that, on a clash over `keys`, does nothing, or sets `set_`, replaces
    the `replace` columns with the new values, and adds the new values to the `add` columns."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model)
    table = model.__table__
    changes = dict(set_ or {})
    changes.update({name: statement.excluded[name] for name in replace})
    changes.update({name: table.c[name] + statement.excluded[name] for name in add})
    if not changes:
        return statement.on_conflict_do_nothing(index_elements=keys)
    return statement.on_conflict_do_update(index_elements=keys, set_=changes)
