"""Resources ranked by distance or name, in the order a scan of every row would give.

Results are ranked by distance when a point is given (unless another ``sort`` is asked
for), else by name; ties fall to the lower id. Distances are great-circle
(``api.geo.distance.great_circle_km``), and the order and distances always equal what a
scan of every row would give:

* With a radius, the spatial index narrows rows to a box around the circle
  (``api.search.conditions``) and each candidate's exact distance decides.
* Without a radius, ranking has no cap: the search looks within a radius that holds enough
  rows for the page asked for (on PostgreSQL, read off a KNN ``<->`` scan; on SQLite, grown
  fourfold until it does), so every row nearer than the page's last is provably found.
* Confidential locations are ranked and shown at their public point (see
  ``api.directory.schemas``), never their true one, so they are gathered apart and measured
  in Python.

``open_now`` is decided in Python from the weekly hours (``api.directory.hours``) in the
region's time zone, so a search using it reads every other match.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, false, func, literal_column, not_, select, union_all
from sqlalchemy.orm import Session
from sqlmodel import col

from api.db.models import Location, Resource
from api.directory.hours import is_open_now
from api.directory.schemas import Page, ResourcePublic, Tombstone
from api.geo.distance import EARTH_RADIUS_KM, distances_from
from api.search.conditions import (
    CONFIDENTIAL,
    RESOURCE_CHANGED_AT,
    SECRET,
    dialect_of,
    near_condition,
    pg_point,
    resource_conditions,
)
from api.search.nearby_index import nearby_index, serves
from api.search.query import ResourceQuery, SortKey
from api.search.results import Hit, KnownAreas, Placed, place, public_point, publish_resources
from api.search.tombstones import with_tombstones
from api.settings import Settings

__all__ = [
    "CHUNK",
    "Row",
    "cut",
    "iter_listings",
    "iter_resources",
    "measure",
    "place_resources",
    "rank",
    "search_resources",
]

AnySelect = Select[*tuple[Any, ...]]

_RESOURCE_PAGE = Page[ResourcePublic | Tombstone]
"""Made once: pydantic builds a new class on every subscription otherwise."""
_HALF_CIRCUMFERENCE_KM = math.pi * EARTH_RADIUS_KM
_FIRST_RADIUS_KM = 2.0
CHUNK = 200
"""Items published at a time when every match is read."""


class Row(NamedTuple):
    id: int
    location_id: int
    latitude: float
    longitude: float
    confidential: bool
    hours: str | None


def search_resources(
    session: Session, query: ResourceQuery, *, now: datetime, settings: Settings
) -> Page[ResourcePublic | Tombstone]:
    """A page of matches; with ``include_retired``, retired ones as tombstones."""
    areas = KnownAreas(session=session)
    hits, total = rank(
        session, query, now, settings, window=(query.offset, query.per_page), areas=areas
    )
    items = _publish(session, query, hits, now, settings, areas)
    return _RESOURCE_PAGE.of(items, total=total, page=query.page, per_page=query.per_page)


def iter_listings(
    session: Session, query: ResourceQuery, *, now: datetime, settings: Settings
) -> Iterator[ResourcePublic | Tombstone]:
    """Every match, in order, loaded a chunk at a time (pagination is ignored); with
    ``include_retired``, retired ones as tombstones."""
    areas = KnownAreas(session=session)
    hits, _ = rank(session, query, now, settings, window=None, areas=areas)
    for start in range(0, len(hits), CHUNK):
        yield from _publish(session, query, hits[start : start + CHUNK], now, settings, areas)


def iter_resources(
    session: Session, query: ResourceQuery, *, now: datetime, settings: Settings
) -> Iterator[ResourcePublic]:
    """Every live match, in order, loaded a chunk at a time (pagination and
    ``include_retired`` are ignored)."""
    areas = KnownAreas(session=session)
    live = replace(query, include_retired=False, sort=query.order)
    hits, _ = rank(session, live, now, settings, window=None, areas=areas)
    for start in range(0, len(hits), CHUNK):
        yield from publish_resources(session, hits[start : start + CHUNK], now, settings, areas)


def _publish(
    session: Session,
    query: ResourceQuery,
    hits: Sequence[Hit],
    now: datetime,
    settings: Settings,
    areas: KnownAreas,
) -> list[ResourcePublic | Tombstone]:
    def publish(live: Sequence[Hit]) -> list[ResourcePublic]:
        return publish_resources(session, live, now, settings, areas)

    if query.include_retired:
        return with_tombstones(session, "resource", hits, publish)
    return list(publish(hits))


def place_resources(
    session: Session, query: ResourceQuery, *, now: datetime, settings: Settings
) -> list[Placed]:
    """Every match, in order, at its public point with its category and name: what a map
    draws, without publishing each resource in full (pagination is ignored)."""
    areas = KnownAreas(session=session)
    hits, _ = rank(session, query, now, settings, window=None, areas=areas)
    return place(session, [hit.id for hit in hits], areas)


def rank(
    session: Session,
    query: ResourceQuery,
    now: datetime,
    settings: Settings | None,
    *,
    window: tuple[int, int] | None,
    areas: KnownAreas,
) -> tuple[list[Hit], int]:
    """The hits in ``window`` (offset, limit; every hit when ``None``) and the total."""
    if serves(query) and (index := nearby_index(session)) is not None:
        return index.rank(query, window)
    dialect = dialect_of(session)
    conditions = resource_conditions(query, now, session)
    order = query.order
    near = query.near
    if near is None or (query.radius_km is None and order != "distance"):
        if not query.open_now:
            total = session.execute(_count(conditions)).scalar_one()
            statement = _ordered(_rows(conditions, order), order, dialect)
            if window is not None:
                statement = statement.offset(window[0]).limit(window[1])
            rows = [Row(*row[:6]) for row in session.execute(statement)]
            return measure(rows, near, areas), total
        hits = _within(session, conditions, None, None, order, areas, (now, settings))
        return cut(hits, window), len(hits)
    open_at = (now, settings) if query.open_now else None
    # A retired listing matches whatever its languages (as a tombstone): no narrowing then.
    languages = () if query.include_retired else query.languages
    if query.radius_km is not None or query.open_now:
        hits = _within(
            session, conditions, near, query.radius_km, order, areas, open_at, languages=languages
        )
        return cut(hits, window), len(hits)
    total = session.execute(_count(conditions)).scalar_one()
    needed = total if window is None else min(total, window[0] + window[1])
    if window is not None and window[0] >= total:
        return [], total
    radius = _first_radius(session, conditions, near, needed, dialect)
    while True:
        hits = _within(session, conditions, near, radius, order, areas, languages=languages)
        if radius is None or len(hits) >= needed:
            return cut(hits, window), total
        # Hits grow with the area searched: aim past the count needed, at least doubling.
        growth = min(16.0, max(2.0, 1.5 * math.sqrt(needed / max(len(hits), 1))))
        radius = radius * growth if radius * growth < _HALF_CIRCUMFERENCE_KM else None


def cut(hits: list[Hit], window: tuple[int, int] | None) -> list[Hit]:
    return hits if window is None else hits[window[0] : window[0] + window[1]]


def measure(rows: Sequence[Row], near: tuple[float, float] | None, areas: KnownAreas) -> list[Hit]:
    """Each row's hit, with its distance from ``near`` measured at its public point."""
    if near is None:
        return [Hit(row.id, None) for row in rows]
    known = areas.of(row.location_id for row in rows if row.confidential)
    distance_to = distances_from(*near)
    hits = []
    for row in rows:
        if row.confidential:
            point = public_point(row.latitude, row.longitude, True, known[row.location_id])
        else:
            point = (row.latitude, row.longitude)
        hits.append(Hit(row.id, distance_to(*point)))
    return hits


