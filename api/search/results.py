"""Search hits shaped into what the public sees: ``ResourcePublic`` and ``EventPublic``.

Rows are loaded a page (or a chunk) at a time with a fixed number of queries, whatever the
page size. A confidential location is shown at its public point, without name or address,
with ``postal_code`` precision (see ``api.directory.schemas``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, Table, and_, bindparam, select
from sqlalchemy.orm import Session

from api.db.models import (
    Area,
    Event,
    EventLanguage,
    EventStatus,
    Location,
    LocationArea,
    Organization,
    Precision,
    Resource,
    ResourceLanguage,
    Support,
    table_of,
)
from api.directory.hours import is_open_now
from api.directory.languages import language_name
from api.directory.schemas import (
    AreaPublic,
    EventPublic,
    LanguagePublic,
    LocationPublic,
    NextEvent,
    OrganizationSummary,
    ResourcePublic,
)
from api.search.changes import changed_at
from api.settings import Settings

__all__ = [
    "AREA_COLUMNS",
    "AreaRow",
    "Hit",
    "KnownAreas",
    "Placed",
    "areas_of",
    "offered_languages",
    "place",
    "place_at_locations",
    "public_point",
    "publish_events",
    "publish_resources",
]


class Hit(NamedTuple):
    """A matching row's id and, when a point was given, its distance in km."""

    id: int
    distance_km: float | None


class Placed(NamedTuple):
    """A matching resource as a map shows it: at its public point, with category and name."""

    id: int
    latitude: float
    longitude: float
    category: str
    name: str


class AreaRow(NamedTuple):
    """An area as a location's tag: what is shown, and where a confidential place sits."""

    kind: str
    code: str
    name: str
    center_latitude: float
    center_longitude: float


_resource = table_of(Resource)
_location = table_of(Location)
_organization = table_of(Organization)
_area = table_of(Area)
_location_area = table_of(LocationArea)
_resource_language = table_of(ResourceLanguage)
_event = table_of(Event)
_event_language = table_of(EventLanguage)

_RESOURCE_FIELDS = (
    "id",
    "external_id",
    "name",
    "category",
    "description",
    "services",
    "phone",
    "website",
    "email",
    "hours",
    "fees",
    "eligibility",
    "verified_at",
    "source_url",
    "status",
    "updated_at",
)
_EVENT_FIELDS = (
    "id",
    "external_id",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "status",
    "source_url",
    "updated_at",
)
_LOCATION_FIELDS = (
    "name",
    "address",
    "city",
    "state",
    "postal_code",
    "latitude",
    "longitude",
    "geocode_precision",
    "confidential",
)
_ORGANIZATION_FIELDS = ("name", "website", "kind", "doj_recognized")


def _listed_rows(table: Table, fields: Sequence[str]) -> Select[Any]:
    """``table``'s ``fields`` with its location and (unless retired) organization, for the
    ids bound as ``ids``. Plain columns, built once: ORM entities would cost more than the
    rest of a search."""
    return (
        select(
            *(
                changed_at(table, _location).label(name) if name == "updated_at" else table.c[name]
                for name in fields
            ),
            _location.c.id.label("location_id"),
            *(_location.c[name].label(f"location_{name}") for name in _LOCATION_FIELDS),
            _organization.c.id.label("organization_id"),
            *(_organization.c[name].label(f"organization_{name}") for name in _ORGANIZATION_FIELDS),
        )
        .join(_location, _location.c.id == table.c.location_id)
        .outerjoin(
            _organization,
            and_(
                _organization.c.id == table.c.organization_id,
                _organization.c.retired_at.is_(None),
            ),
        )
        .where(table.c.id.in_(bindparam("ids", expanding=True)))
    )


