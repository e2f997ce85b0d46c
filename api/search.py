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
* Confidential locations are ranked and shown at their public point (see ``api.schemas``),
  never their true one, so they are gathered apart (a small partial index) and measured
  in Python.

``open_now`` is decided in Python from the weekly hours (``api.hours``) in the region's
time zone, so a search using it reads every other match.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, NamedTuple, get_args

from sqlalchemy import (
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

from api.geo.distance import EARTH_RADIUS_KM, bounding_box, great_circle_km
from api.geo.geocoding import GeocodeUnavailable, geocode, geocoder_name
from api.hours import is_open_now
from api.languages import UnknownLanguage, language_name, normalize_language
from api.models import (
    Area,
    Category,
    Event,
    EventLanguage,
    EventStatus,
    Location,
    LocationArea,
    Organization,
    Precision,
    Resource,
    ResourceLanguage,
    ResourceStatus,
    Support,
)
from api.problems import InvalidParam, Problem, invalid
from api.schemas import (
    AreaPublic,
    EventPublic,
    FacetCount,
    LanguagePublic,
    LocationPublic,
    NextEvent,
    OrganizationSummary,
    Page,
    ResourceDetail,
    ResourcePublic,
)
from api.search_index import MAX_TERMS, search_terms, text_match
from api.settings import Settings

__all__ = [
    "DEFAULT_PER_PAGE",
    "MAX_PER_PAGE",
    "MAX_RADIUS_KM",
    "EventQuery",
    "Facet",
    "ResourceQuery",
    "SortKey",
    "event_query_from_params",
    "facet_counts",
    "get_resource",
    "iter_events",
    "iter_resources",
    "public_point",
    "resource_query_from_params",
    "search_events",
    "search_resources",
]

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_RADIUS_KM = 200.0
MAX_VALUES = 20
"""Most values one repeated parameter may carry."""
MAX_Q_LENGTH = 200

SortKey = Literal["distance", "name", "verified"]
Facet = Literal["language", "category", "area"]

_HALF_CIRCUMFERENCE_KM = math.pi * EARTH_RADIUS_KM
_FIRST_RADIUS_KM = 2.0
_CHUNK = 200
_DETAIL_EVENTS = 50


@dataclass(frozen=True, kw_only=True)
class ResourceQuery:
    categories: tuple[Category, ...] = ()
    """Any of these categories (all when empty)."""
    languages: tuple[str, ...] = ()
    """Canonical language codes; a resource offering any of them matches."""
    language_support: tuple[Support, ...] = ()
    """How a language must be offered (any way when empty)."""
    areas: tuple[tuple[str, str], ...] = ()
    """``(kind, code)`` pairs; a resource in any of them matches."""
    near: tuple[float, float] | None = None
    """``(latitude, longitude)`` to measure from."""
    radius_km: float | None = None
    """Only resources this close to ``near``; no cap when ``None``."""
    q: str | None = None
    """Words that must all appear (as prefixes) in the resource's text."""
    open_now: bool = False
    """Only resources whose weekly hours say they are open at ``now``."""
    verified_within_days: int | None = None
    statuses: tuple[ResourceStatus, ...] = (ResourceStatus.ACTIVE,)
    sort: SortKey | None = None
    """``None``: by distance when ``near`` is given, else by name."""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def order(self) -> SortKey:
        return self.sort or ("distance" if self.near is not None else "name")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True, kw_only=True)
class EventQuery:
    """Events that have not ended by ``starts_from`` (now when ``None``) and start before
    ``starts_to``, soonest first. The venue filters apply to the event's location: an
    event matches a language it lists itself or one a resource at its venue offers, and a
    category of a resource at its venue."""

    starts_from: datetime | None = None
    starts_to: datetime | None = None
    statuses: tuple[EventStatus, ...] = tuple(EventStatus)
    categories: tuple[Category, ...] = ()
    languages: tuple[str, ...] = ()
    areas: tuple[tuple[str, str], ...] = ()
    near: tuple[float, float] | None = None
    radius_km: float | None = None
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE


class _Row(NamedTuple):
    id: int
    location_id: int
    latitude: float
    longitude: float
    confidential: bool
    hours: str | None


class _Hit(NamedTuple):
    id: int
    distance_km: float | None


# --- resources: public interface ----------------------------------------------------------


