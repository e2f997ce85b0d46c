"""Map searches kept between requests until the directory changes.

Ranking every match of a map (``api.search.gather``) costs a few hundred milliseconds at
ten thousand matches, and a map is viewed far more often than the directory changes. The
candidates of a search, the marker rows drawn from them and those rows by map cell at each
zoom (``web.clusters``) are therefore kept in memory,
keyed on the search and the directory version (a counter database triggers move on every
change, see ``api.db.version``), so any write or import makes them stale at once. A search
whose answer moves with the clock (``open_now``, ``verified_within_days``) is never kept.
The cache is an LRU bounded by the rows it holds across every entry (``cachetools``); one
is made per app (``web.pages.PageState``). It lives in process memory only: nothing is
written anywhere, like the API's own response cache.

The garbage collector waits while an entry is built: a whole map's entry is tens of
thousands of objects that all live on, and the full collections their making sets off
(over every object of the process) took longer than the building itself.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator, Sized
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, TypeVar

from cachetools import LRUCache

from api.search import Candidates, ResourceQuery, moves_with_clock
from web.clusters import Cells

__all__ = ["MAX_ROWS", "MarkerCache"]

MAX_ROWS = 200_000
"""Rows (candidates or markers) held at most, across every cached search."""

Rows = list[list[Any]]
Entry = TypeVar("Entry", bound=Sized)


class _Collector:
    """``gc`` paused while any thread builds an entry, then left as it was found."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pausing = 0
        self._was_enabled = False

    @contextmanager
    def paused(self) -> Iterator[None]:
        with self._lock:
            if self._pausing == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._pausing += 1
        try:
            yield
        finally:
            with self._lock:
                self._pausing -= 1
                if self._pausing == 0 and self._was_enabled:
                    gc.enable()


_collector = _Collector()


class MarkerCache:
    def __init__(self, *, max_rows: int = MAX_ROWS) -> None:
        self.max_rows = max_rows
        self._entries: LRUCache[tuple[Any, ...], Sized] = LRUCache(maxsize=max_rows, getsizeof=len)
        self._lock = threading.Lock()

    def rows(
        self, *, database: str, version: int, query: ResourceQuery, build: Callable[[], Rows]
    ) -> Rows:
        """The marker rows of ``query`` (its paging ignored), built once per directory
        version."""
        key = ("rows", database, version, replace(query, page=1, per_page=1))
        return self._get(key, query, build)

    def cells(
        self,
        *,
        database: str,
        version: int,
        query: ResourceQuery,
        zoom: int,
        build: Callable[[], Cells],
    ) -> Cells:
        """The marker rows of ``query`` by map cell at ``zoom`` (``web.clusters``)."""
        key = ("cells", database, version, replace(query, page=1, per_page=1), zoom)
        return self._get(key, query, build)

    def candidates(
        self,
        *,
        database: str,
        version: int,
        query: ResourceQuery,
        build: Callable[[], Candidates],
    ) -> Candidates:
        """The candidates gathered for ``query``, built once per directory version."""
        key = ("candidates", database, version, query)
        return self._get(key, query, build)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _get(self, key: tuple[Any, ...], query: ResourceQuery, build: Callable[[], Entry]) -> Entry:
        if moves_with_clock(query):
            with _collector.paused():
                return build()
        with self._lock:
            found = self._entries.get(key)
        if found is not None:
            return found  # type: ignore[return-value]  # each key holds what its build makes
        with _collector.paused():
            entry = build()
        if len(entry) <= self.max_rows:
            with self._lock:
                self._entries[key] = entry
        return entry
