"""What the search index holds: `SearchDocument` (pure data), its keys, and the registry of sources.

A feature makes its rows searchable by registering a `DocumentSource`: the model whose rows become
documents of one type, a pure `build(row) -> SearchDocument | None` (None: the row must not be in
the index, e.g. deleted or unpublished), and optionally the query that loads rows with what `build`
needs. Other models whose changes alter documents (a team renamed changes its members' person
documents) are declared with `watch(model, keys_of)`. The hooks collect the keys of changed rows;
the indexing job rebuilds each key's document from the database, so the index can always be
rebuilt from the database alone.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from sqlalchemy import Select, func, select

from advocacy.extensions import db

TITLE_MAX = 300
BODY_MAX = 20_000  # characters of body kept: enough for any snippet, bounded index size
TAGS_MAX = 20
KEY_PATTERN = re.compile(r"^(?P<type>[a-z]+):(?P<id>[1-9][0-9]{0,17})$")
# Control characters (NUL included) never reach an index; the highlighters use some as markers.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


class DocumentType(enum.StrEnum):
    """The kinds of results search knows."""

    THREAD = "thread"
    POST = "post"
    CONTENT = "content"
    PERSON = "person"
    SPACE = "space"


DOCUMENT_TYPES = tuple(t.value for t in DocumentType)


def document_key(doc_type: str, row_id: int) -> str:
    """The index key of a row, e.g. `thread:12`."""
    return f"{doc_type}:{int(row_id)}"


def parse_key(key: str) -> tuple[str, int] | None:
    """(type, id) of a well-formed key, else None."""
    match = KEY_PATTERN.match(key or "")
    if not match or match["type"] not in DOCUMENT_TYPES:
        return None
    return match["type"], int(match["id"])


def fold(value: str) -> str:
    """Case- and accent-insensitive form of `value` (so "Chloé" and "chloe" compare equal)."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def match_key(value: str) -> str:
    """The key under which a name, slug, handle or tag is matched: folded, letters and digits only
    ("HR Announcements", "hr-announcements" and "#HR_announcements" all give "hrannouncements")."""
    return _NOT_ALNUM.sub("", fold(value))


def audience_key(value: str) -> str:
    """How audience values (locations, languages) are compared with a reader's, like match_key
    ("London, UK" == "london uk"). The feed's targeting should use the same rule so that search
    and the feed agree on who is targeted."""
    return match_key(value)