def search_resources(
    session: Session, query: ResourceQuery, *, now: datetime, settings: Settings
) -> Page[ResourcePublic]:
    hits, total = _rank(session, query, now, settings, window=(query.offset, query.per_page))
    items = _publish(session, hits, now, settings)
    return Page[ResourcePublic].of(items, total=total, page=query.page, per_page=query.per_page)


def iter_resources(
    session: Session, query: ResourceQuery, *, now: datetime, settings: Settings
) -> Iterator[ResourcePublic]:
    """Every match, in order, loaded a chunk at a time (pagination is ignored)."""
    hits, _ = _rank(session, query, now, settings, window=None)
    for start in range(0, len(hits), _CHUNK):
        yield from _publish(session, hits[start : start + _CHUNK], now, settings)


def get_resource(
    session: Session, resource_id: int, *, now: datetime, settings: Settings
) -> ResourceDetail | None:
    """One resource (whatever its status, unless retired) with its upcoming events."""
    found = session.execute(
        select(Resource.id).where(
            Resource.id == resource_id,
            Resource.retired_at.is_(None),  # type: ignore[union-attr]
        )
    ).first()
    if found is None:
        return None
    (public,) = _publish(session, [_Hit(resource_id, None)], now, settings)
    events = _events_page(
        session,
        [*_event_conditions(EventQuery(), session, now), Event.location_id == public.location.id],
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
            ResourceLanguage.code, func.count(ResourceLanguage.resource_id.distinct())
        )
        if query.language_support:
            language = language.where(
                ResourceLanguage.support.in_([s.value for s in query.language_support])  # type: ignore[attr-defined]
            )
        rows = _grouped(
            session, language, ResourceLanguage.resource_id, matching, ResourceLanguage.code
        )
        return _sorted_facets(
            FacetCount(value=code, name=language_name(code), count=count) for code, count in rows
        )
    if facet == "category":
        rows = _grouped(
            session,
            select(Resource.category, func.count(Resource.id)),
            Resource.id,
            matching,
            Resource.category,
        )
        return _sorted_facets(
            FacetCount(value=str(category), name=str(category), count=count)
            for category, count in rows
        )
    area = (
        select(Area.kind, Area.code, Area.name, func.count(Resource.id.distinct()))  # type: ignore[union-attr]
        .join(LocationArea, LocationArea.area_id == Area.id)  # type: ignore[arg-type]
        .join(Resource, Resource.location_id == LocationArea.location_id)  # type: ignore[arg-type]
    )
    rows = _grouped(session, area, Resource.id, matching, Area.kind, Area.code, Area.name)
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
) -> tuple[list[_Hit], int]:
    """The hits in ``window`` (offset, limit; every hit when ``None``) and the total."""
    dialect = _dialect(session)
    conditions = _resource_conditions(query, now, dialect)
    order = query.order
    near = query.near
    if near is None or (query.radius_km is None and order != "distance"):
        if not query.open_now:
            total = session.execute(_count(conditions)).scalar_one()
            statement = _ordered(_rows(conditions), order, dialect)
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
        radius = radius * 4 if radius * 4 < _HALF_CIRCUMFERENCE_KM else None


def _cut(hits: list[_Hit], window: tuple[int, int] | None) -> list[_Hit]:
    return hits if window is None else hits[window[0] : window[0] + window[1]]


def _within(
    session: Session,
    conditions: list[ColumnElement[bool]],
    near: tuple[float, float] | None,
    radius_km: float | None,
    order: SortKey,
    dialect: str,
    open_at: tuple[datetime, Settings | None] | None = None,
) -> list[_Hit]:
    """Every hit within ``radius_km`` of ``near`` (anywhere when ``None``), in order, and
    open at ``open_at``'s moment when given."""
    if radius_km is None or near is None:
        statement = _rows(conditions)
    else:
        indexed = _rows([*conditions, not_(Location.confidential), _near(near, radius_km, dialect)])
        secret = _rows([*conditions, Location.confidential])
        statement = select(union_all(indexed, secret).subquery())
    rows = [_Row(*row[:6]) for row in session.execute(_ordered(statement, order, dialect))]
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
        _rows([*conditions, not_(Location.confidential)])
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
        return func.ST_DWithin(
            literal_column("location.geog"), _pg_point(near), metres, false()
        ).is_(True)
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
    return Location.id.in_(boxed.columns(column("id", Integer)))  # type: ignore[union-attr]


def _pg_point(near: tuple[float, float]) -> Any:
    latitude, longitude = near
    return func.ST_SetSRID(func.ST_MakePoint(longitude, latitude), 4326).op("::")(
        literal_column("geography")
    )


