"""The marker cache: built once per search and directory version, bounded by rows."""

from __future__ import annotations

import gc
from typing import Any

from api.search import ResourceQuery
from web.marker_cache import MarkerCache


def counting(rows: list[list[Any]], calls: list[int]) -> Any:
    def build() -> list[list[Any]]:
        calls.append(1)
        return rows

    return build


def test_a_search_is_built_once_per_version_whatever_its_page() -> None:
    cache = MarkerCache()
    calls: list[int] = []
    rows = [[32.7, -96.8, 1, 0, "A"]]
    first = ResourceQuery(languages=("es",), page=1)
    assert cache.rows(database="db", version=1, query=first, build=counting(rows, calls)) == rows
    second_page = ResourceQuery(languages=("es",), page=3, per_page=50)
    cache.rows(database="db", version=1, query=second_page, build=counting(rows, calls))
    assert len(calls) == 1
    cache.rows(database="db", version=2, query=first, build=counting(rows, calls))
    cache.rows(database="other", version=2, query=first, build=counting(rows, calls))
    cache.rows(database="db", version=2, query=ResourceQuery(), build=counting(rows, calls))
    assert len(calls) == 4


def test_open_now_is_never_cached() -> None:
    cache = MarkerCache()
    calls: list[int] = []
    query = ResourceQuery(open_now=True)
    for _ in range(2):
        cache.rows(database="db", version=1, query=query, build=counting([], calls))
    assert len(calls) == 2


def test_the_oldest_searches_leave_first_when_full() -> None:
    cache = MarkerCache(max_rows=10)
    calls: list[int] = []
    six = [[0.0, 0.0, n, 0, "x"] for n in range(6)]
    a, b = ResourceQuery(languages=("es",)), ResourceQuery(languages=("vi",))
    cache.rows(database="db", version=1, query=a, build=counting(six, calls))
    cache.rows(database="db", version=1, query=b, build=counting(six, calls))  # a leaves
    cache.rows(database="db", version=1, query=b, build=counting(six, calls))
    assert len(calls) == 2
    cache.rows(database="db", version=1, query=a, build=counting(six, calls))
    assert len(calls) == 3


def test_the_garbage_collector_waits_while_an_entry_is_built_then_is_as_it_was() -> None:
    cache = MarkerCache()
    seen: list[bool] = []

    def build() -> list[list[Any]]:
        seen.append(gc.isenabled())
        return [[32.7, -96.8, 1, 0, "A"]]

    cache.rows(database="db", version=1, query=ResourceQuery(), build=build)
    assert seen == [False]
    assert gc.isenabled()
    gc.disable()
    try:
        cache.rows(database="db", version=2, query=ResourceQuery(), build=build)
        assert not gc.isenabled()  # left off, as it was found
    finally:
        gc.enable()
    assert seen == [False, False]
