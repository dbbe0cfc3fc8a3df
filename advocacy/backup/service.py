"""Export the database to a portable file and restore it, on SQLite and PostgreSQL alike.

The file is gzip-compressed JSON lines: a header (format, Alembic revision, time, row counts),
then each table in foreign-key order as a line naming its columns followed by one line per row
(ordered by primary key, so a row that refers to an earlier row of its own table, like a quoted
post, is restored after it). Values are JSON; dates and times are ISO 8601 strings, read back
with the column's type. Derived tables (the PostgreSQL search backend's documents, its words
and pending index changes) are left out: `flask search reindex` rebuilds them from the rest.

A restore refuses a file made at another Alembic revision (migrate first, then restore), empties
every table and refills it in one transaction (a failure leaves the database as it was), and
moves PostgreSQL's id sequences past the restored ids.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import IO, Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import Connection, Table, TypeDecorator, inspect, select, text

from advocacy.extensions import db

FORMAT = "advocacy-backup"
FORMAT_VERSION = 1
BATCH_ROWS = 1000
# Rebuilt by `flask search reindex`; copying them would only restore a possibly stale index.
DERIVED_TABLES = frozenset({"search_document", "search_word", "search_pending_change"})

Progress = Callable[[str, int], None]


class BackupError(Exception):
    """A backup file that cannot be restored here (wrong format, revision or content)."""


@dataclass(frozen=True)
class BackupSummary:
    """What a backup or restore handled: the revision and rows per table."""

    revision: str
    rows: dict[str, int]

    @property
    def total(self) -> int:
        """Rows in every table together."""
        return sum(self.rows.values())


def backed_up_tables() -> list[Table]:
    """The tables a backup holds, parents before children."""
    return [t for t in db.metadata.sorted_tables if t.name not in DERIVED_TABLES]


def database_revision(connection: Connection) -> str:
    """The Alembic revision of the database. A schema made from the models (`create_all`, as the
    tests do) has no alembic_version table and stands at the migrations' head."""
    current = MigrationContext.configure(connection).get_current_revision()
    if current:
        return current
    if not inspect(connection).has_table("user"):
        raise BackupError("The database has no tables yet: run `flask db upgrade` first.")
    directory = current_app.extensions["migrate"].directory
    return ScriptDirectory(directory).get_current_head()


def create_backup(path: Path, progress: Progress | None = None) -> BackupSummary:
    """Write every table to `path` (gzip JSON lines) from one consistent read."""
    tables = backed_up_tables()
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        revision = database_revision(connection)
        counts = {t.name: connection.scalar(select(db.func.count()).select_from(t)) for t in tables}
        with gzip.open(path, "wt", encoding="utf-8") as out:
            _write(
                out,
                {
                    "format": FORMAT,
                    "version": FORMAT_VERSION,
                    "revision": revision,
                    "created_at": datetime.now(UTC).isoformat(),
                    "tables": counts,
                },
            )
            for table in tables:
                columns = [c.name for c in table.columns]
                _write(out, {"table": table.name, "columns": columns, "rows": counts[table.name]})
                query = select(table).order_by(*table.primary_key.columns)
                written = 0
                for row in connection.execution_options(yield_per=BATCH_ROWS).execute(query):
                    _write(out, [_encode(value) for value in row])
                    written += 1
                if written != counts[table.name]:
                    raise BackupError(f"{table.name} changed while it was read; try again")
                if progress:
                    progress(table.name, written)
    return BackupSummary(revision, counts)


def restore_backup(path: Path, progress: Progress | None = None) -> BackupSummary:
    """Replace the database's content with the backup's, in one transaction."""
    tables = {t.name: t for t in backed_up_tables()}
    with _open(path) as lines:
        header = _header(next(lines, None))
        with db.engine.begin() as connection:
            revision = database_revision(connection)
            if header["revision"] != revision:
                raise BackupError(
                    f"The backup was made at database revision {header['revision']} and this "
                    f"database is at {revision}: restore it into an install at the same version "
                    "(check out that version, `flask db upgrade`, restore, then upgrade)."
                )
            _empty(connection, list(db.metadata.sorted_tables))
            restored: dict[str, int] = {}
            for _ in range(len(header["tables"])):
                table, columns, count = _table_line(next(lines, None), tables)
                rows = _rows(lines, table, columns, count)
                restored[table.name] = _insert(connection, table, rows)
                if progress:
                    progress(table.name, restored[table.name])
            if next(lines, None) is not None:
                raise BackupError("The backup has data after its last table; it is damaged.")
            if connection.dialect.name == "postgresql":
                _reset_sequences(connection, tables.values())
    if db.session.get_bind() is not None:
        db.session.expire_all()
    return BackupSummary(revision, restored)


