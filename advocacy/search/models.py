"""Search tables: pending changes (the outbox of the indexing job), the query log for analytics,
and the PostgreSQL backend's documents and vocabulary.

The PostgreSQL backend's tables are declared for every dialect so that the models and the
migrations stay one schema: their PostgreSQL-only parts are declared dialect-specifically (the
tsvector column is TEXT elsewhere, array columns are JSON, GIN and trigram indexes are plain
indexes), and the pg_trgm extension is created before the tables, on PostgreSQL only. On SQLite
these two tables exist, stay empty and cost nothing: the Whoosh backend is used there.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    Index,
    Integer,
    String,
    Text,
    event,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.extensions import db
from advocacy.models_base import UTCDateTime, utcnow

KEY_MAX = 40
QUERY_MAX = 256


def _text_array():
    return JSON().with_variant(ARRAY(Text()), "postgresql")


def _int_array():
    return JSON().with_variant(ARRAY(Integer()), "postgresql")


class SearchPendingChange(db.Model):
    """A document whose row changed and is not indexed yet. Written in the same transaction as the
    change (so a rollback drops it, and a commit keeps it even if the job is lost); the indexing
    job deletes it once indexed, unless it changed again meanwhile (`version`)."""

    __tablename__ = "search_pending_change"

    key: Mapped[str] = mapped_column(String(KEY_MAX), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class SearchQueryLog(db.Model):
    """One search, for analytics. Deliberately anonymous: no user, no address, no session id;
    consecutive keystrokes of one search are merged into one row (see analytics.py)."""

    __tablename__ = "search_query_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(QUERY_MAX))
    normalized: Mapped[str] = mapped_column(String(QUERY_MAX), index=True)
    results: Mapped[int] = mapped_column(Integer, default=0)
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(8), default="page")
    searched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class SearchDocumentRow(db.Model):
    """A document in the PostgreSQL backend. `search_vector` is maintained by the backend when it
    writes a row: title weight A, tags B, body C. `search_pairs` holds its neighbouring words as
    pair lexemes, so a phrase's candidates come from the index (see postgres_backend)."""

    __tablename__ = "search_document"
    __table_args__ = (
        Index("ix_search_document_search_vector", "search_vector", postgresql_using="gin"),
        Index("ix_search_document_search_pairs", "search_pairs", postgresql_using="gin"),
        Index("ix_search_document_tag_keys", "tag_keys", postgresql_using="gin"),
        Index("ix_search_document_author_keys", "author_keys", postgresql_using="gin"),
        Index("ix_search_document_space_keys", "space_keys", postgresql_using="gin"),
    )

    key: Mapped[str] = mapped_column(String(KEY_MAX), primary_key=True)
    type: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list] = mapped_column(_text_array(), default=list)
    tag_keys: Mapped[list] = mapped_column(_text_array(), default=list)
    author_id: Mapped[int | None] = mapped_column(Integer)
    author_name: Mapped[str] = mapped_column(String(200), default="")
    author_keys: Mapped[list] = mapped_column(_text_array(), default=list)
    space_id: Mapped[int | None] = mapped_column(Integer, index=True)
    space_name: Mapped[str] = mapped_column(String(200), default="")
    space_keys: Mapped[list] = mapped_column(_text_array(), default=list)
    audience_teams: Mapped[list] = mapped_column(_int_array(), default=list)
    audience_locations: Mapped[list] = mapped_column(_text_array(), default=list)
    audience_languages: Mapped[list] = mapped_column(_text_array(), default=list)
    statuses: Mapped[list] = mapped_column(_text_array(), default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    visible_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    visible_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    url: Mapped[str] = mapped_column(Text, default="")
    indexed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    search_vector: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))
    search_pairs: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))


class SearchWord(db.Model):
    """The PostgreSQL backend's vocabulary: every indexed word and (about) how many documents
    hold it, for spelling corrections (trigram similarity) and bounded prefix expansion."""

    __tablename__ = "search_word"
    __table_args__ = (
        Index(
            "ix_search_word_word_trgm",
            "word",
            postgresql_using="gin",
            postgresql_ops={"word": "gin_trgm_ops"},
        ),
    )

    word: Mapped[str] = mapped_column(String(100), primary_key=True)
    documents: Mapped[int] = mapped_column(Integer, default=0)


# The trigram operator class must exist before the vocabulary's index (create_all in tests; the
# migration does the same).
event.listen(
    db.metadata,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)