class _TextExtractor(HTMLParser):
    """Collects the text of HTML; every tag separates words ("</p><p>" must not glue them)."""

    SKIPPED = {"script", "style", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in self.SKIPPED
        self.parts.append(" ")

    def handle_endtag(self, tag):
        self.skipping -= tag in self.SKIPPED and self.skipping > 0
        self.parts.append(" ")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def plain_text(html_or_text: str) -> str:
    """Visible text of rendered HTML (markdown output), for a document's body: tags removed
    (scripts and styles with their content), entities decoded, whitespace collapsed."""
    extractor = _TextExtractor()
    extractor.feed(html_or_text or "")
    extractor.close()
    return " ".join("".join(extractor.parts).split())


def clean_text(value: str, limit: int) -> str:
    """Text fit for the index: composed Unicode (NFC), no control characters, at most `limit`
    characters."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFC", value or "")).strip()[:limit]


@dataclass(frozen=True)
class Audience:
    """Who content is aimed at. Within each non-empty dimension a reader must match at least one
    value; the dimensions are AND-ed; an empty dimension admits everyone."""

    teams: tuple[int, ...] = ()
    locations: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "teams", tuple(sorted({int(t) for t in self.teams})))
        for name in ("locations", "languages"):
            values = sorted({audience_key(v) for v in getattr(self, name) if audience_key(v)})
            object.__setattr__(self, name, tuple(values))

    @property
    def is_everyone(self) -> bool:
        return not (self.teams or self.locations or self.languages)


EVERYONE = Audience()


@dataclass(frozen=True)
class SearchDocument:
    """One searchable item, as every backend indexes it. Built by a source's pure builder."""

    key: str
    type: str
    title: str
    created_at: datetime
    updated_at: datetime | None = None
    body: str = ""  # plain text, no HTML: use plain_text() on rendered markdown
    tags: tuple[str, ...] = ()
    author_id: int | None = None
    author_name: str = ""
    author_handle: str = ""
    space_id: int | None = None  # None: outside spaces (content, people), visible to all readers
    space_name: str = ""
    space_slug: str = ""
    audience: Audience = EVERYONE
    statuses: tuple[str, ...] = ()  # e.g. ("open", "unanswered"), ("closed", "solved")
    visible_from: datetime | None = None  # a publish window, checked at query time too
    visible_until: datetime | None = None
    url: str = ""

    def __post_init__(self):
        parsed = parse_key(self.key)
        if parsed is None or parsed[0] != self.type:
            raise ValueError(f"key {self.key!r} does not name a {self.type!r} document")
        for name in ("created_at", "updated_at", "visible_from", "visible_until"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} must be timezone-aware (UTC)")
        if self.updated_at is None:
            object.__setattr__(self, "updated_at", self.created_at)
        object.__setattr__(self, "title", clean_text(self.title, TITLE_MAX))
        object.__setattr__(self, "body", clean_text(self.body, BODY_MAX))
        tags = []
        for tag in self.tags:
            tag = clean_text(tag, 60)
            if tag and match_key(tag) and tag not in tags:
                tags.append(tag)
        object.__setattr__(self, "tags", tuple(tags[:TAGS_MAX]))
        object.__setattr__(self, "statuses", tuple(sorted({s.lower() for s in self.statuses})))
        for name in ("author_name", "author_handle", "space_name", "space_slug"):
            object.__setattr__(self, name, clean_text(getattr(self, name), 200))

    @property
    def id(self) -> int:
        return parse_key(self.key)[1]

    @property
    def author_keys(self) -> tuple[str, ...]:
        """What `@name` / `from:name` match: the handle, each word of the name, the whole name."""
        words = self.author_name.split()
        keys = {match_key(self.author_handle), match_key(self.author_name), *map(match_key, words)}
        return tuple(sorted(k for k in keys if k))

    @property
    def space_keys(self) -> tuple[str, ...]:
        """What `in:space` / `#space` match: the space's slug and its name."""
        keys = {match_key(self.space_slug), match_key(self.space_name)}
        return tuple(sorted(k for k in keys if k)) if self.space_id is not None else ()

    @property
    def tag_keys(self) -> tuple[str, ...]:
        return tuple(sorted({match_key(t) for t in self.tags}))


def utc_timestamp(value: datetime) -> int:
    """Whole seconds since the epoch, for the indexes' numeric date fields."""
    return int(value.astimezone(UTC).timestamp())


# --- sources: how rows become documents ---------------------------------------------------------


@dataclass(frozen=True)
class DocumentSource:
    """How documents of one type are built from the database.

    - `model`: the SQLAlchemy model whose rows are documents of `type` (its `id` is the key's id).
    - `build(row)`: the row's document, or None when it must not be searchable.
    - `query()`: the select loading rows with what `build` needs (eager loads); by default
      select(model).
    - `recheck(reader, ids)`: the ids among `ids` the reader may still see, checked against the
      database when results are shown (an index can lag a permission change by a moment).
    - `titles(ids)`: titles to show instead of the indexed ones, read when results are shown (a
      reply shows its thread's title, which is not indexed with it so that a thread's title
      words do not find every reply).
    """

    type: str
    model: type
    build: Callable[[Any], SearchDocument | None]
    query: Callable[[], Select] | None = None
    recheck: Callable[[Any, list[int]], set[int]] | None = None
    titles: Callable[[list[int]], dict[int, str]] | None = None

    def select_rows(self) -> Select:
        return self.query() if self.query else select(self.model)

    def load(self, ids: Iterable[int]) -> dict[int, Any]:
        """The rows with these ids that still exist."""
        ids = sorted(set(ids))
        if not ids:
            return {}
        rows = db.session.scalars(self.select_rows().where(self.model.id.in_(ids))).unique()
        return {row.id: row for row in rows}

    def iter_rows(self, batch_size: int = 500) -> Iterator[list[Any]]:
        """Every row, in id order, a batch at a time (keyset pagination: no long-held cursor)."""
        last_id = 0
        while True:
            query = self.select_rows().where(self.model.id > last_id).order_by(self.model.id)
            rows = list(db.session.scalars(query.limit(batch_size)).unique())
            if not rows:
                return
            last_id = rows[-1].id
            # The session holds its rows weakly: once a batch is dropped, memory stays flat.
            yield rows


@dataclass(frozen=True)
class Watch:
    """A model whose changes alter documents: `keys_of(row)` names them. With `attributes`, only
    changes to those attributes count (a user's last sign-in does not change their document)."""

    model: type
    keys_of: Callable[[Any], Iterable[str]]
    attributes: frozenset[str] | None = None


@dataclass
class SourceRegistry:
    """The sources and watches of one app."""

    sources: dict[str, DocumentSource] = field(default_factory=dict)
    watches: list[Watch] = field(default_factory=list)

    def register(self, source: DocumentSource, attributes: Iterable[str] | None = None) -> None:
        if source.type not in DOCUMENT_TYPES:
            raise ValueError(f"unknown document type {source.type!r}")
        self.sources[source.type] = source
        self.watches.append(
            Watch(
                source.model,
                lambda row, doc_type=source.type: [document_key(doc_type, row.id)],
                frozenset(attributes) if attributes is not None else None,
            )
        )

    def watches_for(self, obj: Any) -> list[Watch]:
        return [w for w in self.watches if isinstance(obj, w.model)]

    def build(self, keys: Iterable[str]) -> tuple[list[SearchDocument], list[str]]:
        """Fresh documents for `keys`, and the keys to delete (row gone, or not searchable)."""
        wanted: dict[str, set[int]] = {}
        gone: list[str] = []
        for key in set(keys):
            parsed = parse_key(key)
            if parsed is None or parsed[0] not in self.sources:
                gone.append(key)
                continue
            wanted.setdefault(parsed[0], set()).add(parsed[1])
        documents: list[SearchDocument] = []
        for doc_type, ids in wanted.items():
            rows = self.sources[doc_type].load(ids)
            for row_id in sorted(ids):
                document = self._build_one(doc_type, rows.get(row_id))
                if document is None:
                    gone.append(document_key(doc_type, row_id))
                else:
                    documents.append(document)
        return documents, sorted(gone)

    def _build_one(self, doc_type: str, row: Any) -> SearchDocument | None:
        if row is None:
            return None
        document = self.sources[doc_type].build(row)
        if document is not None and document.key != document_key(doc_type, row.id):
            raise ValueError(f"{doc_type} builder returned {document.key} for row {row.id}")
        return document

    def count_rows(self) -> int:
        """How many rows the sources hold (an upper bound of the documents), for progress bars."""
        total = 0
        for source in self.sources.values():
            total += db.session.scalar(select(func.count()).select_from(source.model)) or 0
        return total

    def iter_documents(self, doc_type: str | None = None) -> Iterator[SearchDocument]:
        """Every current document (of one type, or of all), built from the database."""
        for source in self.sources.values():
            if doc_type and source.type != doc_type:
                continue
            for rows in source.iter_rows():
                for row in rows:
                    document = self._build_one(source.type, row)
                    if document is not None:
                        yield document

    def iter_rows_and_documents(self) -> Iterator[tuple[int, list[SearchDocument]]]:
        """(rows read, their documents) a batch at a time, for a rebuild with progress."""
        for source in self.sources.values():
            for rows in source.iter_rows():
                documents = [self._build_one(source.type, row) for row in rows]
                yield len(rows), [d for d in documents if d is not None]


def registry(app: Flask | None = None) -> SourceRegistry:
    """The app's source registry."""
    return (app or current_app).extensions["search"].registry


def register_source(
    app: Flask,
    doc_type: str,
    model: type,
    build: Callable[[Any], SearchDocument | None],
    *,
    query: Callable[[], Select] | None = None,
    recheck: Callable[[Any, list[int]], set[int]] | None = None,
    titles: Callable[[list[int]], dict[int, str]] | None = None,
    attributes: Iterable[str] | None = None,
) -> None:
    """Make rows of `model` searchable as `doc_type` documents (see DocumentSource); changes to
    its rows (or only to `attributes`) are indexed after each commit."""
    source = DocumentSource(doc_type, model, build, query, recheck, titles)
    registry(app).register(source, attributes)


def watch(
    app: Flask,
    model: type,
    keys_of: Callable[[Any], Iterable[str]],
    attributes: Iterable[str] | None = None,
) -> None:
    """Reindex the documents `keys_of(row)` names whenever a row of `model` changes."""
    registry(app).watches.append(
        Watch(model, keys_of, frozenset(attributes) if attributes is not None else None)
    )


def reindex_source(doc_type: str) -> Iterator[SearchDocument]:
    """Every current document of one type, built from the database."""
    return registry().iter_documents(doc_type)


def path_for(endpoint: str, **values) -> str:
    """A document's link as a path, built without a request (builders run in jobs)."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/")
    return adapter.build(endpoint, values)
