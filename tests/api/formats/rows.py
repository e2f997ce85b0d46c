"""Directory rows inserted straight through the models, for route and feed tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from api.db.models import (
    Area,
    Category,
    Event,
    EventLanguage,
    EventStatus,
    Location,
    LocationArea,
    Organization,
    OrganizationKind,
    Resource,
    ResourceLanguage,
    ResourceStatus,
    Support,
)

__all__ = ["Directory"]


def square(south: float, west: float, size: float) -> dict[str, Any]:
    ring = [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


class Directory:
    """Adds rows in one session each, committing as it goes, and remembers their ids."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def area(
        self,
        kind: str,
        code: str,
        *,
        south: float = 32.7,
        west: float = -96.9,
        size: float = 0.1,
        name: str | None = None,
        note: str | None = None,
    ) -> int:
        with Session(self.engine) as session:
            area = Area(
                kind=kind,
                code=code,
                name=name or f"{kind} {code}",
                note=note,
                geometry=json.dumps(square(south, west, size)),
                min_latitude=south,
                min_longitude=west,
                max_latitude=south + size,
                max_longitude=west + size,
                center_latitude=south + size / 2,
                center_longitude=west + size / 2,
            )
            session.add(area)
            session.commit()
            assert area.id is not None
            return area.id

    def organization(
        self, name: str = "Ayuda", kind: OrganizationKind = OrganizationKind.NONPROFIT
    ) -> int:
        with Session(self.engine) as session:
            organization = Organization(name=name, kind=kind)
            session.add(organization)
            session.commit()
            assert organization.id is not None
            return organization.id

    def location(
        self,
        latitude: float = 32.75,
        longitude: float = -96.85,
        *,
        areas: tuple[int, ...] = (),
        retired: bool = False,
        **fields: Any,
    ) -> int:
        with Session(self.engine) as session:
            location = Location(
                latitude=latitude,
                longitude=longitude,
                retired_at=datetime.now(UTC) if retired else None,
                **fields,
            )
            session.add(location)
            session.flush()
            assert location.id is not None
            for area_id in areas:
                session.add(LocationArea(location_id=location.id, area_id=area_id))
            session.commit()
            return location.id

    def resource(
        self,
        name: str,
        *,
        location_id: int,
        category: Category = Category.LEGAL_AID,
        languages: dict[str, Support] | None = None,
        status: ResourceStatus = ResourceStatus.ACTIVE,
        retired: bool = False,
        organization_id: int | None = None,
        **fields: Any,
    ) -> int:
        with Session(self.engine) as session:
            resource = Resource(
                name=name,
                category=category,
                location_id=location_id,
                organization_id=organization_id,
                status=status,
                retired_at=datetime.now(UTC) if retired else None,
                **fields,
            )
            session.add(resource)
            session.flush()
            assert resource.id is not None
            for code, support in (languages or {}).items():
                session.add(ResourceLanguage(resource_id=resource.id, code=code, support=support))
            session.commit()
            return resource.id

    def event(
        self,
        title: str,
        *,
        location_id: int,
        starts_in: timedelta = timedelta(days=7),
        starts_at: datetime | None = None,
        length: timedelta | None = timedelta(hours=1),
        status: EventStatus = EventStatus.SCHEDULED,
        languages: tuple[str, ...] = (),
        organization_id: int | None = None,
        **fields: Any,
    ) -> int:
        if starts_at is None:
            starts_at = (datetime.now(UTC) + starts_in).replace(microsecond=0)
        with Session(self.engine) as session:
            event = Event(
                title=title,
                location_id=location_id,
                organization_id=organization_id,
                starts_at=starts_at,
                ends_at=starts_at + length if length else None,
                status=status,
                **fields,
            )
            session.add(event)
            session.flush()
            assert event.id is not None
            for code in languages:
                session.add(EventLanguage(event_id=event.id, code=code))
            session.commit()
            return event.id
