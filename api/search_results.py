"""Search hits shaped into what the public sees: ``ResourcePublic`` and ``EventPublic``.

Rows are loaded a page (or a chunk) at a time with a fixed number of queries, whatever the
page size. A confidential location is shown at its public point, without name or address,
with ``postal_code`` precision (see ``api.schemas``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from api.hours import is_open_now
from api.languages import language_name
from api.models import (
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
)
from api.schemas import (
    AreaPublic,
    EventPublic,
    LanguagePublic,
    LocationPublic,
    NextEvent,
    OrganizationSummary,
    ResourcePublic,
)
from api.settings import Settings

__all__ = [
    "Hit",
    "areas_of",
    "public_point",
    "public_points",
    "publish_events",
    "publish_resources",
]


class Hit(NamedTuple):
    """A matching row's id and, when a point was given, its distance in km."""

    id: int
    distance_km: float | None


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


def areas_of(session: Session, location_ids: Sequence[int]) -> dict[int, list[Area]]:
    found: dict[int, list[Area]] = {}
    for start in range(0, len(location_ids), 5000):
        chunk = list(location_ids[start : start + 5000])
        statement = (
            select(col(LocationArea.location_id), Area)
            .join(Area, col(Area.id) == col(LocationArea.area_id))
            .where(col(LocationArea.location_id).in_(chunk))
            .order_by(col(Area.kind), col(Area.code))
        )
        for location_id, area in session.execute(statement):
            found.setdefault(location_id, []).append(area)
    return found


def public_points(session: Session, location_ids: Sequence[int]) -> dict[int, tuple[float, float]]:
    ids = sorted(set(location_ids))
    areas = areas_of(session, ids)
    points: dict[int, tuple[float, float]] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        rows = session.execute(
            select(col(Location.id), col(Location.latitude), col(Location.longitude)).where(
                col(Location.id).in_(chunk)
            )
        )
        for location_id, latitude, longitude in rows:
            assert location_id is not None
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


def publish_resources(
    session: Session, hits: Sequence[Hit], now: datetime, settings: Settings
) -> list[ResourcePublic]:
    if not hits:
        return []
    ids = [hit.id for hit in hits]
    loaded = {
        resource.id: (resource, location, organization)
        for resource, location, organization in session.execute(
            select(Resource, Location, Organization)
            .join(Location, col(Location.id) == col(Resource.location_id))
            .outerjoin(Organization, col(Organization.id) == col(Resource.organization_id))
            .where(col(Resource.id).in_(ids))
        )
    }
    location_ids = sorted({location.id for _, location, _ in loaded.values() if location.id})
    areas = areas_of(session, location_ids)
    languages: dict[int, list[LanguagePublic]] = {}
    for language in session.execute(
        select(ResourceLanguage)
        .where(col(ResourceLanguage.resource_id).in_(ids))
        .order_by(col(ResourceLanguage.resource_id), col(ResourceLanguage.code))
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
        select(col(Event.location_id), col(Event.id), col(Event.title), col(Event.starts_at))
        .where(
            col(Event.location_id).in_(location_ids),
            col(Event.status) == EventStatus.SCHEDULED.value,
            col(Event.starts_at) >= now,
            col(Event.retired_at).is_(None),
        )
        .order_by(col(Event.location_id), col(Event.starts_at), col(Event.id))
    )
    for location_id, event_id, title, starts_at in session.execute(statement):
        assert location_id is not None and event_id is not None
        if location_id not in found:
            found[location_id] = NextEvent(id=event_id, title=title, starts_at=starts_at)
    return found


def publish_events(session: Session, hits: Sequence[Hit], settings: Settings) -> list[EventPublic]:
    if not hits:
        return []
    ids = [hit.id for hit in hits]
    loaded = {
        event.id: (event, location, organization)
        for event, location, organization in session.execute(
            select(Event, Location, Organization)
            .join(Location, col(Location.id) == col(Event.location_id))
            .outerjoin(Organization, col(Organization.id) == col(Event.organization_id))
            .where(col(Event.id).in_(ids))
        )
    }
    areas = areas_of(
        session, sorted({location.id for _, location, _ in loaded.values() if location.id})
    )
    languages: dict[int, list[LanguagePublic]] = {}
    for language in session.execute(
        select(EventLanguage)
        .where(col(EventLanguage.event_id).in_(ids))
        .order_by(col(EventLanguage.event_id), col(EventLanguage.code))
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
