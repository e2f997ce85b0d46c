"""Write resource rows: match by external_id (else name + place), create or update, audit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, delete, select

from api.db.models import Location, Resource, ResourceLanguage, Support
from seed.changes import audit_created, update_fields
from seed.listing_diff import field_changes, load_listing_fields
from seed.locations import PLACE_FIELDS, Locations, Point, place_fields, place_of
from seed.matching import normalized
from seed.organizations import Organizations
from seed.records import ResourceRecord
from seed.report import FieldChange, Outcome

__all__ = ["ResourceLanguages", "ResourceWriter", "resource_key", "resource_languages"]


def resource_key(name: str, location: Mapping[str, Any]) -> tuple[Any, ...]:
    """The key of a resource of this name at a location with these fields."""
    return (normalized(name), place_of(location, name))


class ResourceWriter:
    def __init__(
        self,
        session: Session,
        *,
        actor: str,
        organizations: Organizations,
        locations: Locations,
    ) -> None:
        self.session = session
        self.actor = actor
        self.organizations = organizations
        self.locations = locations
        self._by_key: dict[tuple[Any, ...], int] | None = None
        self.touched: set[int] = set()
        """Resources this import created or changed, for the search index."""
        self.changes: tuple[FieldChange, ...] = ()
        """What the last :meth:`write` that updated changed, field by field."""

    def reset(self) -> None:
        self._by_key = None
        self.organizations.reset()
        self.locations.reset()

    def key(self, record: ResourceRecord) -> tuple[Any, ...]:
        """What finds a row without an external_id again: its name and its place."""
        return resource_key(record.name, record.location.values)

    def find(self, key: tuple[Any, ...]) -> int | None:
        """The resource at that key."""
        return self._index().get(key)

    def remember(self, key: tuple[Any, ...], resource_id: int) -> None:
        """A resource written without :meth:`write` has this key."""
        self._index()[key] = resource_id

    def forget_keys(self) -> None:
        """A resource was changed without :meth:`write`: its key may be another now."""
        self._by_key = None

    def write(self, record: ResourceRecord, point: Point) -> Outcome:
        resource = self._match(record)
        self.changes = ()
        before = None
        if resource is not None and resource.id is not None:
            before = load_listing_fields(self.session, resource, self.languages(resource.id))
        changed = False
        organization_id: int | None = None
        if record.organization is not None:
            organization, changed = self.organizations.upsert(record.organization)
            organization_id = organization.id
        location, location_changed = self.locations.upsert(
            record.location,
            point,
            current_id=resource.location_id if resource else None,
            fallback_name=record.name,
            owner_id=resource.id if resource else None,
        )
        changed = changed or location_changed
        values = dict(record.values)
        values["external_id"] = record.external_id
        values["location_id"] = location.id
        if record.organization_given:
            values["organization_id"] = organization_id
        if resource is None:
            resource = Resource(**values)
            self.session.add(resource)
            languages = ResourceLanguages(
                session=self.session, resource=resource, wanted=record.languages
            )
            audit_created(
                self.session, resource, actor=self.actor, entity="resource", beside=languages
            )
            assert resource.id is not None
            self._index()[self._key_of(record.name, location)] = resource.id
            self.touched.add(resource.id)
            return "created"
        if record.external_id is None:
            values.pop("external_id")
        assert resource.id is not None
        languages = ResourceLanguages(
            session=self.session, resource=resource, wanted=record.languages
        )
        if update_fields(
            self.session, resource, values, actor=self.actor, entity="resource", beside=languages
        ):
            self._by_key = None
        elif not changed:
            return "unchanged"
        self.touched.add(resource.id)
        if before is not None:
            after = load_listing_fields(self.session, resource, self.languages(resource.id))
            self.changes = field_changes(before, after)
        return "updated"

    def _match(self, record: ResourceRecord) -> Resource | None:
        if record.external_id is not None:
            return self.session.exec(
                select(Resource).where(Resource.external_id == record.external_id)
            ).first()
        resource_id = self._index().get(self.key(record))
        return self.session.get(Resource, resource_id) if resource_id is not None else None

    def _key_of(self, name: str, location: Location) -> tuple[Any, ...]:
        return resource_key(name, place_fields(location))

    def _index(self) -> dict[tuple[Any, ...], int]:
        if self._by_key is None:
            self._by_key = {}
            rows = self.session.execute(
                sa.select(
                    col(Resource.id),
                    col(Resource.name),
                    col(Location.name),
                    col(Location.address),
                    col(Location.city),
                    col(Location.state),
                    col(Location.postal_code),
                )
                .join(Location, col(Location.id) == col(Resource.location_id))
                .where(col(Resource.retired_at).is_(None))
                .order_by(col(Resource.id))
            ).all()
            for resource_id, name, *place in rows:
                fields = dict(zip(PLACE_FIELDS, place, strict=True))
                self._by_key.setdefault(resource_key(name, fields), resource_id)
        return self._by_key

    def languages(self, resource_id: int) -> list[tuple[str, Support]]:
        """The resource's languages as a row gives them: sorted (code, support)."""
        return resource_languages(self.session, resource_id)


def resource_languages(session: Session, resource_id: int) -> list[tuple[str, Support]]:
    """A resource's languages as a row gives them: sorted (code, support)."""
    rows = session.exec(
        select(ResourceLanguage.code, ResourceLanguage.support).where(
            ResourceLanguage.resource_id == resource_id
        )
    ).all()
    return sorted((code, Support(support)) for code, support in rows)


@dataclass(frozen=True, kw_only=True)
class ResourceLanguages:
    """A resource's languages beside it; ``wanted`` is what the file says (``None``: nothing)."""

    session: Session
    resource: Resource
    wanted: list[tuple[str, Support]] | None

    def differs(self) -> bool:
        return self.wanted is not None and sorted(self.wanted) != self.current()

    def replace(self) -> None:
        resource_id = self._id()
        self.session.exec(
            delete(ResourceLanguage).where(col(ResourceLanguage.resource_id) == resource_id)
        )
        for code, support in self.wanted or []:
            self.session.add(ResourceLanguage(resource_id=resource_id, code=code, support=support))
        self.session.flush()

    def audited(self) -> dict[str, Any]:
        return {"languages": [f"{code}:{support.value}" for code, support in self.current()]}

    def current(self) -> list[tuple[str, Support]]:
        return resource_languages(self.session, self._id())

    def _id(self) -> int:
        assert self.resource.id is not None
        return self.resource.id