_RESOURCE_ROWS = _listed_rows(_resource, _RESOURCE_FIELDS)
_EVENT_ROWS = _listed_rows(_event, _EVENT_FIELDS)
_EVENT_LANGUAGE_ROWS = (
    select(_event_language.c.event_id, _event_language.c.code)
    .where(_event_language.c.event_id.in_(bindparam("ids", expanding=True)))
    .order_by(_event_language.c.event_id, _event_language.c.code)
)
AREA_COLUMNS = (
    _location_area.c.location_id,
    _area.c.kind,
    _area.c.code,
    _area.c.name,
    _area.c.center_latitude,
    _area.c.center_longitude,
)
"""A location's id, then the fields of an :class:`AreaRow` of one of its areas."""
_AREA_ROWS = (
    select(*AREA_COLUMNS)
    .join(_area, _area.c.id == _location_area.c.area_id)
    .where(_location_area.c.location_id.in_(bindparam("ids", expanding=True)))
    .order_by(_area.c.kind, _area.c.code)
)
_LANGUAGE_ROWS = (
    select(
        _resource_language.c.resource_id, _resource_language.c.code, _resource_language.c.support
    )
    .where(_resource_language.c.resource_id.in_(bindparam("ids", expanding=True)))
    .order_by(_resource_language.c.resource_id, _resource_language.c.code)
)
_NEXT_EVENT_ROWS = (
    select(_event.c.location_id, _event.c.id, _event.c.title, _event.c.starts_at)
    .where(
        _event.c.location_id.in_(bindparam("ids", expanding=True)),
        _event.c.status == EventStatus.SCHEDULED.value,
        _event.c.starts_at >= bindparam("now"),
        _event.c.retired_at.is_(None),
    )
    .order_by(_event.c.location_id, _event.c.starts_at, _event.c.id)
)
_PLACED_ROWS = (
    select(
        _resource.c.id,
        _resource.c.category,
        _resource.c.name,
        _location.c.id.label("location_id"),
        _location.c.latitude,
        _location.c.longitude,
        _location.c.confidential,
    )
    .join(_location, _location.c.id == _resource.c.location_id)
    .where(_resource.c.id.in_(bindparam("ids", expanding=True)))
)
_IN_CHUNK = 5000
"""Ids per ``IN (...)``: well under SQLite's and PostgreSQL's parameter limits."""


def public_point(
    latitude: float, longitude: float, confidential: bool, areas: Sequence[AreaRow]
) -> tuple[float, float]:
    """Where a location is shown: its own point, or for a confidential one the centre of
    its ZIP area, else of its first area by (kind, code), else its point to 2 decimals."""
    if not confidential:
        return latitude, longitude
    ordered = sorted(areas, key=lambda area: (area.kind != "zip", area.kind, area.code))
    if ordered:
        return ordered[0].center_latitude, ordered[0].center_longitude
    return round(latitude, 2), round(longitude, 2)


def areas_of(session: Session, location_ids: Sequence[int]) -> dict[int, list[AreaRow]]:
    """Each location's areas by kind and code (without their polygons)."""
    found: dict[int, list[AreaRow]] = {}
    for chunk in _chunks(location_ids):
        for location_id, *area in session.execute(_AREA_ROWS, {"ids": chunk}):
            found.setdefault(location_id, []).append(AreaRow(*area))
    return found


class KnownAreas:
    """Locations' areas, each read at most once in one search: ranking needs a confidential
    place's areas for its public point, and publishing shows them as its tags."""

    def __init__(
        self, *, session: Session, known: Mapping[int, list[AreaRow]] | None = None
    ) -> None:
        self._session = session
        self._areas: dict[int, list[AreaRow]] = dict(known or {})

    def of(self, location_ids: Iterable[int]) -> dict[int, list[AreaRow]]:
        """The areas of at least ``location_ids`` (a location in none has ``[]``)."""
        missing = sorted({i for i in location_ids if i not in self._areas})
        if missing:
            found = areas_of(self._session, missing)
            self._areas.update((i, found.get(i, [])) for i in missing)
        return self._areas


def place(session: Session, ids: Sequence[int], areas: KnownAreas) -> list[Placed]:
    """The resources ``ids``, in that order, as points on a map."""
    return [placed for placed, _ in place_at_locations(session, ids, areas)]


def place_at_locations(
    session: Session, ids: Sequence[int], areas: KnownAreas
) -> list[tuple[Placed, int]]:
    """The resources ``ids``, in that order, as points on a map, each with its location's id."""
    rows: dict[int, Any] = {}
    for chunk in _chunks(ids):
        rows.update((row.id, row) for row in session.execute(_PLACED_ROWS, {"ids": chunk}))
    known = areas.of(row.location_id for row in rows.values() if row.confidential)
    placed = []
    for resource_id in ids:
        row = rows[resource_id]
        latitude, longitude = public_point(
            row.latitude, row.longitude, row.confidential, known.get(row.location_id, [])
        )
        placed.append(
            (Placed(resource_id, latitude, longitude, row.category, row.name), row.location_id)
        )
    return placed


