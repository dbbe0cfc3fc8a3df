"""A batch's many rows in few statements: written in one INSERT ... ON CONFLICT, matched with
one array parameter; on PostgreSQL and SQLite.

On PostgreSQL the rows travel as one array per column (`INSERT ... SELECT FROM unnest(...)`):
one statement and one round trip for a whole batch, where psycopg's executemany costs ~150 µs a
row in Python and SQLAlchemy's multi-row VALUES make psycopg parse a new long query every time.
The rows are inserted in key order, so two transactions writing overlapping keys lock them in
the same order and cannot deadlock. On SQLite (one writer at a time) it is an executemany.
A long `IN (...)` list is one array on PostgreSQL too: psycopg parses every new long query text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import lru_cache

from sqlalchemy import JSON, ColumnElement, Row, String, any_, literal
from sqlalchemy.dialects import postgresql, sqlite

from advocacy.extensions import db


def upsert_rows(
    model,
    rows: list[dict],
    keys: Sequence[str],
    *,
    add: Iterable[str] = (),
    replace: Iterable[str] = (),
    returning: Iterable[str] = (),
) -> list[Row]:
    """INSERT `rows` (dicts with the same columns); on a clash over `keys`, add the `add`
    columns to the stored row's, replace the `replace` columns, or (neither) skip the row.
    Returns the `returning` columns of the rows inserted or updated (skipped rows are not)."""
    if not rows:
        return []
    table = model.__table__
    names = tuple(rows[0])
    keys, add, replace, returning = tuple(keys), tuple(add), tuple(replace), tuple(returning)
    if db.session.get_bind().dialect.name == "postgresql":
        statement = _pg_unnest(table, names, keys, add, replace, returning)
        columns = {name: [row[name] for row in rows] for name in names}
        for name in names:
            if isinstance(table.c[name].type, JSON):
                columns[name] = [_json(value) for value in columns[name]]
        result = db.session.connection().exec_driver_sql(statement, columns)
        return list(result) if returning else []
    statement = sqlite.insert(table)
    changes = {name: statement.excluded[name] for name in replace}
    changes.update({name: table.c[name] + statement.excluded[name] for name in add})
    if changes:
        statement = statement.on_conflict_do_update(index_elements=keys, set_=changes)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=keys)
    if returning:
        statement = statement.returning(*(table.c[name] for name in returning))
        return list(db.session.connection().execute(statement, rows))
    db.session.connection().execute(statement, rows)
    return []


def any_of(column, values: Iterable) -> ColumnElement[bool]:
    """`column IN values` as one array parameter on PostgreSQL (any number of values)."""
    values = list(values)
    if db.session.get_bind().dialect.name != "postgresql":
        return column.in_(values)
    # unbounded strings: comparing with varchar(n) values would cut longer ones to a false match
    element = String() if isinstance(column.type, String) else column.type
    return column == any_(literal(values, postgresql.ARRAY(element)))


def _json(value) -> str | None:
    return None if value is None else json.dumps(value)


@lru_cache
def _pg_unnest(table, names, keys, add, replace, returning):
    """The statement for these columns (built from the table's own column names, never input)."""
    dialect = postgresql.dialect()
    arrays, selected = [], []
    for name in names:
        column_type = table.c[name].type
        if isinstance(column_type, JSON):
            arrays.append(f"CAST(%({name})b AS text[])")
            selected.append(f"{name}::json")
            continue
        # unbounded element types: a cast to varchar(n) would silently cut a long value, where
        # the insert's own assignment refuses it
        base = column_type.compile(dialect=dialect).split("(")[0]
        arrays.append(f"CAST(%({name})b AS {base}[])")
        selected.append(name)
    changes = [f"{name} = excluded.{name}" for name in replace]
    changes += [f"{name} = {table.name}.{name} + excluded.{name}" for name in add]
    conflict = f"DO UPDATE SET {', '.join(changes)}" if changes else "DO NOTHING"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(names)}) "  # noqa: S608 - our own column names
        f"SELECT {', '.join(selected)} FROM unnest({', '.join(arrays)}) AS t({', '.join(names)}) "
        f"ORDER BY {', '.join(keys)} ON CONFLICT ({', '.join(keys)}) {conflict}"
    )
    if returning:
        sql += f" RETURNING {', '.join(returning)}"
    return sql
