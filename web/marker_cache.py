"""Marker rows kept between requests until the directory changes.

Reading every match through ``api.search.place_resources`` costs a few hundred milliseconds
at ten thousand matches, and a map is viewed far more often than the directory changes. The
rows of a search are therefore kept in memory, keyed on the search and the directory
version (a counter database triggers move on every change, see ``api.db.version``), so
any write or import makes them stale at once. The cache is bounded by the number of rows it
holds, oldest entries first out. It lives in process memory only: nothing is written
anywhere, like the API's own response cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from api.search import ResourceQuery

__all__ = ["MAX_ROWS", "MarkerCache"]

MAX_ROWS = 200_000
"""Rows held at most, across every cached search."""

Rows = list[list[Any]]


class MarkerCache:
    def __init__(self, *, max_rows: int = MAX_ROWS) -> None:
        self.max_rows = max_rows
        self._entries: OrderedDict[tuple[Any, ...], Rows] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def rows(
        self, *, database: str, version: int, query: ResourceQuery, build: Callable[[], Rows]
    ) -> Rows:
        """The rows of ``query`` (its paging ignored), built once per directory version."""
        if query.open_now:  # the answer moves with the clock, not only with the data
            return build()
        key = (database, version, replace(query, page=1, per_page=1))
        with self._lock:
            if (found := self._entries.get(key)) is not None:
                self._entries.move_to_end(key)
                return found
        rows = build()
        with self._lock:
            if key not in self._entries and len(rows) <= self.max_rows:
                self._entries[key] = rows
                self._held += len(rows)
                while self._held > self.max_rows:
                    _, dropped = self._entries.popitem(last=False)
                    self._held -= len(dropped)
        return rows

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._held = 0