def _within(
    session: Session,
    conditions: list[ColumnElement[bool]],
    near: tuple[float, float] | None,
    radius_km: float | None,
    order: SortKey,
    areas: KnownAreas,
    open_at: tuple[datetime, Settings | None] | None = None,
    *,
    languages: Sequence[str] = (),
) -> list[Hit]:
    """Every hit within ``radius_km`` of ``near`` (anywhere when ``None``), in order, and
    open at ``open_at``'s moment when given. ``languages``: the search's own language filter
    (among ``conditions``), which the index may narrow by too."""
    dialect = dialect_of(session)
    if radius_km is None or near is None:
        statement = _rows(conditions, order)
    else:
        nearby = near_condition(near, radius_km, dialect, languages)
        indexed = _rows([*conditions, not_(CONFIDENTIAL), nearby], order)
        secret = _rows([*conditions, SECRET], order)
        statement = select(union_all(indexed, secret).subquery())
    if order != "distance":  # distance is ranked below, in Python
        statement = _ordered(statement, order, dialect)
    rows = [Row(*row[:6]) for row in session.execute(statement)]
    if open_at is not None:
        rows = _open(rows, *open_at)
    hits = measure(rows, near, areas)
    if radius_km is not None:
        hits = [hit for hit in hits if hit.distance_km is not None and hit.distance_km <= radius_km]
    if order == "distance":
        hits.sort(key=lambda hit: (hit.distance_km, hit.id))
    return hits