def _measure(
    session: Session, rows: Sequence[_Row], near: tuple[float, float] | None
) -> list[_Hit]:
    if near is None:
        return [_Hit(row.id, None) for row in rows]
    secret = [row.location_id for row in rows if row.confidential]
    centres = _public_points(session, secret) if secret else {}
    hits = []
    for row in rows:
        point = centres[row.location_id] if row.confidential else (row.latitude, row.longitude)
        hits.append(_Hit(row.id, great_circle_km(near[0], near[1], point[0], point[1])))
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
        Resource.retired_at.is_(None),  # type: ignore[union-attr]
        Location.retired_at.is_(None),  # type: ignore[union-attr]
    ]
    if query.statuses:
        conditions.append(Resource.status.in_([s.value for s in query.statuses]))  # type: ignore[attr-defined]
    if query.categories:
        conditions.append(Resource.category.in_([c.value for c in query.categories]))  # type: ignore[attr-defined]
    if query.languages or query.language_support:
        language = [ResourceLanguage.resource_id == Resource.id]
        if query.languages:
            language.append(ResourceLanguage.code.in_(query.languages))  # type: ignore[attr-defined]
        if query.language_support:
            language.append(
                ResourceLanguage.support.in_([s.value for s in query.language_support])  # type: ignore[attr-defined]
            )
        conditions.append(exists().where(*language))
    if query.areas:
        conditions.append(_in_areas(Resource.location_id, query.areas))
    if query.verified_within_days is not None:
        since = now - timedelta(days=query.verified_within_days)
        conditions.append(Resource.verified_at >= since)  # type: ignore[operator, arg-type]
    if query.q is not None:
        conditions.append(text_match(search_terms(query.q), dialect))
    return conditions


def _in_areas(location_id: Any, areas: Sequence[tuple[str, str]]) -> ColumnElement[bool]:
    return exists().where(
        LocationArea.location_id == location_id,
        LocationArea.area_id == Area.id,
        or_(*(and_(Area.kind == kind, Area.code == code) for kind, code in areas)),
    )


def _rows(conditions: Sequence[ColumnElement[bool]]) -> Select[Any]:
    return (
        select(
            Resource.id,
            Resource.location_id,
            Location.latitude,
            Location.longitude,
            Location.confidential,
            Resource.hours,
            Resource.name,
            Resource.verified_at,
        )
        .join(Location, Location.id == Resource.location_id)  # type: ignore[arg-type]
        .where(*conditions)
    )


def _count(conditions: Sequence[ColumnElement[bool]]) -> Select[Any]:
    return (
        select(func.count(Resource.id))
        .join(Location, Location.id == Resource.location_id)  # type: ignore[arg-type]
        .where(*conditions)
    )


def _ordered(statement: Select[Any], order: SortKey, dialect: str) -> Select[Any]:
    """Order rows by name or verification in SQL; distance is ranked in Python."""
    columns = statement.selected_columns
    if order == "name":
        name = columns["name"]
        if dialect == "postgresql":
            # Byte order on both databases: lower-case ASCII, then code points.
            key = func.lower(name.collate("C")).collate("C")
        else:
            key = func.lower(name)
        return statement.order_by(key, columns["id"])
    if order == "verified":
        return statement.order_by(columns["verified_at"].desc().nulls_last(), columns["id"])
    return statement.order_by(columns["id"])


def _matching_ids(
    session: Session, query: ResourceQuery, now: datetime, settings: Settings | None
) -> Select[Any] | list[int]:
    """The matching resources' ids: a subquery when SQL alone decides, else a list."""
    if not query.open_now and (query.near is None or query.radius_km is None):
        return (
            select(Resource.id)
            .join(
                Location,
                Location.id == Resource.location_id,  # type: ignore[arg-type]
            )
            .where(*_resource_conditions(query, now, _dialect(session)))
        )
    hits, _ = _rank(session, replace(query, sort="name"), now, settings, window=None)
    return [hit.id for hit in hits]


