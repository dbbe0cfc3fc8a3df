"""A test-only model made searchable as "thread" documents, to exercise the hooks and jobs the
way the discussions feature will (its own metadata: it is not part of the app's schema)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from advocacy.extensions import db
from advocacy.models_base import UTCDateTime, utcnow
from advocacy.search.documents import SearchDocument, document_key, register_source


class NoteBase(DeclarativeBase):
    """Separate from db.Model, so tests/test_migrations.py never sees this table."""


class Note(NoteBase):
    __tablename__ = "search_test_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(String(200), default="")
    space_id: Mapped[int | None] = mapped_column(Integer)
    author_name: Mapped[str] = mapped_column(String(100), default="")
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def note_document(note: Note) -> SearchDocument | None:
    """A note's document; unpublished notes are not searchable."""
    if not note.published:
        return None
    return SearchDocument(
        key=document_key("thread", note.id),
        type="thread",
        title=note.title,
        body=note.body,
        tags=tuple(t for t in note.tags.split(",") if t),
        author_name=note.author_name,
        author_handle=note.author_name.split(" ")[0].lower(),
        space_id=note.space_id,
        space_name=f"Space {note.space_id}" if note.space_id else "",
        space_slug=f"space-{note.space_id}" if note.space_id else "",
        created_at=note.created_at,
        url=f"/notes/{note.id}",
    )


def visible_notes(reader, ids: list[int]) -> set[int]:
    """The database's word on which notes a reader may see."""
    notes = db.session.query(Note).filter(Note.id.in_(ids), Note.published)
    return {n.id for n in notes if n.space_id is None or n.space_id in reader.space_ids}


def register_notes(app) -> None:
    register_source(app, "thread", Note, note_document, recheck=visible_notes)