def _first_radius(
    session: Session,
    conditions: list[ColumnElement[bool]],
    near: tuple[float, float],
    needed: int,
    dialect: str,
) -> float | None:
    """A radius likely to hold ``needed`` hits; ``None`` means the whole Earth."""
    if needed == 0 or dialect != "postgresql":
        return _FIRST_RADIUS_KM
    point = pg_point(near)
    kth = session.execute(
        _rows([*conditions, not_(CONFIDENTIAL)], "distance")
        .with_only_columns(
            func.ST_Distance(literal_column("location.geog"), point, false()).label("metres")
        )
        .order_by(literal_column("location.geog").op("<->")(point))
        .offset(needed - 1)
        .limit(1)
    ).scalar()
    if kth is None:
        return None
    radius = float(kth) / 1000 * (1 + 1e-6) + 0.001
    return radius if radius < _HALF_CIRCUMFERENCE_KM else None


def _open(rows: list[Row], now: datetime, settings: Settings | None) -> list[Row]:
    if settings is None:
        raise ValueError("open_now needs the settings' time zone")
    zone = settings.zone
    return [row for row in rows if is_open_now(row.hours, now, zone) is True]


def _rows(conditions: Sequence[ColumnElement[bool]], order: SortKey) -> AnySelect:
    """The columns of ``Row``, and the one ``order`` sorts on in SQL: a dense search reads
    thousands of rows, so none is read (or converted) that the ranking does not use."""
    sort_key: dict[str, list[Any]] = {
        "name": [col(Resource.name)],
        "verified": [col(Resource.verified_at)],
        "updated": [RESOURCE_CHANGED_AT.label("changed_at")],
    }
    return (
        select(
            col(Resource.id),
            col(Resource.location_id),
            col(Location.latitude),
            col(Location.longitude),
            CONFIDENTIAL,
            col(Resource.hours),
            *sort_key.get(order, []),
        )
        .join(Location, col(Location.id) == col(Resource.location_id))
        .where(*conditions)
    )


def _count(conditions: Sequence[ColumnElement[bool]]) -> AnySelect:
    return (
        select(func.count(col(Resource.id)))
        .join(Location, col(Location.id) == col(Resource.location_id))
        .where(*conditions)
    )


def _ordered(statement: AnySelect, order: SortKey, dialect: str) -> AnySelect:
    """Order rows by name or verification in SQL; distance is ranked in Python."""
    columns = statement.selected_columns
    if order == "name":
        name = columns["name"]
        if dialect == "postgresql":
            # Byte order on both databases: lower-case ASCII, then code points.
            key: ColumnElement[Any] = func.lower(name.collate("C")).collate("C")
        else:
            key = func.lower(name)
        return statement.order_by(key, columns["id"])
    if order == "verified":
        return statement.order_by(columns["verified_at"].desc().nulls_last(), columns["id"])
    if order == "updated":
        return statement.order_by(columns["changed_at"].desc(), columns["id"].desc())
    return statement.order_by(columns["id"])
