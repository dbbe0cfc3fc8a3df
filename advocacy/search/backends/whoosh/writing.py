"""Writing the Whoosh index: the one writer's file lock, commits of changes, and a rebuild into a
new folder that `CURRENT` then points at."""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index

from advocacy.models_base import utcnow
from advocacy.search.backends.base import ProgressCallback, WriterBusy
from advocacy.search.backends.whoosh.schema import document_fields
from advocacy.search.backends.whoosh.searchers import CURRENT
from advocacy.search.documents import SearchDocument

LOCK_FILE = "writer.lock"
MERGE_AFTER_SEGMENTS = 8


@contextmanager
def hold_writer_lock(root: Path, timeout: float) -> Iterator[None]:
    """Hold `writer.lock` (flock, across processes) or raise WriterBusy after `timeout` s."""
    root.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    with open(root / LOCK_FILE, "a+") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WriterBusy("another process is writing the search index") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def apply_changes(ix, documents: list[SearchDocument], deleted_keys: list[str]) -> None:
    """Replace `documents` and delete `deleted_keys` in the opened index `ix`, in one commit."""
    if not documents and not deleted_keys:
        return
    writer = ix.writer(timeout=30.0)
    try:
        for key in deleted_keys:
            writer.delete_by_term("key", key)
        for document in documents:
            writer.update_document(**document_fields(document))
    except BaseException:
        writer.cancel()
        raise
    # Small segments are merged only once there are several: merging on every commit made
    # a new post wait for the merge, and readers reopen what a merge rewrote.
    writer.commit(merge=len(writer.segments) >= MERGE_AFTER_SEGMENTS)


def build_index(
    root: Path,
    schema,
    batches: Iterator[tuple[int, list[SearchDocument]]],
    progress: ProgressCallback,
) -> tuple[str, int]:
    """A new index folder under `root` holding the documents of `batches` (removed again if
    anything fails): (its name, how many documents)."""
    root.mkdir(parents=True, exist_ok=True)
    folder = f"ix-{utcnow():%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
    path = root / folder
    path.mkdir()
    count = read = 0
    try:
        writer = index.create_in(str(path), schema).writer(limitmb=256)
        try:
            for rows, documents in batches:
                for document in documents:
                    writer.add_document(**document_fields(document))
                count += len(documents)
                read += rows
                progress(read)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
    return folder, count


def switch_to(root: Path, folder: str) -> None:
    """Point CURRENT at `folder` atomically, then remove the other index folders (readers
    that still hold their files open keep reading them until they let go)."""
    pending = root / f"{CURRENT}.{folder}"
    with open(pending, "w") as handle:
        handle.write(folder)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(pending, root / CURRENT)
    for old in root.glob("ix-*"):
        if old.name != folder:
            shutil.rmtree(old, ignore_errors=True)
