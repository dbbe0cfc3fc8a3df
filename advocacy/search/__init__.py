"""Search: one permission-aware full-text search over threads, posts, content, people and spaces.

This is the face other features use: they make their rows searchable with `register_source` and
`watch` (documents they build as `SearchDocument`s), and tell search who may see what with
`set_visible_spaces_provider` and `set_sees_all_audiences_rule` (the README's Search section);
`rebuild_index` rebuilds everything from the database (after a restore, say).
`wiring.py` plugs search into the app; the rest of the package is search's own.
"""

from __future__ import annotations

from advocacy.search.backends.base import WriterBusy
from advocacy.search.documents import (
    Audience,
    DocumentType,
    SearchDocument,
    document_key,
    match_key,
    path_for,
    plain_text,
    register_source,
    watch,
)
from advocacy.search.indexing import rebuild_index
from advocacy.search.permissions import set_sees_all_audiences_rule, set_visible_spaces_provider

__all__ = [
    "Audience",
    "DocumentType",
    "SearchDocument",
    "document_key",
    "match_key",
    "path_for",
    "plain_text",
    "rebuild_index",
    "register_source",
    "set_sees_all_audiences_rule",
    "set_visible_spaces_provider",
    "watch",
    "WriterBusy",
]
