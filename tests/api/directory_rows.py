"""Small directory rows for staff and report tests, written straight to the database."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from api.db.models import Category, Location, Organization, Resource

__all__ = ["add_resource"]


def add_resource(engine: Engine, *, name: str = "Legal clinic") -> int:
    with Session(engine) as session:
        organization = Organization(name=f"{name} org")
        location = Location(
            name=name,
            address="100 Main St",
            city="Dallas",
            state="TX",
            postal_code="75201",
            latitude=32.78,
            longitude=-96.8,
        )
        session.add_all([organization, location])
        session.flush()
        resource = Resource(
            category=Category.LEGAL_AID,
            name=name,
            organization_id=organization.id,
            location_id=location.id,
        )
        session.add(resource)
        session.commit()
        assert resource.id is not None
        return resource.id
