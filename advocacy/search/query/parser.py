"""The search operator language, close to Discourse's, parsed into a small AST no backend owns
(query_ast).

    onboarding "first week" -intern            words (all required), a phrase, an exclusion
    remote OR hybrid                           either word (OR binds the clauses beside it)
    @maya  from:maya  from:"Maya Member"       by an author (handle, a word of the name, full name)
    in:engineering  #engineering               in a space (by slug or name)
    tag:a,b  tag:a+b                           any of the tags / all of them
    type:thread,post  status:open              kinds of result, thread states
    after:2024-01-31  before:yesterday  after:7d    dates in the reader's own time zone
    in:title  order:latest|oldest|relevance    words in titles only; the order of results
    onboard*                                   words starting with "onboard" (3+ letters, bounded)

Rules the code cannot show:
- Unknown operators (`foo:bar`) are searched as words; a known operator with a value it cannot use
  (`type:banana`, `before:someday`) is ignored with a notice saying why.
- `after:D` includes day D, `before:D` excludes it; D is a calendar day in the reader's zone (an ISO
  date, `YYYY-MM`, `YYYY`, `today`, `yesterday`, or `7d` / `2w` / `3m` / `1y` ago).
- Several authors, spaces, types or statuses: any of them matches.
- Parsing never raises: an empty, too long or wordless query comes back with `problem` set.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from advocacy.search.documents import DOCUMENT_TYPES, match_key
from advocacy.search.query.dates import resolve_day
from advocacy.search.query.nodes import (
    STOP_WORDS,
    AnyOf,
    Order,
    ParsedQuery,
    Phrase,
    Word,
    word_tokens,
)

MAX_QUERY_CHARS = 256
MAX_CLAUSES = 12  # words, phrases and exclusions used; the rest is ignored with a notice
MAX_VALUES = 10  # values per operator (authors, tags, spaces...)
MIN_PREFIX = 3  # letters before `*`: shorter prefixes would match most of the vocabulary
STATUSES = ("open", "closed", "solved", "unanswered")
TYPE_ALIASES = {
    **{t: t for t in DOCUMENT_TYPES},
    "threads": "thread",
    "topic": "thread",
    "topics": "thread",
    "posts": "post",
    "reply": "post",
    "replies": "post",
    "people": "person",
    "persons": "person",
    "user": "person",
    "users": "person",
    "spaces": "space",
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
OPERATORS = {"from", "in", "tag", "tags", "type", "before", "after", "status", "order", "is"}


@dataclass
class _Token:
    text: str
    start: int
    quoted: bool = False  # a "phrase"
    negated: bool = False


def _lex(text: str) -> list[_Token]:
    """Split on spaces, keeping "quoted phrases" and operator:"quoted values" whole; an unbalanced
    quote runs to the end of the text."""
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        negated = False
        if text[i] == "-" and i + 1 < n and text[i + 1] == '"':
            negated, i = True, i + 1
        if text[i] == '"':
            end = text.find('"', i + 1)
            end = n if end < 0 else end
            tokens.append(_Token(text[i + 1 : end], start, quoted=True, negated=negated))
            i = end + 1
            continue
        while i < n and not text[i].isspace():
            if text[i] == '"':
                if i > start and text[i - 1] == ":":  # operator:"quoted value"
                    end = text.find('"', i + 1)
                    i = n if end < 0 else end + 1
                    continue
                break  # word"phrase": the quote starts the next token
            i += 1
        tokens.append(_Token(text[start:i], start))
    return tokens


@dataclass
class _Builder:
    """Accumulates the parts of a query while its tokens are read."""

    now: datetime
    zone: ZoneInfo
    required: list = None
    excluded: list = None
    authors: list = None
    spaces: list = None
    tag_groups: list = None
    types: list = None
    statuses: list = None
    notices: list = None
    title_only: bool = False
    after: datetime | None = None
    before: datetime | None = None
    order: Order = Order.RELEVANCE
    clause_count: int = 0
    common_words: bool = False

    def __post_init__(self):
        for name in ("required", "excluded", "authors", "spaces", "tag_groups", "types"):
            setattr(self, name, [])
        self.statuses, self.notices = [], []

    def notice(self, message: str) -> None:
        if message not in self.notices:
            self.notices.append(message)

    def room_for_clause(self) -> bool:
        if self.clause_count >= MAX_CLAUSES:
            self.notice(f"Only the first {MAX_CLAUSES} words and phrases are used.")
            return False
        self.clause_count += 1
        return True

    def add_values(self, target: list, values: list[str], what: str) -> None:
        for value in values:
            if value and value not in target:
                if len(target) >= MAX_VALUES:
                    self.notice(f"Only {MAX_VALUES} {what} are used.")
                    return
                target.append(value)


def parse_query(text: str, *, now: datetime | None = None, timezone: str = "UTC") -> ParsedQuery:
    """Parse a search; never raises. `now` and `timezone` resolve relative dates for the reader."""
    now = now or datetime.now(UTC)
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", text or "")).strip()
    if not text:
        return ParsedQuery(text="", problem="Type a word or a name to search for.")
    if len(text) > MAX_QUERY_CHARS:
        return ParsedQuery(
            text=text[:MAX_QUERY_CHARS],
            problem=f"A search can be at most {MAX_QUERY_CHARS} characters long; this one has "
            f"{len(text):,}. Use fewer, more distinctive words.",
        )
    builder = _Builder(now, zone)
    pending_or = pending_not = False
    for token in _lex(text):
        if not token.quoted and token.text == "OR":
            pending_or = bool(builder.required)
            continue
        if not token.quoted and token.text in ("AND", "&&"):
            continue
        if not token.quoted and token.text == "NOT":
            pending_not = True
            continue
        clause = _read_token(builder, token, negate=pending_not)
        pending_not = False
        if clause is None:
            continue
        if pending_or and builder.required:
            previous = builder.required.pop()
            options = previous.options if isinstance(previous, AnyOf) else (previous,)
            builder.required.append(AnyOf((*options, clause)))
        elif not any(_same(clause, other) for other in builder.required):
            builder.required.append(clause)
        pending_or = False
    return _finish(text, builder)


def _read_token(b: _Builder, token: _Token, negate: bool) -> Word | Phrase | None:
    """Apply an operator token to the builder, or return the word/phrase clause it is."""
    raw = token.text
    if token.quoted:
        tokens = word_tokens(raw)
        if not tokens or not b.room_for_clause():
            return None
        clause = Phrase(raw, tokens) if len(tokens) > 1 else Word(raw, tokens, start=-1)
        if token.negated or negate:
            b.excluded.append(clause)
            return None
        return clause
    if raw.startswith("-") and len(raw) > 1:
        stripped = raw.lstrip("-")
        if _operator(stripped) is not None:
            b.notice(f"“{raw}”: exclusions work on words and phrases only, so it was ignored.")
            return None
        tokens = tuple(t for t in word_tokens(stripped) if t not in STOP_WORDS)
        if tokens and b.room_for_clause():
            b.excluded.append(Word(stripped, tokens))
        return None
    if raw.startswith("@") and len(raw) > 1:
        b.add_values(b.authors, [match_key(raw[1:])], "authors")
        return None
    if raw.startswith("#") and len(raw) > 1:
        b.add_values(b.spaces, [match_key(raw[1:])], "spaces")
        return None
    operator = _operator(raw)
    if operator is not None:
        name, value = operator
        if not value.strip():
            b.notice(f"“{raw}” needs a value after the colon, so it was ignored.")
            return None
        _apply_operator(b, name, value.strip(), raw)
        return None
    prefix = raw.endswith("*")
    tokens = tuple(t for t in word_tokens(raw) if t not in STOP_WORDS or prefix)
    if not tokens:
        if word_tokens(raw):
            b.common_words = True
            b.notice(f"“{raw}” is too common a word to search for, so it was left out.")
        return None
    if not b.room_for_clause():
        return None
    if prefix and (len(tokens) != 1 or len(tokens[0]) < MIN_PREFIX):
        b.notice(f"“{raw}”: a * needs at least {MIN_PREFIX} letters before it; searched as a word.")
        prefix = False
    word = Word(raw.rstrip("*") if prefix else raw, tokens, prefix, token.start)
    if negate:
        b.excluded.append(word)
        return None
    return word


def _same(one, other) -> bool:
    """Two clauses that match the same documents ("Budget" and "budget")."""
    if type(one) is not type(other) or isinstance(one, AnyOf):
        return False
    return one.tokens == other.tokens and getattr(one, "prefix", False) == getattr(
        other, "prefix", False
    )


def _operator(raw: str) -> tuple[str, str] | None:
    name, colon, value = raw.partition(":")
    if not colon or name.lower() not in OPERATORS:
        return None
    if value.startswith('"'):
        value = value[1:-1] if value.endswith('"') and len(value) > 1 else value[1:]
    return name.lower(), value


def _apply_operator(b: _Builder, name: str, value: str, raw: str) -> None:
    values = [v.strip() for v in value.split(",") if v.strip()]
    if name == "from":
        b.add_values(b.authors, [match_key(v) for v in values], "authors")
    elif name == "in":
        if value.lower() == "title":
            b.title_only = True
        else:
            b.add_values(b.spaces, [match_key(v) for v in values], "spaces")
    elif name in ("tag", "tags"):
        groups = [values] if "+" not in value else [[v] for v in value.split("+")]
        for group in groups:
            keys = tuple(k for k in (match_key(v) for v in group) if k)
            if keys and keys not in b.tag_groups:
                b.add_values(b.tag_groups, [keys], "tag filters")
    elif name == "type":
        known = [TYPE_ALIASES.get(v.lower()) for v in values]
        if None in known:
            b.notice(
                f"“{raw}”: the types are thread, post, content, person and space; "
                "unknown ones were ignored."
            )
        b.add_values(b.types, [k for k in known if k], "types")
    elif name in ("status", "is"):
        wanted = [v.lower() for v in values]
        if any(v not in STATUSES for v in wanted):
            b.notice(f"“{raw}”: the statuses are {', '.join(STATUSES)}; others were ignored.")
        b.add_values(b.statuses, [v for v in wanted if v in STATUSES], "statuses")
    elif name in ("before", "after"):
        day = resolve_day(value, b.now, b.zone)
        if day is None:
            b.notice(
                f"“{raw}” is not a date we understand (try 2024-01-31, yesterday or 7d), so it "
                "was ignored."
            )
            return
        moment = datetime.combine(day, time(0), tzinfo=b.zone).astimezone(UTC)
        if name == "after":
            b.after = max(b.after, moment) if b.after else moment
        else:
            b.before = min(b.before, moment) if b.before else moment
    elif name == "order":
        aliases = {"latest": "latest", "newest": "latest", "oldest": "oldest"}
        aliases |= {"relevance": "relevance", "relevant": "relevance"}
        chosen = aliases.get(value.lower())
        if chosen is None:
            b.notice(f"“{raw}”: order by latest, oldest or relevance; it was ignored.")
        else:
            b.order = Order(chosen)


def _finish(text: str, b: _Builder) -> ParsedQuery:
    parsed = ParsedQuery(
        text=text,
        required=tuple(b.required),
        excluded=tuple(dict.fromkeys(b.excluded)),
        title_only=b.title_only,
        authors=tuple(b.authors),
        spaces=tuple(b.spaces),
        tag_groups=tuple(b.tag_groups),
        types=tuple(b.types),
        statuses=tuple(b.statuses),
        after=b.after,
        before=b.before,
        order=b.order,
        notices=tuple(b.notices),
    )
    if parsed.has_text or parsed.has_filters:
        return parsed
    if parsed.excluded:
        problem = "Add a word to look for: a search cannot be made of exclusions only."
    elif b.common_words:
        problem = "These words are too common to search for: add a more specific one."
    else:
        problem = f"There is nothing to search for in “{text[:60]}”: use letters or digits."
    return replace(parsed, problem=problem)
