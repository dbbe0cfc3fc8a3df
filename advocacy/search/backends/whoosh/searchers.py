"""The Whoosh backend's live index folder and its pool of searchers, renewed as the index grows."""

from __future__ import annotations

import logging
import os
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index

from advocacy.search.backends.base import SearchUnavailable

log = logging.getLogger("advocacy.search.whoosh")

CURRENT = "CURRENT"
POOL_IDLE_MAX = 8
UNAVAILABLE = "Search is unavailable: the index cannot be read. It is rebuilt automatically; an "


def guarded(action):
    """(True, action()) or, when reading the index fails, (False, the reason): the caller then
    answers "unavailable". Whoosh leaves files open when it fails on damaged files; they are
    closed as the error is dropped, inside this function, which silences their ResourceWarning.
    The traceback is logged at debug level only: a damaged index is an operations problem."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return True, action()
        except SearchUnavailable:
            raise
        except Exception as error:
            log.debug("search index error", exc_info=True)
            return False, repr(error)[:500]


def current_folder(root: Path) -> str:
    """The name of the live index folder, which `CURRENT` holds."""
    try:
        name = (root / CURRENT).read_text().strip()
    except FileNotFoundError:
        raise SearchUnavailable(
            "Search is unavailable: the index has not been built yet. It is built "
            "automatically after the next change, or by an admin (flask search reindex)."
        ) from None
    except (OSError, UnicodeDecodeError) as error:  # unreadable, or scribbled over
        raise SearchUnavailable(f"{UNAVAILABLE}admin can rebuild it now.") from error
    if not name.startswith("ix-") or "/" in name:
        raise SearchUnavailable(f"{UNAVAILABLE}admin can rebuild it now.")
    return name


@dataclass
class Lease:
    """A searcher of one index folder and generation, used by one request at a time."""

    folder: str
    searcher: object
    generation: int
    broken: bool = False
    pid: int = field(default_factory=os.getpid)  # a forked process must not share its files


class SearcherPool:
    """Opened indexes and idle searchers. A searcher serves one request at a time (a Whoosh
    reader's files keep a position, so one searcher must not serve two threads at once), and is
    replaced when the index's generation changes (a cheap directory listing per search)."""

    def __init__(self, schema) -> None:
        self._schema = schema
        self._lock = threading.Lock()
        self._idle: list[Lease] = []
        self._indexes: dict = {}

    @contextmanager
    def searcher(self, root: Path) -> Iterator[Lease]:
        """A searcher of the live index under `root`, returned to the pool afterwards."""
        lease = self._acquire(root)
        try:
            yield lease
        finally:
            self._release(lease)

    def index(self, root: Path, folder: str):
        """The opened index of a folder (kept: opening reads and unpickles the schema)."""
        with self._lock:
            cached = self._indexes.get(folder)
        if cached is None:
            cached = index.open_dir(str(root / folder), schema=self._schema)
            with self._lock:
                self._indexes = {folder: cached}  # older folders are gone after a rebuild
        return cached

    def close(self) -> None:
        """Close every idle searcher."""
        with self._lock:
            for lease in self._idle:
                lease.searcher.close()
            self._idle.clear()

    def _acquire(self, root: Path) -> Lease:
        folder = current_folder(root)
        opened, lease = guarded(lambda: self._lease(root, folder))
        if opened:
            return lease
        with self._lock:
            self._indexes.pop(folder, None)
        log.error("cannot open the search index %s: %s", root / folder, lease)
        raise SearchUnavailable(f"{UNAVAILABLE}admin can rebuild it now.")

    def _lease(self, root: Path, folder: str) -> Lease:
        """An idle searcher of the folder's latest generation, or a new one. (Whoosh's
        `Searcher.refresh()` reuses unchanged segments' readers, but a reused reader kept
        showing documents deleted since: every new generation gets a new searcher.)"""
        ix = self.index(root, folder)
        generation = ix.latest_generation()
        with self._lock:
            while self._idle:
                lease = self._idle.pop()
                if lease.pid != os.getpid():
                    continue  # opened before a fork: its files' positions are shared
                if lease.folder == folder and lease.generation == generation:
                    return lease
                lease.searcher.close()
        searcher = ix.searcher()
        return Lease(folder, searcher, searcher.reader().generation())

    def _release(self, lease: Lease) -> None:
        with self._lock:
            if not lease.broken and len(self._idle) < POOL_IDLE_MAX:
                self._idle.append(lease)
                return
        lease.searcher.close()
