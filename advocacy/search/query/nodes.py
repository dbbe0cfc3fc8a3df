"""The parsed query's AST, which no backend owns, and the word rules every backend shares."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from datetime import datetime

from advocacy.search.documents import DOCUMENT_TYPES, fold

# Words too common to search for, left out by every backend (all are in PostgreSQL's English list).
STOP_WORDS = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "by", "can", "for", "from", "have", "if", "in"]
    + ["into", "is", "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then"]
    + ["there", "these", "they", "this", "to", "was", "we", "when", "will", "with", "you", "your"]
)
_TOKEN = re.compile(r"[^\W_]+")


class Order(enum.StrEnum):
    """The order of results (`order:`)."""

    RELEVANCE = "relevance"
    LATEST = "latest"
    OLDEST = "oldest"


def word_tokens(text: str) -> tuple[str, ...]:
    """The folded letter-and-digit runs of `text`: how every backend splits words."""
    return tuple(_TOKEN.findall(fold(text)))


@dataclass(frozen=True)
class Word:
    """A word as typed (`text`, at `start` in the query) and its tokens ("e-mail" has two)."""

    text: str
    tokens: tuple[str, ...]
    prefix: bool = False
    start: int = -1


@dataclass(frozen=True)
class Phrase:
    """Words that must appear together, in this order."""

    text: str
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class AnyOf:
    """Alternatives joined by OR."""

    options: tuple[Word | Phrase, ...]


Clause = Word | Phrase | AnyOf


@dataclass(frozen=True)
class ParsedQuery:
    """A parsed search: what must match, what must not, and the filters."""

    text: str
    required: tuple[Clause, ...] = ()
    excluded: tuple[Word | Phrase, ...] = ()
    title_only: bool = False
    authors: tuple[str, ...] = ()
    spaces: tuple[str, ...] = ()
    tag_groups: tuple[tuple[str, ...], ...] = ()  # any tag of a group; every group
    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    after: datetime | None = None  # UTC, inclusive
    before: datetime | None = None  # UTC, exclusive
    order: Order = Order.RELEVANCE
    notices: tuple[str, ...] = ()
    problem: str | None = None

    @property
    def has_text(self) -> bool:
        return bool(self.required)

    @property
    def has_filters(self) -> bool:
        return bool(
            self.authors
            or self.spaces
            or self.tag_groups
            or self.types
            or self.statuses
            or self.after
            or self.before
        )

    @property
    def effective_order(self) -> Order:
        """Relevance needs words; a search of filters only lists the latest first."""
        if self.order == Order.RELEVANCE and not self.has_text:
            return Order.LATEST
        return self.order

    def plain_words(self) -> list[Word]:
        """The required words a typo could hide in (not phrases or exclusions)."""
        words: list[Word] = []
        for clause in self.required:
            options = clause.options if isinstance(clause, AnyOf) else (clause,)
            words += [o for o in options if isinstance(o, Word)]
        return words

    def with_types(self, types: tuple[str, ...]) -> ParsedQuery:
        """This query restricted to `types` as well (the page's and the API's type filter)."""
        wanted = tuple(t for t in types if t in DOCUMENT_TYPES)
        if self.types:
            wanted = tuple(t for t in self.types if t in wanted)
            if not wanted:  # type:thread with the "people" tab: nothing can match
                wanted = ("_none",)
        return replace(self, types=wanted)

    def with_words(self, replacements: dict[Word, str]) -> ParsedQuery:
        """This query with some words replaced (a spelling correction)."""

        def swap(clause):
            if isinstance(clause, AnyOf):
                return AnyOf(tuple(swap(o) for o in clause.options))
            if isinstance(clause, Word) and clause in replacements:
                new = replacements[clause]
                return Word(new, word_tokens(new), clause.prefix, clause.start)
            return clause

        return replace(
            self,
            required=tuple(swap(c) for c in self.required),
            text=self.corrected_text(replacements),
        )

    def corrected_text(self, replacements: dict[Word, str]) -> str:
        """The query text with `replacements` written in place of the words they replace."""
        text = self.text
        for word, new in sorted(replacements.items(), key=lambda item: -item[0].start):
            if word.start >= 0:
                text = text[: word.start] + new + text[word.start + len(word.text) :]
        return text