def _grouped(
    session: Session,
    statement: Select[Any],
    key: Any,
    matching: Select[Any] | list[int],
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


# --- shaping results ----------------------------------------------------------------------


def public_point(
    latitude: float, longitude: float, confidential: bool, areas: Sequence[Area]
) -> tuple[float, float]:
    """Where a location is shown: its own point, or for a confidential one the centre of
    its ZIP area, else of its first area by (kind, code), else its point to 2 decimals."""
    if not confidential:
        return latitude, longitude
    ordered = sorted(areas, key=lambda area: (area.kind != "zip", area.kind, area.code))
    if ordered:
        return ordered[0].center_latitude, ordered[0].center_longitude
    return round(latitude, 2), round(longitude, 2)


def _areas_of(session: Session, location_ids: Sequence[int]) -> dict[int, list[Area]]:
    found: dict[int, list[Area]] = {}
    for start in range(0, len(location_ids), 5000):
        chunk = list(location_ids[start : start + 5000])
        statement = (
            select(LocationArea.location_id, Area)
            .join(Area, Area.id == LocationArea.area_id)  # type: ignore[arg-type]
            .where(LocationArea.location_id.in_(chunk))  # type: ignore[attr-defined]
            .order_by(Area.kind, Area.code)
        )
        for location_id, area in session.execute(statement):
            found.setdefault(location_id, []).append(area)
    return found


def _public_points(session: Session, location_ids: Sequence[int]) -> dict[int, tuple[float, float]]:
    ids = sorted(set(location_ids))
    areas = _areas_of(session, ids)
    points: dict[int, tuple[float, float]] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        rows = session.execute(
            select(Location.id, Location.latitude, Location.longitude).where(
                Location.id.in_(chunk)  # type: ignore[union-attr]
            )
        )
        for location_id, latitude, longitude in rows:
            points[location_id] = public_point(
                latitude, longitude, True, areas.get(location_id, [])
            )
    return points


def _location_public(location: Location, areas: Sequence[Area]) -> LocationPublic:
    latitude, longitude = public_point(
        location.latitude, location.longitude, location.confidential, areas
    )
    assert location.id is not None
    return LocationPublic(
        id=location.id,
        name=None if location.confidential else location.name,
        address=None if location.confidential else location.address,
        city=location.city,
        state=location.state,
        postal_code=location.postal_code,
        latitude=latitude,
        longitude=longitude,
        precision=Precision.POSTAL_CODE if location.confidential else location.geocode_precision,
        confidential=location.confidential,
        areas=[AreaPublic(kind=a.kind, code=a.code, name=a.name) for a in areas],
    )


def _organization(organization: Organization | None) -> OrganizationSummary | None:
    if organization is None or organization.id is None or organization.retired_at is not None:
        return None
    return OrganizationSummary(
        id=organization.id,
        name=organization.name,
        website=organization.website,
        kind=organization.kind,
        doj_recognized=organization.doj_recognized,
    )


def _publish(
    session: Session, hits: Sequence[_Hit], now: datetime, settings: Settings
) -> list[ResourcePublic]:
    if not hits:
        return []
    ids = [hit.id for hit in hits]
    loaded = {
        resource.id: (resource, location, organization)
        for resource, location, organization in session.execute(
            select(Resource, Location, Organization)
            .join(Location, Location.id == Resource.location_id)  # type: ignore[arg-type]
            .outerjoin(Organization, Organization.id == Resource.organization_id)  # type: ignore[arg-type]
            .where(Resource.id.in_(ids))  # type: ignore[union-attr]
        )
    }
    location_ids = sorted({location.id for _, location, _ in loaded.values() if location.id})
    areas = _areas_of(session, location_ids)
    languages: dict[int, list[LanguagePublic]] = {}
    for language in session.execute(
        select(ResourceLanguage)
        .where(ResourceLanguage.resource_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(ResourceLanguage.resource_id, ResourceLanguage.code)
    ).scalars():
        languages.setdefault(language.resource_id, []).append(
            LanguagePublic(
                code=language.code, name=language_name(language.code), support=language.support
            )
        )
    next_events = _next_events(session, location_ids, now)
    zone = settings.zone
    items = []
    for hit in hits:
        resource, location, organization = loaded[hit.id]
        assert resource.id is not None and location.id is not None
        items.append(
            ResourcePublic(
                id=resource.id,
                external_id=resource.external_id,
                name=resource.name,
                category=resource.category,
                description=resource.description,
                services=resource.services,
                organization=_organization(organization),
                location=_location_public(location, areas.get(location.id, [])),
                distance_km=None if hit.distance_km is None else round(hit.distance_km, 2),
                languages=languages.get(resource.id, []),
                phone=resource.phone,
                website=resource.website,
                email=resource.email,
                hours=resource.hours,
                open_now=is_open_now(resource.hours, now, zone),
                fees=resource.fees,
                eligibility=resource.eligibility,
                verified_at=resource.verified_at,
                source_url=resource.source_url,
                status=resource.status,
                next_event=next_events.get(location.id),
                updated_at=resource.updated_at,
            )
        )
    return items


def _next_events(
    session: Session, location_ids: Sequence[int], now: datetime
) -> dict[int, NextEvent]:
    found: dict[int, NextEvent] = {}
    if not location_ids:
        return found
    statement = (
        select(Event.location_id, Event.id, Event.title, Event.starts_at)
        .where(
            Event.location_id.in_(location_ids),  # type: ignore[union-attr]
            Event.status == EventStatus.SCHEDULED.value,
            Event.starts_at >= now,
            Event.retired_at.is_(None),  # type: ignore[union-attr]
        )
        .order_by(Event.location_id, Event.starts_at, Event.id)
    )
    for location_id, event_id, title, starts_at in session.execute(statement):
        if location_id not in found:
            found[location_id] = NextEvent(id=event_id, title=title, starts_at=starts_at)
    return found


# --- events -------------------------------------------------------------------------------


def search_events(
    session: Session, query: EventQuery, *, now: datetime, settings: Settings
) -> Page[EventPublic]:
    conditions = _event_conditions(query, session, now)
    window = ((query.page - 1) * query.per_page, query.per_page)
    items, total = _events_page(session, conditions, query, now, settings, window=window)
    return Page[EventPublic].of(items, total=total, page=query.page, per_page=query.per_page)


def iter_events(
    session: Session, query: EventQuery, *, now: datetime, settings: Settings
) -> Iterator[EventPublic]:
    """Every matching event, soonest first (pagination is ignored)."""
    conditions = _event_conditions(query, session, now)
    hits = _event_hits(session, conditions, query)
    for start in range(0, len(hits), _CHUNK):
        yield from _publish_events(session, hits[start : start + _CHUNK], settings)


def _event_conditions(
    query: EventQuery, session: Session, now: datetime
) -> list[ColumnElement[bool]]:
    starts_from = query.starts_from or now
    conditions: list[ColumnElement[bool]] = [
        Event.retired_at.is_(None),  # type: ignore[union-attr]
        Location.retired_at.is_(None),  # type: ignore[union-attr]
        func.coalesce(Event.ends_at, Event.starts_at) >= starts_from,
    ]
    if query.starts_to is not None:
        conditions.append(Event.starts_at < query.starts_to)  # type: ignore[arg-type]
    if query.statuses:
        conditions.append(Event.status.in_([s.value for s in query.statuses]))  # type: ignore[attr-defined]
    venue = [
        Resource.location_id == Event.location_id,
        Resource.retired_at.is_(None),  # type: ignore[union-attr]
        Resource.status == ResourceStatus.ACTIVE.value,
    ]
    if query.categories:
        conditions.append(
            exists().where(*venue, Resource.category.in_([c.value for c in query.categories]))  # type: ignore[attr-defined]
        )
    if query.languages:
        conditions.append(
            or_(
                exists().where(
                    EventLanguage.event_id == Event.id,
                    EventLanguage.code.in_(query.languages),  # type: ignore[attr-defined]
                ),
                exists().where(
                    *venue,
                    ResourceLanguage.resource_id == Resource.id,
                    ResourceLanguage.code.in_(query.languages),  # type: ignore[attr-defined]
                ),
            )
        )
    if query.areas:
        conditions.append(_in_areas(Event.location_id, query.areas))
    if query.near is not None and query.radius_km is not None:
        dialect = _dialect(session)
        conditions.append(or_(Location.confidential, _near(query.near, query.radius_km, dialect)))
    return conditions


def _event_rows(conditions: Sequence[ColumnElement[bool]]) -> Select[Any]:
    return (
        select(
            Event.id,
            Event.location_id,
            Location.latitude,
            Location.longitude,
            Location.confidential,
        )
        .join(Location, Location.id == Event.location_id)  # type: ignore[arg-type]
        .where(*conditions)
        .order_by(Event.starts_at, Event.id)
    )


def _event_hits(
    session: Session, conditions: Sequence[ColumnElement[bool]], query: EventQuery | None
) -> list[_Hit]:
    rows = [_Row(*row, None) for row in session.execute(_event_rows(conditions))]
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
            select(func.count(Event.id))
            .join(Location, Location.id == Event.location_id)  # type: ignore[arg-type]
            .where(*conditions)
        ).scalar_one()
        statement = _event_rows(conditions).offset(window[0]).limit(window[1])
        rows = [_Row(*row, None) for row in session.execute(statement)]
        hits = _measure(session, rows, query.near if query is not None else None)
    else:
        hits = _event_hits(session, conditions, query)
        total = len(hits)
        hits = _cut(hits, window)
    return _publish_events(session, hits, settings), total


def _publish_events(
    session: Session, hits: Sequence[_Hit], settings: Settings
) -> list[EventPublic]:
    if not hits:
        return []
    ids = [hit.id for hit in hits]
    loaded = {
        event.id: (event, location, organization)
        for event, location, organization in session.execute(
            select(Event, Location, Organization)
            .join(Location, Location.id == Event.location_id)  # type: ignore[arg-type]
            .outerjoin(Organization, Organization.id == Event.organization_id)  # type: ignore[arg-type]
            .where(Event.id.in_(ids))  # type: ignore[union-attr]
        )
    }
    areas = _areas_of(
        session, sorted({location.id for _, location, _ in loaded.values() if location.id})
    )
    languages: dict[int, list[LanguagePublic]] = {}
    for language in session.execute(
        select(EventLanguage)
        .where(EventLanguage.event_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(EventLanguage.event_id, EventLanguage.code)
    ).scalars():
        languages.setdefault(language.event_id, []).append(
            LanguagePublic(code=language.code, name=language_name(language.code))
        )
    items = []
    for hit in hits:
        event, location, organization = loaded[hit.id]
        assert event.id is not None and location.id is not None
        items.append(
            EventPublic(
                id=event.id,
                external_id=event.external_id,
                title=event.title,
                description=event.description,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                status=event.status,
                source_url=event.source_url,
                organization=_organization(organization),
                location=_location_public(location, areas.get(location.id, [])),
                distance_km=None if hit.distance_km is None else round(hit.distance_km, 2),
                languages=languages.get(event.id, []),
                updated_at=event.updated_at,
            )
        )
    return items


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# --- parameters ---------------------------------------------------------------------------

Raw = str | int | float | bool | None


def resource_query_from_params(
    session: Session,
    *,
    settings: Settings,
    category: Sequence[str] = (),
    language: Sequence[str] = (),
    language_support: Sequence[str] = (),
    area: Sequence[str] = (),
    near: str | None = None,
    address: str | None = None,
    radius_km: Raw = None,
    q: str | None = None,
    open_now: Raw = None,
    verified_within_days: Raw = None,
    status: Sequence[str] = (),
    sort: str | None = None,
    page: Raw = None,
    per_page: Raw = None,
) -> ResourceQuery:
    """A query from request parameters as given, or a 400 problem naming each bad one.

    ``address`` is geocoded through the configured geocoder (and its cache): 503 when the
    geocoder cannot be reached, 422 naming ``address`` when it finds no such place.
    """
    errors: list[InvalidParam] = []
    point = _parse_point(errors, near, address, radius_km)
    radius = _parse_radius(errors, radius_km)
    parsed_sort = _parse_sort(errors, sort, has_point=near is not None or address is not None)
    query = ResourceQuery(
        categories=_parse_enums(errors, "category", category, Category),
        languages=_parse_languages(errors, language),
        language_support=_parse_enums(errors, "language_support", language_support, Support),
        areas=_parse_areas(errors, session, area),
        radius_km=radius,
        q=_parse_q(errors, q),
        open_now=_parse_bool(errors, "open_now", open_now),
        verified_within_days=_parse_int(
            errors, "verified_within_days", verified_within_days, 1, 36500
        ),
        statuses=_parse_enums(errors, "status", status, ResourceStatus) or (ResourceStatus.ACTIVE,),
        sort=parsed_sort,
        page=_parse_int(errors, "page", page, 1, 1_000_000) or 1,
        per_page=_parse_int(errors, "per_page", per_page, 1, MAX_PER_PAGE) or DEFAULT_PER_PAGE,
    )
    if errors:
        raise invalid(errors)
    if point is None and address is not None:
        point = _geocode(session, settings, address)
    return replace(query, near=point)


def event_query_from_params(
    session: Session,
    *,
    settings: Settings,
    from_: str | None = None,
    to: str | None = None,
    status: Sequence[str] = (),
    category: Sequence[str] = (),
    language: Sequence[str] = (),
    area: Sequence[str] = (),
    near: str | None = None,
    address: str | None = None,
    radius_km: Raw = None,
    page: Raw = None,
    per_page: Raw = None,
) -> EventQuery:
    """An event query from request parameters; ``from``/``to`` take an ISO 8601 date or
    date-time (a date or a time without offset is read in the region's time zone; ``to`` as
    a date includes that whole day)."""
    errors: list[InvalidParam] = []
    point = _parse_point(errors, near, address, radius_km)
    query = EventQuery(
        starts_from=_parse_when(errors, "from", from_, settings, end_of_day=False),
        starts_to=_parse_when(errors, "to", to, settings, end_of_day=True),
        statuses=_parse_enums(errors, "status", status, EventStatus) or tuple(EventStatus),
        categories=_parse_enums(errors, "category", category, Category),
        languages=_parse_languages(errors, language),
        areas=_parse_areas(errors, session, area),
        radius_km=_parse_radius(errors, radius_km),
        page=_parse_int(errors, "page", page, 1, 1_000_000) or 1,
        per_page=_parse_int(errors, "per_page", per_page, 1, MAX_PER_PAGE) or DEFAULT_PER_PAGE,
    )
    if (
        query.starts_from is not None
        and query.starts_to is not None
        and query.starts_to <= query.starts_from
    ):
        errors.append({"name": "to", "reason": "must be later than 'from'"})
    if errors:
        raise invalid(errors)
    if point is None and address is not None:
        point = _geocode(session, settings, address)
    return replace(query, near=point)


def _parse_enums(errors: list[InvalidParam], name: str, values: Sequence[str], kind: Any) -> Any:
    members = []
    allowed = [member.value for member in kind]
    for value in _values(errors, name, values):
        try:
            member = kind(value.strip().lower())
        except ValueError:
            errors.append(
                {
                    "name": name,
                    "reason": f"unknown value {value!r}; expected one of: {', '.join(allowed)}",
                }
            )
            continue
        if member not in members:
            members.append(member)
    return tuple(members)


def _values(errors: list[InvalidParam], name: str, values: Sequence[str]) -> list[str]:
    if isinstance(values, str):
        values = [values]
    split = [part for value in values for part in value.split(",") if part.strip()]
    if len(split) > MAX_VALUES:
        errors.append({"name": name, "reason": f"at most {MAX_VALUES} values"})
        return []
    return split


def _parse_languages(errors: list[InvalidParam], values: Sequence[str]) -> tuple[str, ...]:
    codes: list[str] = []
    for value in _values(errors, "language", values):
        try:
            code = normalize_language(value)
        except UnknownLanguage as exc:
            errors.append({"name": "language", "reason": str(exc)})
            continue
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _parse_areas(
    errors: list[InvalidParam], session: Session, values: Sequence[str]
) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for value in _values(errors, "area", values):
        kind, sep, code = value.strip().partition(":")
        if not sep or not kind.strip() or not code.strip():
            errors.append(
                {"name": "area", "reason": f"{value!r}: expected kind:code, e.g. zip:75217"}
            )
            continue
        pair = (kind.strip().lower(), code.strip())
        if pair not in pairs:
            pairs.append(pair)
    if not pairs:
        return ()
    kinds = set(session.execute(select(Area.kind).distinct()).scalars())
    known = set(
        session.execute(
            select(Area.kind, Area.code).where(
                or_(*(and_(Area.kind == kind, Area.code == code) for kind, code in pairs))
            )
        )
    )
    for kind, code in pairs:
        if kind not in kinds:
            listed = ", ".join(sorted(kinds)) or "none loaded"
            errors.append(
                {"name": "area", "reason": f"unknown area kind {kind!r}; known kinds: {listed}"}
            )
        elif (kind, code) not in known:
            errors.append({"name": "area", "reason": f"no {kind} area with code {code!r}"})
    return tuple(pairs)


def _parse_point(
    errors: list[InvalidParam], near: str | None, address: str | None, radius_km: Raw
) -> tuple[float, float] | None:
    if near is not None and address is not None:
        errors.append({"name": "address", "reason": "give either near or address, not both"})
        return None
    if near is None:
        if address is not None and not address.strip():
            errors.append({"name": "address", "reason": "must not be empty"})
        if address is None and radius_km is not None:
            errors.append({"name": "radius_km", "reason": "needs a point: give near or address"})
        return None
    reason = "expected latitude,longitude in decimal degrees, e.g. 32.7767,-96.7970"
    parts = near.split(",")
    if len(parts) != 2:
        errors.append({"name": "near", "reason": reason})
        return None
    try:
        latitude, longitude = float(parts[0]), float(parts[1])
    except ValueError:
        errors.append({"name": "near", "reason": reason})
        return None
    if not (math.isfinite(latitude) and -90 <= latitude <= 90):
        errors.append({"name": "near", "reason": f"latitude {parts[0].strip()} is outside -90..90"})
        return None
    if not (math.isfinite(longitude) and -180 <= longitude <= 180):
        errors.append(
            {"name": "near", "reason": f"longitude {parts[1].strip()} is outside -180..180"}
        )
        return None
    return latitude, longitude


def _parse_radius(errors: list[InvalidParam], value: Raw) -> float | None:
    if value is None or value == "":
        return None
    reason = f"expected a distance in km greater than 0 and at most {MAX_RADIUS_KM:g}"
    try:
        radius = float(value)
    except (TypeError, ValueError):
        errors.append({"name": "radius_km", "reason": reason})
        return None
    if not (math.isfinite(radius) and 0 < radius <= MAX_RADIUS_KM):
        errors.append({"name": "radius_km", "reason": reason})
        return None
    return radius


def _parse_sort(
    errors: list[InvalidParam], value: str | None, *, has_point: bool
) -> SortKey | None:
    if value is None or value == "":
        return None
    allowed = get_args(SortKey)
    key = value.strip().lower()
    if key not in allowed:
        errors.append({"name": "sort", "reason": f"expected one of: {', '.join(allowed)}"})
        return None
    if key == "distance" and not has_point:
        errors.append({"name": "sort", "reason": "sorting by distance needs near or address"})
        return None
    return key  # type: ignore[return-value]


def _parse_q(errors: list[InvalidParam], value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > MAX_Q_LENGTH:
        errors.append({"name": "q", "reason": f"at most {MAX_Q_LENGTH} characters"})
        return None
    terms = search_terms(value)
    if not terms:
        errors.append({"name": "q", "reason": "expected at least one word to search for"})
        return None
    if len(terms) > MAX_TERMS:
        errors.append({"name": "q", "reason": f"at most {MAX_TERMS} words"})
        return None
    return value


def _parse_bool(errors: list[InvalidParam], name: str, value: Raw) -> bool:
    if value is None or value == "" or isinstance(value, bool):
        return bool(value)
    text_value = str(value).strip().lower()
    if text_value in ("1", "true", "yes", "on"):
        return True
    if text_value in ("0", "false", "no", "off"):
        return False
    errors.append({"name": name, "reason": "expected true or false"})
    return False


def _parse_int(
    errors: list[InvalidParam], name: str, value: Raw, least: int, most: int
) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        errors.append({"name": name, "reason": f"expected a whole number from {least} to {most}"})
        return None
    if isinstance(value, bool) or not least <= number <= most:
        errors.append({"name": name, "reason": f"expected a whole number from {least} to {most}"})
        return None
    return number


def _parse_when(
    errors: list[InvalidParam],
    name: str,
    value: str | None,
    settings: Settings,
    *,
    end_of_day: bool,
) -> datetime | None:
    if value is None or not value.strip():
        return None
    raw = value.strip()
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            if end_of_day:
                day += timedelta(days=1)
            return datetime.combine(day, time(), tzinfo=settings.zone)
        moment = datetime.fromisoformat(raw)
    except ValueError:
        errors.append(
            {
                "name": name,
                "reason": "expected an ISO 8601 date or date-time, e.g. 2026-03-01 or "
                "2026-03-01T18:00:00-06:00",
            }
        )
        return None
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=settings.zone)


def _geocode(session: Session, settings: Settings, address: str) -> tuple[float, float]:
    try:
        found = geocode(session, settings, address)
    except GeocodeUnavailable as exc:
        raise Problem(
            503,
            "Geocoder unavailable",
            f"The address could not be looked up right now: {exc.reason}",
            headers={"Retry-After": "30"},
        ) from None
    except ValueError as exc:
        raise invalid([{"name": "address", "reason": str(exc)}]) from None
    if found is None:
        raise invalid(
            [
                {
                    "name": "address",
                    "reason": f"{geocoder_name(settings)} found no place for this address",
                }
            ],
            status=422,
        )
    return found.latitude, found.longitude
