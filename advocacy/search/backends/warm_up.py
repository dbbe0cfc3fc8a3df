"""Warming a backend up in the background, so the first search after a start does not wait."""

from __future__ import annotations

import logging
import threading

from advocacy.search.backends.base import SearchBackend, SearchUnavailable

log = logging.getLogger("advocacy.search")


def warm_in_background(backend: SearchBackend) -> threading.Thread:
    """Load the backend's caches (`SearchBackend.warm`) in a daemon thread. A missing or damaged
    index is left for the first search to report."""

    def warm() -> None:
        try:
            backend.warm()
        except SearchUnavailable as error:  # not built yet, or damaged: search will say so
            log.info("search warm-up skipped: %s", error.detail)
        except Exception:
            log.warning("search warm-up failed", exc_info=True)

    thread = threading.Thread(target=warm, name="search-warm-up", daemon=True)
    thread.start()
    return thread
