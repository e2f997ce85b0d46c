"""The one place filters become SQL: language, area, category, distance, text, opening hours.

Filters combine with AND; the values of one filter with OR. Results are ranked by distance
when a point is given (unless another ``sort`` is asked for), else by name; ties fall to the
lower id. Distances are great-circle (``api.geo.distance.great_circle_km``), and the order
and distances always equal what a scan of every row would give:

* With a radius, the spatial index narrows rows to a box around the circle (SQLite: the
  ``location_rtree`` R*Tree; PostgreSQL: ``ST_DWithin`` on the ``geog`` column's GiST index)
  and each candidate's exact distance decides.
* Without a radius, ranking has no cap: the search looks within a radius that holds enough
  rows for the page asked for (on PostgreSQL, read off a KNN ``<->`` scan; on SQLite, grown
  fourfold until it does), so every row nearer than the page's last is provably found.
* Confidential locations are ranked and shown at their public point (see ``api.directory.schemas``),
  never their true one, so they are gathered apart (a small partial index) and measured
  in Python.

``open_now`` is decided in Python from the weekly hours (``api.directory.hours``) in the region's
time zone, so a search using it reads every other match.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    Select,
    and_,
    column,
    exists,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session
from sqlmodel import col

from api.db.models import (
    Area,
    Event,
    EventLanguage,
    Location,
    LocationArea,
    Resource,
    ResourceLanguage,
    ResourceStatus,
)
from api.directory.hours import is_open_now
from api.directory.languages import language_name
from api.directory.schemas import EventPublic, FacetCount, Page, ResourceDetail, ResourcePublic
from api.geo.distance import EARTH_RADIUS_KM, bounding_box, distances_from
from api.search.query import (
    EventQuery,
    Facet,
    ResourceQuery,
    SortKey,
)
from api.search.results import (
    Hit,
    Placed,
    place,
    public_points,
    publish_events,
    publish_resources,
)
from api.search.text import search_terms, text_match
from api.settings import Settings

__all__ = [
    "facet_counts",
    "get_resource",
    "iter_events",
    "iter_resources",
    "place_resources",
    "search_events",
    "search_resources",
]

AnySelect = Select[*tuple[Any, ...]]

_CONFIDENTIAL = cast(ColumnElement[bool], Location.confidential)
_SECRET = col(Location.id).in_(
    text("SELECT id FROM location WHERE confidential").columns(column("id", Integer))
)
"""Confidential locations, written so both databases read them off the partial index
``ix_location_confidential`` (``location.confidential = 1`` would scan every row)."""
_RESOURCE_PAGE = Page[ResourcePublic]
_EVENT_PAGE = Page[EventPublic]
"""Made once: pydantic builds a new class on every subscription otherwise."""
_HALF_CIRCUMFERENCE_KM = math.pi * EARTH_RADIUS_KM
_FIRST_RADIUS_KM = 2.0
_CHUNK = 200
_DETAIL_EVENTS = 50


class _Row(NamedTuple):
    id: int
    location_id: int
    latitude: float
    longitude: float
    confidential: bool
    hours: str | None


# --- resources: public interface ----------------------------------------------------------


def search_resources(
    session: Session, query: ResourceQuery, *, now: datetime, settings: Settings
) -> Page[ResourcePublic]:
    hits, total = _rank(session, query, now, settings, window=(query.offset, query.per_page))
    items = publish_resources(session, hits, now, settings)
    return _RESOURCE_PAGE.of(items, total=total, page=query.page, per_page=query.per_page)


def iter_resources(
    session: Session, query: ResourceQuery, *, now: datetime, settings: Settings
) -> Iterator[ResourcePublic]:
    """Every match, in order, loaded a chunk at a time (pagination is ignored)."""
    hits, _ = _rank(session, query, now, settings, window=None)
    for start in range(0, len(hits), _CHUNK):
        yield from publish_resources(session, hits[start : start + _CHUNK], now, settings)


def place_resources(
    session: Session, query: ResourceQuery, *, now: datetime, settings: Settings
) -> list[Placed]:
    """Every match, in order, at its public point with its category and name: what a map
    draws, without publishing each resource in full (pagination is ignored)."""
    hits, _ = _rank(session, query, now, settings, window=None)
    return place(session, [hit.id for hit in hits])


def get_resource(
    session: Session, resource_id: int, *, now: datetime, settings: Settings
) -> ResourceDetail | None:
    """One resource (whatever its status, unless retired) with its upcoming events."""
    found = session.execute(
        select(col(Resource.id)).where(
            col(Resource.id) == resource_id,
            col(Resource.retired_at).is_(None),
        )
    ).first()
    if found is None:
        return None
    (public,) = publish_resources(session, [Hit(resource_id, None)], now, settings)
    events = _events_page(
        session,
        [
            *_event_conditions(EventQuery(), session, now),
            col(Event.location_id) == public.location.id,
        ],
        None,
        now,
        settings,
        window=(0, _DETAIL_EVENTS),
    )[0]
    return ResourceDetail(**dict(public), events=events)


def facet_counts(
    session: Session,
    query: ResourceQuery,
    facet: Facet,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> list[FacetCount]:
    """How many resources match each language, category or area, most first.

    The facet's own filter is left out (the language facet counts every language under the
    other filters given), so a client can show what choosing each value would yield.
    ``settings`` is needed when the query asks for ``open_now``.
    """
    if facet == "language":
        query = replace(query, languages=())
    elif facet == "category":
        query = replace(query, categories=())
    else:
        query = replace(query, areas=())
    now = now or datetime.now(UTC)
    matching = _matching_ids(session, query, now, settings)
    if facet == "language":
        language = select(
            col(ResourceLanguage.code), func.count(col(ResourceLanguage.resource_id).distinct())
        )
        if query.language_support:
            language = language.where(
                col(ResourceLanguage.support).in_([s.value for s in query.language_support])
            )
        rows = _grouped(
            session,
            language,
            col(ResourceLanguage.resource_id),
            matching,
            col(ResourceLanguage.code),
        )
        return _sorted_facets(
            FacetCount(value=code, name=language_name(code), count=count) for code, count in rows
        )
    if facet == "category":
        rows = _grouped(
            session,
            select(col(Resource.category), func.count(col(Resource.id))),
            col(Resource.id),
            matching,
            col(Resource.category),
        )
        return _sorted_facets(
            FacetCount(value=str(category), name=str(category), count=count)
            for category, count in rows
        )
    area = (
        select(
            col(Area.kind), col(Area.code), col(Area.name), func.count(col(Resource.id).distinct())
        )
        .join(LocationArea, col(LocationArea.area_id) == col(Area.id))
        .join(Resource, col(Resource.location_id) == col(LocationArea.location_id))
    )
    rows = _grouped(
        session, area, col(Resource.id), matching, col(Area.kind), col(Area.code), col(Area.name)
    )
    return _sorted_facets(
        FacetCount(value=f"{kind}:{code}", name=name, count=count, kind=kind, code=code)
        for kind, code, name, count in rows
    )


# --- resources: ranking -------------------------------------------------------------------


def _rank(
    session: Session,
    query: ResourceQuery,
    now: datetime,
    settings: Settings | None,
    *,
    window: tuple[int, int] | None,
) -> tuple[list[Hit], int]:
    """The hits in ``window`` (offset, limit; every hit when ``None``) and the total."""
    dialect = _dialect(session)
    conditions = _resource_conditions(query, now, dialect)
    order = query.order
    near = query.near
    if near is None or (query.radius_km is None and order != "distance"):
        if not query.open_now:
            total = session.execute(_count(conditions)).scalar_one()
            statement = _ordered(_rows(conditions, order), order, dialect)
            if window is not None:
                statement = statement.offset(window[0]).limit(window[1])
            rows = [_Row(*row[:6]) for row in session.execute(statement)]
            return _measure(session, rows, near), total
        hits = _within(session, conditions, None, None, order, dialect, (now, settings))
        return _cut(hits, window), len(hits)
    open_at = (now, settings) if query.open_now else None
    if query.radius_km is not None or query.open_now:
        hits = _within(session, conditions, near, query.radius_km, order, dialect, open_at)
        return _cut(hits, window), len(hits)
    total = session.execute(_count(conditions)).scalar_one()
    needed = total if window is None else min(total, window[0] + window[1])
    if window is not None and window[0] >= total:
        return [], total
    radius = _first_radius(session, conditions, near, needed, dialect)
    while True:
        hits = _within(session, conditions, near, radius, order, dialect)
        if radius is None or len(hits) >= needed:
            return _cut(hits, window), total
        # Hits grow with the area searched: aim past the count needed, at least doubling.
        growth = min(16.0, max(2.0, 1.5 * math.sqrt(needed / max(len(hits), 1))))
        radius = radius * growth if radius * growth < _HALF_CIRCUMFERENCE_KM else None


def _cut(hits: list[Hit], window: tuple[int, int] | None) -> list[Hit]:
    return hits if window is None else hits[window[0] : window[0] + window[1]]


def _within(
    session: Session,
    conditions: list[ColumnElement[bool]],
    near: tuple[float, float] | None,
    radius_km: float | None,
    order: SortKey,
    dialect: str,
    open_at: tuple[datetime, Settings | None] | None = None,
) -> list[Hit]:
    """Every hit within ``radius_km`` of ``near`` (anywhere when ``None``), in order, and
    open at ``open_at``'s moment when given."""
    if radius_km is None or near is None:
        statement = _rows(conditions, order)
    else:
        indexed = _rows([*conditions, not_(_CONFIDENTIAL), _near(near, radius_km, dialect)], order)
        secret = _rows([*conditions, _SECRET], order)
        statement = select(union_all(indexed, secret).subquery())
    if order != "distance":  # distance is ranked below, in Python
        statement = _ordered(statement, order, dialect)
    rows = [_Row(*row[:6]) for row in session.execute(statement)]
    if open_at is not None:
        rows = _open(rows, *open_at)
    hits = _measure(session, rows, near)
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
    point = _pg_point(near)
    kth = session.execute(
        _rows([*conditions, not_(_CONFIDENTIAL)], "distance")
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


def _near(near: tuple[float, float], radius_km: float, dialect: str) -> ColumnElement[bool]:
    """A cheap, index-backed condition holding every location within the radius (and a few
    more, which the exact distance then drops)."""
    latitude, longitude = near
    if dialect == "postgresql":
        metres = radius_km * 1000 * (1 + 1e-6) + 1
        # Used bare (not ``IS true``), so the planner can take the GiST index.
        return func.ST_DWithin(
            literal_column("location.geog"), _pg_point(near), metres, false(), type_=Boolean
        )
    box = bounding_box(latitude, longitude, radius_km)
    slack = 1e-5  # R*Tree keeps 32-bit floats, rounded outwards
    boxed = text(
        "SELECT id FROM location_rtree WHERE max_lat >= :box_s AND min_lat <= :box_n"
        " AND max_lon >= :box_w AND min_lon <= :box_e"
    ).bindparams(
        box_s=box.min_lat - slack,
        box_n=box.max_lat + slack,
        box_w=box.min_lon - slack,
        box_e=box.max_lon + slack,
    )
    return col(Location.id).in_(boxed.columns(column("id", Integer)))


def _pg_point(near: tuple[float, float]) -> Any:
    latitude, longitude = near
    return func.ST_SetSRID(func.ST_MakePoint(longitude, latitude), 4326).op("::")(
        literal_column("geography")
    )


def _measure(session: Session, rows: Sequence[_Row], near: tuple[float, float] | None) -> list[Hit]:
    if near is None:
        return [Hit(row.id, None) for row in rows]
    secret = [row.location_id for row in rows if row.confidential]
    centres = public_points(session, secret) if secret else {}
    distance_to = distances_from(*near)
    hits = []
    for row in rows:
        point = centres[row.location_id] if row.confidential else (row.latitude, row.longitude)
        hits.append(Hit(row.id, distance_to(*point)))
    return hits


def _open(rows: list[_Row], now: datetime, settings: Settings | None) -> list[_Row]:
    zone = _zone(settings)
    return [row for row in rows if is_open_now(row.hours, now, zone) is True]


def _zone(settings: Settings | None) -> Any:
    if settings is None:
        raise ValueError("open_now needs the settings' time zone")
    return settings.zone


def _resource_conditions(
    query: ResourceQuery, now: datetime, dialect: str
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        col(Resource.retired_at).is_(None),
        col(Location.retired_at).is_(None),
    ]
    if query.statuses:
        conditions.append(col(Resource.status).in_([s.value for s in query.statuses]))
    if query.categories:
        conditions.append(col(Resource.category).in_([c.value for c in query.categories]))
    if query.languages or query.language_support:
        language = [col(ResourceLanguage.resource_id) == col(Resource.id)]
        if query.languages:
            language.append(col(ResourceLanguage.code).in_(query.languages))
        if query.language_support:
            language.append(
                col(ResourceLanguage.support).in_([s.value for s in query.language_support])
            )
        conditions.append(exists().where(*language))
    if query.areas:
        conditions.append(_in_areas(col(Resource.location_id), query.areas))
    if query.verified_within_days is not None:
        since = now - timedelta(days=query.verified_within_days)
        conditions.append(col(Resource.verified_at) >= since)
    if query.q is not None and (terms := search_terms(query.q)):
        conditions.append(text_match(terms, dialect))
    return conditions


def _in_areas(location_id: Any, areas: Sequence[tuple[str, str]]) -> ColumnElement[bool]:
    return exists().where(
        col(LocationArea.location_id) == location_id,
        col(LocationArea.area_id) == col(Area.id),
        or_(*(and_(col(Area.kind) == kind, col(Area.code) == code) for kind, code in areas)),
    )


def _rows(conditions: Sequence[ColumnElement[bool]], order: SortKey) -> AnySelect:
    """The columns of ``_Row``, and the one ``order`` sorts on in SQL: a dense search reads
    thousands of rows, so none is read (or converted) that the ranking does not use."""
    sort_key: dict[str, list[Any]] = {
        "name": [col(Resource.name)],
        "verified": [col(Resource.verified_at)],
    }
    return (
        select(
            col(Resource.id),
            col(Resource.location_id),
            col(Location.latitude),
            col(Location.longitude),
            _CONFIDENTIAL,
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
    return statement.order_by(columns["id"])


def _matching_ids(
    session: Session, query: ResourceQuery, now: datetime, settings: Settings | None
) -> AnySelect | list[int]:
    """The matching resources' ids: a subquery when SQL alone decides, else a list."""
    if not query.open_now and (query.near is None or query.radius_km is None):
        return (
            select(col(Resource.id))
            .join(
                Location,
                col(Location.id) == col(Resource.location_id),
            )
            .where(*_resource_conditions(query, now, _dialect(session)))
        )
    hits, _ = _rank(session, replace(query, sort="name"), now, settings, window=None)
    return [hit.id for hit in hits]


def _grouped(
    session: Session,
    statement: AnySelect,
    key: Any,
    matching: AnySelect | list[int],
    *group: Any,
) -> list[tuple[Any, ...]]:
    if not isinstance(matching, list):
        return [
            tuple(row)
            for row in session.execute(statement.where(key.in_(matching)).group_by(*group))
        ]
    totals: dict[tuple[Any, ...], int] = {}
    for start in range(0, len(matching), 5000):
        chunk = matching[start : start + 5000]
        for row in session.execute(statement.where(key.in_(chunk)).group_by(*group)):
            totals[tuple(row[:-1])] = totals.get(tuple(row[:-1]), 0) + int(row[-1])
    return [(*values, count) for values, count in totals.items()]


def _sorted_facets(counts: Any) -> list[FacetCount]:
    return sorted(counts, key=lambda facet: (-facet.count, facet.value))


# --- events -------------------------------------------------------------------------------


def search_events(
    session: Session, query: EventQuery, *, now: datetime, settings: Settings
) -> Page[EventPublic]:
    conditions = _event_conditions(query, session, now)
    window = ((query.page - 1) * query.per_page, query.per_page)
    items, total = _events_page(session, conditions, query, now, settings, window=window)
    return _EVENT_PAGE.of(items, total=total, page=query.page, per_page=query.per_page)


def iter_events(
    session: Session, query: EventQuery, *, now: datetime, settings: Settings
) -> Iterator[EventPublic]:
    """Every matching event, soonest first (pagination is ignored)."""
    conditions = _event_conditions(query, session, now)
    hits = _event_hits(session, conditions, query)
    for start in range(0, len(hits), _CHUNK):
        yield from publish_events(session, hits[start : start + _CHUNK], settings)


def _event_conditions(
    query: EventQuery, session: Session, now: datetime
) -> list[ColumnElement[bool]]:
    starts_from = query.starts_from or now
    conditions: list[ColumnElement[bool]] = [
        col(Event.retired_at).is_(None),
        col(Location.retired_at).is_(None),
        func.coalesce(col(Event.ends_at), col(Event.starts_at)) >= starts_from,
    ]
    if query.starts_to is not None:
        conditions.append(col(Event.starts_at) < query.starts_to)
    if query.statuses:
        conditions.append(col(Event.status).in_([s.value for s in query.statuses]))
    venue = [
        col(Resource.location_id) == col(Event.location_id),
        col(Resource.retired_at).is_(None),
        col(Resource.status) == ResourceStatus.ACTIVE.value,
    ]
    if query.categories:
        conditions.append(
            exists().where(*venue, col(Resource.category).in_([c.value for c in query.categories]))
        )
    if query.languages:
        conditions.append(
            or_(
                exists().where(
                    col(EventLanguage.event_id) == col(Event.id),
                    col(EventLanguage.code).in_(query.languages),
                ),
                exists().where(
                    *venue,
                    col(ResourceLanguage.resource_id) == col(Resource.id),
                    col(ResourceLanguage.code).in_(query.languages),
                ),
            )
        )
    if query.areas:
        conditions.append(_in_areas(col(Event.location_id), query.areas))
    if query.near is not None and query.radius_km is not None:
        dialect = _dialect(session)
        conditions.append(or_(_SECRET, _near(query.near, query.radius_km, dialect)))
    return conditions


def _event_rows(conditions: Sequence[ColumnElement[bool]]) -> AnySelect:
    return (
        select(
            col(Event.id),
            col(Event.location_id),
            col(Location.latitude),
            col(Location.longitude),
            _CONFIDENTIAL,
        )
        .join(Location, col(Location.id) == col(Event.location_id))
        .where(*conditions)
        .order_by(col(Event.starts_at), col(Event.id))
    )


def _event_hits(
    session: Session, conditions: Sequence[ColumnElement[bool]], query: EventQuery | None
) -> list[Hit]:
    rows = [
        _Row(row[0], row[1], row[2], row[3], row[4], None)
        for row in session.execute(_event_rows(conditions))
    ]
    near = query.near if query is not None else None
    hits = _measure(session, rows, near)
    if query is not None and query.radius_km is not None:
        hits = [h for h in hits if h.distance_km is not None and h.distance_km <= query.radius_km]
    return hits


def _events_page(
    session: Session,
    conditions: list[ColumnElement[bool]],
    query: EventQuery | None,
    now: datetime,
    settings: Settings,
    *,
    window: tuple[int, int],
) -> tuple[list[EventPublic], int]:
    if query is None or query.radius_km is None:
        total = session.execute(
            select(func.count(col(Event.id)))
            .join(Location, col(Location.id) == col(Event.location_id))
            .where(*conditions)
        ).scalar_one()
        statement = _event_rows(conditions).offset(window[0]).limit(window[1])
        rows = [
            _Row(row[0], row[1], row[2], row[3], row[4], None) for row in session.execute(statement)
        ]
        hits = _measure(session, rows, query.near if query is not None else None)
    else:
        hits = _event_hits(session, conditions, query)
        total = len(hits)
        hits = _cut(hits, window)
    return publish_events(session, hits, settings), total


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name
