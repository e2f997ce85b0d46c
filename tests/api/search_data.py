"""Small builders of directory rows for search tests, inserted straight through the models."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.db.models import (
    Area,
    Event,
    EventLanguage,
    Location,
    LocationArea,
    Organization,
    Resource,
    ResourceLanguage,
)
from api.search.text import reindex_resources

__all__ = ["Directory"]

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


class Directory:
    """Adds rows in one session; ``commit()`` indexes the text and commits."""

    def __init__(self, engine: Engine) -> None:
        self.session = Session(engine, expire_on_commit=False)

    def __enter__(self) -> Directory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.session.close()

    def organization(self, name: str = "Org", **fields: object) -> Organization:
        organization = Organization(name=name, **fields)
        self.session.add(organization)
        self.session.flush()
        return organization

    def area(
        self, kind: str, code: str, *, center: tuple[float, float] = (32.75, -96.8), name: str = ""
    ) -> Area:
        lat, lon = center
        ring = [[lon - 0.1, lat - 0.1], [lon + 0.1, lat - 0.1], [lon + 0.1, lat + 0.1]]
        area = Area(
            kind=kind,
            code=code,
            name=name or f"{kind} {code}",
            geometry=json.dumps({"type": "Polygon", "coordinates": [[*ring, ring[0]]]}),
            min_latitude=lat - 0.1,
            max_latitude=lat + 0.1,
            min_longitude=lon - 0.1,
            max_longitude=lon + 0.1,
            center_latitude=lat,
            center_longitude=lon,
        )
        self.session.add(area)
        self.session.flush()
        return area

    def location(
        self,
        latitude: float = 32.78,
        longitude: float = -96.8,
        *,
        areas: Sequence[Area] = (),
        **fields: object,
    ) -> Location:
        location = Location(latitude=latitude, longitude=longitude, **fields)
        self.session.add(location)
        self.session.flush()
        for area in areas:
            self.session.add(LocationArea(location_id=location.id, area_id=area.id))
        self.session.flush()
        return location

    def resource(
        self,
        name: str = "Resource",
        *,
        location: Location | None = None,
        category: str = "legal_aid",
        languages: Sequence[str | tuple[str, str]] = (),
        organization: Organization | None = None,
        **fields: object,
    ) -> Resource:
        location = location or self.location()
        resource = Resource(
            name=name,
            category=category,
            location_id=location.id,
            organization_id=organization.id if organization else None,
            **fields,
        )
        self.session.add(resource)
        self.session.flush()
        for language in languages:
            code, support = (language, "staff") if isinstance(language, str) else language
            self.session.add(ResourceLanguage(resource_id=resource.id, code=code, support=support))
        self.session.flush()
        return resource

    def event(
        self,
        title: str,
        *,
        location: Location,
        starts_at: datetime,
        ends_at: datetime | None = None,
        languages: Sequence[str] = (),
        **fields: object,
    ) -> Event:
        event = Event(
            title=title, location_id=location.id, starts_at=starts_at, ends_at=ends_at, **fields
        )
        self.session.add(event)
        self.session.flush()
        for code in languages:
            self.session.add(EventLanguage(event_id=event.id, code=code))
        self.session.flush()
        return event

    def commit(self) -> None:
        reindex_resources(self.session)
        self.session.commit()
