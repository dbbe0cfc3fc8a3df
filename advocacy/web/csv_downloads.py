"""Streamed CSV downloads that open correctly in Excel and cannot run formulas.

- Rows are written as they are produced (a generator), so a large table never sits in memory.
- `bom=True` starts the file with a UTF-8 byte-order mark: Excel then reads UTF-8 (accents,
  non-Latin names) instead of the machine's legacy code page. Other tools prefer it without.
- Formula injection (CSV injection): a cell starting with = + - @, a tab or a carriage return is
  prefixed with a single quote, so a spreadsheet shows the text instead of evaluating it (OWASP).
  Numbers are written as numbers; only strings are touched, so -3 stays a number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from flask import Response, stream_with_context

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralise(value) -> str | int | float:
    """A cell value safe to open in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


class _Line:
    """A file-like sink for csv.writer that hands back what was written."""

    def __init__(self) -> None:
        self.value = ""

    def write(self, text: str) -> None:
        self.value += text

    def pop(self) -> str:
        value, self.value = self.value, ""
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence], bom: bool = False):
    """Yield the CSV text line by line (CRLF line ends, as RFC 4180 and Excel expect)."""
    sink = _Line()
    writer = csv.writer(sink, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    yield (BOM if bom else "") + sink.pop()
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
        yield sink.pop()


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence], bom: bool = False
) -> Response:
    """A streamed `text/csv` download of `rows` under `header`, named `filename`."""
    response = Response(
        stream_with_context(csv_lines(header, rows, bom)), content_type="text/csv; charset=utf-8"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def wants_bom(args) -> bool:
    """Whether the query string asks for the Excel variant (`?excel=1`)."""
    return args.get("excel", "").lower() in {"1", "true", "yes", "on"}
