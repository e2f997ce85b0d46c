"""A small directory for the map page's tests, inserted as models (no importer involved).

Two council districts side by side and two ZIP areas inside them; places in English,
Spanish and Vietnamese; a legal aid clinic that is DOJ-recognized; a police-hosted room with
a meeting next week; a confidential place; an inactive one; and a place whose name is an XSS
payload.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from api.db.models import (
    Area,
    Category,
    Event,
    Location,
    LocationArea,
    Organization,
    OrganizationKind,
    Resource,
    ResourceLanguage,
    ResourceStatus,
    Support,
)

__all__ = ["XSS_NAME", "Directory", "seed_directory"]

XSS_NAME = "<img src=x onerror=alert(1)>"


@dataclass
class Directory:
    resources: dict[str, int] = field(default_factory=dict)
    """Resource ids by a short key."""
    events: dict[str, int] = field(default_factory=dict)


def _square(west: float, south: float, east: float, north: float) -> str:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _area(kind: str, code: str, name: str, box: tuple[float, float, float, float]) -> Area:
    west, south, east, north = box
    return Area(
        kind=kind,
        code=code,
        name=name,
        note="2011 plan" if kind == "council_district" else None,
        geometry=_square(west, south, east, north),
        min_latitude=south,
        min_longitude=west,
        max_latitude=north,
        max_longitude=east,
        center_latitude=(south + north) / 2,
        center_longitude=(west + east) / 2,
    )


@dataclass(frozen=True, kw_only=True)
class Place:
    key: str
    name: str
    category: Category
    org: tuple[str, OrganizationKind, bool | None]
    point: tuple[float, float]
    areas: tuple[str, ...]
    languages: list[tuple[str, Support]]
    hours: str | None = None
    website: str = "https://example.org/place"
    confidential: bool = False
    status: ResourceStatus = ResourceStatus.ACTIVE


PLACES: list[Place] = [
    Place(
        key="centro",
        name="Centro Comunitario Norte",
        category=Category.MEETING_VENUE,
        org=("Vecinos Unidos", OrganizationKind.COMMUNITY, None),
        point=(32.790, -96.800),
        areas=("council_district:1", "zip:75201"),
        languages=[("es", Support.STAFF), ("en", Support.STAFF)],
        hours="Mo-Fr 09:00-17:00",
    ),
    Place(
        key="clinic",
        name="Clínica Legal del Este",
        category=Category.LEGAL_AID,
        org=("East Legal Services", OrganizationKind.LEGAL_SERVICES, True),
        point=(32.760, -96.720),
        areas=("council_district:2", "zip:75217"),
        languages=[("es", Support.INTERPRETER), ("vi", Support.MATERIALS)],
        hours=None,
    ),
    Place(
        key="church",
        name="Iglesia San Juan",
        category=Category.COMMUNITY_PARTNER,
        org=("San Juan Parish", OrganizationKind.FAITH, None),
        point=(32.770, -96.790),
        areas=("council_district:1",),
        languages=[("es", Support.STAFF)],
        hours=None,
    ),
    Place(
        key="police",
        name="Northeast Police Community Room",
        category=Category.MEETING_VENUE,
        org=("City Police Department", OrganizationKind.LAW_ENFORCEMENT, None),
        point=(32.775, -96.710),
        areas=("council_district:2",),
        languages=[("en", Support.STAFF), ("es", Support.INTERPRETER)],
        hours=None,
    ),
    Place(
        key="xss",
        name=XSS_NAME,
        category=Category.COMMUNITY_PARTNER,
        org=(XSS_NAME, OrganizationKind.NONPROFIT, None),
        point=(32.795, -96.780),
        areas=("council_district:1", "zip:75201"),
        languages=[("es", Support.STAFF)],
        hours=None,
        website="javascript:alert(2)",
    ),
    Place(
        key="shelter",
        name="Safe Harbor Help Line",
        category=Category.COMMUNITY_PARTNER,
        org=("Safe Harbor", OrganizationKind.NONPROFIT, None),
        point=(32.765, -96.715),
        areas=("council_district:2", "zip:75217"),
        languages=[("es", Support.STAFF)],
        hours=None,
        confidential=True,
    ),
    Place(
        key="hoi",
        name="Hội Người Việt",
        category=Category.COMMUNITY_PARTNER,
        org=("Vietnamese Association", OrganizationKind.COMMUNITY, None),
        point=(32.755, -96.730),
        areas=("council_district:2", "zip:75217"),
        languages=[("vi", Support.STAFF)],
        hours=None,
    ),
    Place(
        key="closed",
        name="Old Office (closed)",
        category=Category.LEGAL_AID,
        org=("East Legal Services", OrganizationKind.LEGAL_SERVICES, True),
        point=(32.780, -96.750),
        areas=("council_district:2",),
        languages=[("es", Support.STAFF)],
        hours=None,
        status=ResourceStatus.INACTIVE,
    ),
]


def seed_directory(engine: Engine, *, now: datetime | None = None) -> Directory:
    now = now or datetime.now(UTC)
    directory = Directory()
    with Session(engine) as session:
        areas = {
            "council_district:1": _area(
                "council_district", "1", "District 1", (-96.82, 32.74, -96.76, 32.81)
            ),
            "council_district:2": _area(
                "council_district", "2", "District 2", (-96.76, 32.74, -96.70, 32.81)
            ),
            "zip:75201": _area("zip", "75201", "75201", (-96.81, 32.785, -96.77, 32.80)),
            "zip:75217": _area("zip", "75217", "75217", (-96.74, 32.75, -96.71, 32.77)),
        }
        session.add_all(areas.values())
        organizations: dict[str, Organization] = {}
        for place in PLACES:
            name, kind, doj = place.org
            if name not in organizations:
                organizations[name] = Organization(name=name, kind=kind, doj_recognized=doj)
                session.add(organizations[name])
        session.flush()
        for place in PLACES:
            latitude, longitude = place.point
            zips = [key.split(":")[1] for key in place.areas if key.startswith("zip:")]
            location = Location(
                name=place.name,
                address=f"{100 + len(directory.resources)} Main St",
                city="Dallas",
                state="TX",
                postal_code=zips[0] if zips else None,
                latitude=latitude,
                longitude=longitude,
                confidential=place.confidential,
            )
            session.add(location)
            session.flush()
            for key in place.areas:
                session.add(LocationArea(location_id=location.id, area_id=areas[key].id))
            resource = Resource(
                category=place.category,
                name=place.name,
                organization_id=organizations[place.org[0]].id,
                location_id=location.id,
                phone="(214) 555-0100",
                website=place.website,
                hours=place.hours,
                status=place.status,
                verified_at=now - timedelta(days=30),
                source_url="https://example.org/source",
            )
            session.add(resource)
            session.flush()
            assert resource.id is not None
            directory.resources[place.key] = resource.id
            for code, support in place.languages:
                session.add(ResourceLanguage(resource_id=resource.id, code=code, support=support))
            if place.key == "police":
                event = Event(
                    title="Community meeting with the police",
                    starts_at=now + timedelta(days=7),
                    ends_at=now + timedelta(days=7, hours=2),
                    location_id=location.id,
                    organization_id=organizations[place.org[0]].id,
                )
                session.add(event)
                session.flush()
                assert event.id is not None
                directory.events["police"] = event.id
        session.commit()
    return directory
