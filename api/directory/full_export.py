"""Every resource as stored, for the staff export: true addresses and points included.

Unlike the public view (``api.search``), nothing is hidden or moved: a confidential
location keeps its street address and its own coordinates, and every status is listed.
Retired (deleted) resources are left out. Resources are read in id order, a chunk at a
time, each with its location, organization and languages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session
from sqlmodel import col, select

from api.db.models import Location, Organization, Resource, ResourceLanguage

__all__ = ["CHUNK", "StoredResource", "iter_stored_resources"]

CHUNK = 500
"""Resources read per query."""


@dataclass(frozen=True, kw_only=True)
class StoredResource:
    resource: Resource
    location: Location
    organization: Organization | None
    languages: tuple[tuple[str, str], ...]
    """``(code, support)`` pairs, sorted by code."""


def iter_stored_resources(session: Session) -> Iterator[StoredResource]:
    after = 0
    while True:
        rows = session.execute(
            select(Resource, Location, Organization)
            .join(Location, col(Location.id) == col(Resource.location_id))
            .outerjoin(Organization, col(Organization.id) == col(Resource.organization_id))
            .where(col(Resource.retired_at).is_(None), col(Resource.id) > after)
            .order_by(col(Resource.id))
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        ids = [resource.id for resource, _, _ in rows]
        languages: dict[int, list[tuple[str, str]]] = {}
        for language in session.scalars(
            select(ResourceLanguage).where(col(ResourceLanguage.resource_id).in_(ids))
        ):
            languages.setdefault(language.resource_id, []).append(
                (language.code, str(language.support))
            )
        for resource, location, organization in rows:
            assert resource.id is not None
            yield StoredResource(
                resource=resource,
                location=location,
                organization=organization,
                languages=tuple(sorted(languages.get(resource.id, []))),
            )
        after = ids[-1] or after
        session.expunge_all()
