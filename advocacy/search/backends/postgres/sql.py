"""SQL pieces of the PostgreSQL backend: its tables, word pairs, a select's plan, the text search
configuration, tsquery literals, array operators."""

from __future__ import annotations

from sqlalchemy import Integer, Text, cast, literal, literal_column, text
from sqlalchemy.dialects.postgresql import ARRAY, REGCONFIG, TSVECTOR
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, ColumnElement, Executable

from advocacy.search.models import SearchDocumentRow, SearchWord

DOCS = SearchDocumentRow.__table__
WORDS = SearchWord.__table__

# Word pairs: every two lexemes at neighbouring positions of a document's tsvector, as one lexeme
# "first second" in `search_pairs` (GIN-indexed). A phrase's matches all hold its pairs, so
# `search_pairs @@ pairs AND search_vector @@ phrase` finds exactly what the phrase finds, but
# checks positions only in the few documents holding the pairs, not in every one holding the words.
_PAIRS = """SELECT DISTINCT a.lexeme || ' ' || b.lexeme
    FROM (SELECT lexeme, unnest(positions) AS at FROM unnest({v})) AS a
    JOIN (SELECT lexeme, unnest(positions) AS at FROM unnest({v})) AS b ON b.at = a.at + 1"""
PAIRS_OF_TEXT = text(_PAIRS.format(v="to_tsvector(CAST(:config AS regconfig), :t)")).columns(
    literal_column("pair", Text)
)


class WordPairs(ColumnElement):
    """The word pairs (see _PAIRS) of a tsvector expression, as a tsvector."""

    inherit_cache = True
    type = TSVECTOR()

    def __init__(self, vector):
        self.vector = vector


@compiles(WordPairs)
def _compile_word_pairs(element: WordPairs, compiler, **kw) -> str:
    vector = compiler.process(element.vector, **kw)
    # (only our own constant SQL around the compiled expression: no text from users)
    return f"array_to_tsvector(ARRAY({pairs_sql(vector)}))"


class PlanOf(Executable, ClauseElement):
    """`EXPLAIN (FORMAT JSON)` of a select: the planner's plan, with its row estimates."""

    inherit_cache = False

    def __init__(self, statement):
        self.statement = statement


@compiles(PlanOf)
def _compile_plan_of(element: PlanOf, compiler, **kw) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)


def pairs_sql(vector: str) -> str:
    """SQL listing the word pairs of the tsvector expression `vector` (also the migration's)."""
    return _PAIRS.format(v=vector)


def regconfig(language: str):
    """The text search configuration `language` (english...) as a regconfig constant."""
    return cast(literal(language), REGCONFIG)


def quoted(lexeme: str) -> str:
    """A lexeme as a tsquery literal (lexemes come from our letter-and-digit tokens)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def overlaps(column, values):
    """`column && ARRAY[values]` (the column's type is JSON outside PostgreSQL, so the array
    operator is spelled out rather than taken from the type)."""
    item = Integer() if column.name == "audience_teams" else Text()
    return column.op("&&")(cast(list(values), ARRAY(item)))


def empty_array(column):
    item = Integer() if column.name == "audience_teams" else Text()
    return cast(literal_column("'{}'"), ARRAY(item))


def combine(parts: list, operator):
    """Fold tsquery expressions with tsquery_and / tsquery_or (the functions of && and ||)."""
    combined = parts[0]
    for part in parts[1:]:
        combined = operator(combined, part)
    return combined