def offered_languages(
    session: Session, ids: Sequence[int]
) -> dict[int, list[tuple[str, Support | None]]]:
    """Each resource's languages as ``(code, support)``, by code."""
    found: dict[int, list[tuple[str, Support | None]]] = {}
    for chunk in _chunks(ids):
        for resource_id, code, support in session.execute(_LANGUAGE_ROWS, {"ids": chunk}):
            found.setdefault(resource_id, []).append((code, support))
    return found


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _IN_CHUNK):
        yield list(ids[start : start + _IN_CHUNK])


def _location_public(row: Any, areas: Sequence[AreaRow]) -> LocationPublic:
    """The location of a row of ``_listed_rows`` (its columns prefixed ``location_``)."""
    confidential = bool(row["location_confidential"])
    latitude, longitude = public_point(
        row["location_latitude"], row["location_longitude"], confidential, areas
    )
    return LocationPublic(
        id=row["location_id"],
        name=None if confidential else row["location_name"],
        address=None if confidential else row["location_address"],
        city=row["location_city"],
        state=row["location_state"],
        postal_code=row["location_postal_code"],
        latitude=latitude,
        longitude=longitude,
        precision=Precision.POSTAL_CODE if confidential else row["location_geocode_precision"],
        confidential=confidential,
        areas=[AreaPublic(kind=a.kind, code=a.code, name=a.name) for a in areas],
    )


def _organization_summary(row: Any) -> OrganizationSummary | None:
    if row["organization_id"] is None:
        return None
    return OrganizationSummary(
        id=row["organization_id"],
        name=row["organization_name"],
        website=row["organization_website"],
        kind=row["organization_kind"],
        doj_recognized=row["organization_doj_recognized"],
    )


def publish_resources(
    session: Session, hits: Sequence[Hit], now: datetime, settings: Settings, areas: KnownAreas
) -> list[ResourcePublic]:
    if not hits:
        return []
    ids = [hit.id for hit in hits]
    loaded = {row["id"]: row for row in session.execute(_RESOURCE_ROWS, {"ids": ids}).mappings()}
    location_ids = sorted({row["location_id"] for row in loaded.values()})
    known = areas.of(location_ids)
    languages = {
        resource_id: [
            LanguagePublic(code=code, name=language_name(code), support=support)
            for code, support in offered
        ]
        for resource_id, offered in offered_languages(session, ids).items()
    }
    next_events = _next_events(session, location_ids, now)
    zone = settings.zone
    items = []
    for hit in hits:
        row = loaded[hit.id]
        location_id = row["location_id"]
        items.append(
            ResourcePublic(
                **{name: row[name] for name in _RESOURCE_FIELDS},
                organization=_organization_summary(row),
                location=_location_public(row, known[location_id]),
                distance_km=None if hit.distance_km is None else round(hit.distance_km, 2),
                languages=languages.get(hit.id, []),
                open_now=is_open_now(row["hours"], now, zone),
                next_event=next_events.get(location_id),
            )
        )
    return items


def _next_events(
    session: Session, location_ids: Sequence[int], now: datetime
) -> dict[int, NextEvent]:
    found: dict[int, NextEvent] = {}
    if not location_ids:
        return found
    rows = session.execute(_NEXT_EVENT_ROWS, {"ids": list(location_ids), "now": now})
    for location_id, event_id, title, starts_at in rows:
        if location_id not in found:
            found[location_id] = NextEvent(id=event_id, title=title, starts_at=starts_at)
    return found


def publish_events(
    session: Session, hits: Sequence[Hit], settings: Settings, areas: KnownAreas
) -> list[EventPublic]:
    if not hits:
        return []
    ids = [hit.id for hit in hits]
    loaded = {row["id"]: row for row in session.execute(_EVENT_ROWS, {"ids": ids}).mappings()}
    known = areas.of(row["location_id"] for row in loaded.values())
    languages: dict[int, list[LanguagePublic]] = {}
    for event_id, code in session.execute(_EVENT_LANGUAGE_ROWS, {"ids": ids}):
        languages.setdefault(event_id, []).append(
            LanguagePublic(code=code, name=language_name(code))
        )
    items = []
    for hit in hits:
        row = loaded[hit.id]
        items.append(
            EventPublic(
                **{name: row[name] for name in _EVENT_FIELDS},
                organization=_organization_summary(row),
                location=_location_public(row, known[row["location_id"]]),
                distance_km=None if hit.distance_km is None else round(hit.distance_km, 2),
                languages=languages.get(hit.id, []),
            )
        )
    return items