def _write(out: IO[str], record: Any) -> None:
    out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
    out.write("\n")


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):  # stored images: base64 text in the JSON line
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


class _Lines:
    """Parsed JSON lines of a gzip file, with damage reported as a BackupError."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self) -> Iterator[Any]:
        try:
            self.file = gzip.open(self.path, "rt", encoding="utf-8")
        except OSError as error:
            raise BackupError(f"Cannot open {self.path}: {error}") from None
        return self._parse()

    def _parse(self) -> Iterator[Any]:
        number = 0
        try:
            for number, line in enumerate(self.file, start=1):  # noqa: B007 - read in `except`
                yield json.loads(line)
        except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise BackupError(
                f"{self.path} is not a readable Advocacy backup (line {number + 1}: {error})."
            ) from None

    def __exit__(self, *exc_info) -> None:
        self.file.close()


def _open(path: Path) -> _Lines:
    return _Lines(path)


def _header(record: Any) -> dict:
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise BackupError("This file is not an Advocacy backup (no backup header).")
    if record.get("version") != FORMAT_VERSION:
        raise BackupError(f"Backup format version {record.get('version')} is not supported.")
    return record


def _table_line(record: Any, tables: dict[str, Table]) -> tuple[Table, list[str], int]:
    if not isinstance(record, dict) or "table" not in record:
        raise BackupError("The backup ends early or is damaged (a table header is missing).")
    table = tables.get(record["table"])
    if table is None:
        raise BackupError(f"The backup holds a table this version does not know: {record['table']}")
    columns = record["columns"]
    unknown = set(columns) - set(table.columns.keys())
    if unknown:
        raise BackupError(f"{table.name} has columns this version does not know: {sorted(unknown)}")
    return table, columns, int(record["rows"])


def _rows(lines: Iterator[Any], table: Table, columns: list[str], count: int) -> Iterator[dict]:
    decoders = [_decoder(table.columns[name]) for name in columns]
    for _ in range(count):
        values = next(lines, None)
        if not isinstance(values, list) or len(values) != len(columns):
            raise BackupError(f"The backup ends early or is damaged inside table {table.name}.")
        yield {
            name: decode(value)
            for name, decode, value in zip(columns, decoders, values, strict=True)
        }


def _decoder(column) -> Callable[[Any], Any]:
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    try:
        python_type = column_type.python_type
    except NotImplementedError:
        python_type = None
    parse = {
        datetime: datetime.fromisoformat,
        date: date.fromisoformat,
        time: time.fromisoformat,
        bytes: base64.b64decode,
    }
    parser = parse.get(python_type)
    if parser is None:
        return lambda value: value
    return lambda value: None if value is None else parser(value)


def _insert(connection: Connection, table: Table, rows: Iterator[dict]) -> int:
    done = 0
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH_ROWS:
            connection.execute(table.insert(), batch)
            done += len(batch)
            batch = []
    if batch:
        connection.execute(table.insert(), batch)
        done += len(batch)
    return done


def _empty(connection: Connection, tables: list[Table]) -> None:
    if connection.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))  # noqa: S608 - our table names
        return
    for table in reversed(tables):
        connection.execute(table.delete())


def _reset_sequences(connection: Connection, tables) -> None:
    """Move each serial id sequence past the largest restored id."""
    for table in tables:
        for column in table.primary_key.columns:
            if not column.autoincrement or column.type.python_type is not int:
                continue
            sequence = connection.scalar(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": f'"{table.name}"', "column": column.name},
            )
            if sequence:
                connection.execute(
                    text(
                        f'SELECT setval(:sequence, COALESCE(MAX("{column.name}"), 1), '  # noqa: S608 - our names
                        f'MAX("{column.name}") IS NOT NULL) FROM "{table.name}"'
                    ),
                    {"sequence": sequence},
                )
