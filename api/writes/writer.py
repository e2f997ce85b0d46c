"""Staff changes to the directory: create, update and retire, each audited.

Every change runs in the caller's transaction together with its audit entry and the
search index update, so either all of it is written or none. ``PATCH`` and ``DELETE``
honour ``If-Match``: the tag must be the ETag the record's read returns (for a resource,
``GET /api/v1/resources/{id}``; for the others, the staff read or the last write's answer),
else 412 and nothing changes. The row is locked while it is compared (``FOR UPDATE`` on
PostgreSQL; SQLite writers are serialised anyway), so two staff cannot both win.

Retiring sets ``retired_at``: the record leaves public results, its history stays.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col

from api.db.models import (
    Event,
    EventBase,
    EventLanguage,
    Location,
    LocationBase,
    Organization,
    Precision,
    Resource,
    ResourceLanguage,
    table_of,
)
from api.directory.audit import Action, record, snapshot
from api.directory.etags import etag_for, names_tag
from api.directory.schemas import (
    EventCreate,
    EventUpdate,
    LocationCreate,
    LocationUpdate,
    OrganizationCreate,
    OrganizationPublic,
    OrganizationUpdate,
    ResourceCreate,
    ResourceDetail,
    ResourceUpdate,
)
from api.errors import (
    Conflict,
    InvalidParam,
    NotFound,
    StaleWrite,
    Unavailable,
    Unprocessable,
)
from api.geo.areas import tag_location
from api.geo.geocoding import GeocodeUnavailable, geocode
from api.search import get_resource
from api.search.text import reindex_resources
from api.settings import Settings

__all__ = [
    "MAX_ID",
    "EventRecord",
    "LocationRecord",
    "Writer",
    "Written",
    "check_if_match",
]

MAX_ID = 2_147_483_647
"""The largest id a record can have (a 32-bit integer column)."""

Row = TypeVar("Row", Organization, Location, Resource, Event)
Parent = TypeVar("Parent", Organization, Location)
ADDRESS_FIELDS = ("address", "city", "state", "postal_code")


class LocationRecord(LocationBase):
    """A location as staff see it: the street address and true point included."""

    id: int
    updated_at: datetime


class EventRecord(EventBase):
    id: int
    location_id: int
    organization_id: int | None = None
    languages: list[str]
    updated_at: datetime


@dataclass(frozen=True)
class Written:
    """A record's representation and its ETag (the hash of exactly these bytes)."""

    id: int
    body: bytes
    etag: str


def check_if_match(if_match: str | None, current: str) -> None:
    """``StaleWrite`` unless ``If-Match`` is absent, ``*`` or names the current ETag."""
    if if_match is None or names_tag(if_match, current, any_coding=True):
        return
    raise StaleWrite(current)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _plain_text(data: SQLModel) -> None:
    """Refuse control characters (NUL above all, which PostgreSQL cannot store) in any text."""
    errors: list[InvalidParam] = []

    def walk(name: str, value: Any) -> None:
        if isinstance(value, str) and _CONTROL.search(value):
            errors.append({"name": name, "in": "body", "reason": "contains a control character"})
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(f"{name}.{index}", item)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(f"{name}.{key}", item)

    for name, value in data.model_dump(exclude_unset=True).items():
        walk(name, value)
    if errors:
        raise Unprocessable(errors)


def _not_null(model: type[SQLModel], changes: dict[str, Any]) -> list[InvalidParam]:
    table = table_of(model)
    return [
        {"name": name, "in": "body", "reason": "may not be null"}
        for name, value in changes.items()
        if value is None and name in table.columns and not table.columns[name].nullable
    ]


@dataclass(frozen=True, kw_only=True)
class Writer:
    """Writes on behalf of one staff member (``actor``, the key's name) at one moment."""

    session: Session
    settings: Settings
    actor: str
    now: datetime

    # --- shared steps ---------------------------------------------------------------------

    def _load(self, model: type[Row], entity_id: int) -> Row:
        row = self.session.scalars(
            select(model).where(model.id == entity_id).with_for_update()  # type: ignore[arg-type]
        ).first()
        if row is None or row.retired_at is not None:
            name = model.__name__.lower()
            raise NotFound(name, entity_id)
        return row

    def _audit(
        self,
        action: Action,
        entity: str,
        entity_id: int | None,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        record(
            self.session,
            actor=self.actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
        )

    def _flush(self) -> None:
        try:
            self.session.flush()
        except IntegrityError as exc:
            text = str(exc.orig).lower()
            if "external_id" in text or "unique" in text:
                raise Conflict(
                    "external_id is already used",
                    [{"name": "external_id", "in": "body", "reason": "already used"}],
                ) from None
            raise Conflict(
                "The change conflicts with the directory's rules (for example an event "
                "ending before it starts)."
            ) from None

    def _unique_external_id(self, model: type[Row], value: str | None, own: int | None) -> None:
        if value is None:
            return
        other = self.session.scalars(
            select(col(model.id)).where(col(model.external_id) == value)
        ).first()
        if other is not None and other != own:
            raise Conflict(
                "external_id is already used",
                [
                    {
                        "name": "external_id",
                        "in": "body",
                        "reason": f"already used by {model.__name__.lower()} {other}",
                    }
                ],
            )

    def _parent(self, model: type[Parent], field: str, value: int | None) -> list[InvalidParam]:
        if value is None:
            return []
        row = self.session.get(model, value) if value <= MAX_ID else None
        if row is None or row.retired_at is not None:
            name = model.__name__.lower()
            return [{"name": field, "in": "body", "reason": f"there is no {name} {value}"}]
        return []

    def _apply(self, row: SQLModel, changes: dict[str, Any]) -> None:
        for name, value in changes.items():
            setattr(row, name, value)
        row.updated_at = self.now
        self.session.add(row)

    def _retire(self, row: Row, entity: str, if_match: str | None, current: str) -> None:
        check_if_match(if_match, current)
        before = snapshot(row)
        row.retired_at = self.now
        row.updated_at = self.now
        self.session.add(row)
        self._flush()
        self._audit("delete", entity, row.id, before, snapshot(row))

    # --- organizations --------------------------------------------------------------------

    def organization(self, row: Organization) -> Written:
        body = OrganizationPublic.model_validate(row, from_attributes=True).model_dump_json()
        assert row.id is not None
        return Written(row.id, body.encode(), etag_for(body.encode()))

    def read_organization(self, entity_id: int) -> Written:
        return self.organization(self._load(Organization, entity_id))

    def create_organization(self, data: OrganizationCreate) -> Written:
        _plain_text(data)
        self._unique_external_id(Organization, data.external_id, None)
        row = Organization(**data.model_dump(), created_at=self.now, updated_at=self.now)
        self.session.add(row)
        self._flush()
        self._audit("create", "organization", row.id, None, snapshot(row))
        return self.organization(row)

    def update_organization(
        self, entity_id: int, data: OrganizationUpdate, if_match: str | None
    ) -> Written:
        _plain_text(data)
        row = self._load(Organization, entity_id)
        check_if_match(if_match, self.organization(row).etag)
        changes = data.model_dump(exclude_unset=True)
        if errors := _not_null(Organization, changes):
            raise Unprocessable(errors)
        self._unique_external_id(Organization, changes.get("external_id"), entity_id)
        before = snapshot(row)
        self._apply(row, changes)
        self._flush()
        if "name" in changes:
            reindex_resources(self.session, self._resources_of(organization_id=entity_id))
        self._audit("update", "organization", entity_id, before, snapshot(row))
        return self.organization(row)

    def retire_organization(self, entity_id: int, if_match: str | None) -> None:
        row = self._load(Organization, entity_id)
        self._retire(row, "organization", if_match, self.organization(row).etag)
        reindex_resources(self.session, self._resources_of(organization_id=entity_id))

    def _resources_of(self, *, organization_id: int) -> list[int]:
        return list(
            self.session.scalars(
                select(col(Resource.id)).where(col(Resource.organization_id) == organization_id)
            )
        )

    # --- locations ------------------------------------------------------------------------

    def location(self, row: Location) -> Written:
        body = LocationRecord.model_validate(row, from_attributes=True).model_dump_json()
        assert row.id is not None
        return Written(row.id, body.encode(), etag_for(body.encode()))

    def read_location(self, entity_id: int) -> Written:
        return self.location(self._load(Location, entity_id))

    def create_location(self, data: LocationCreate) -> Written:
        _plain_text(data)
        self._unique_external_id(Location, data.external_id, None)
        row = Location(**data.model_dump(), created_at=self.now, updated_at=self.now)
        self.session.add(row)
        self._flush()
        self._tag(row)
        self._audit("create", "location", row.id, None, snapshot(row))
        return self.location(row)

    def update_location(
        self, entity_id: int, data: LocationUpdate, if_match: str | None
    ) -> Written:
        _plain_text(data)
        row = self._load(Location, entity_id)
        check_if_match(if_match, self.location(row).etag)
        changes = data.model_dump(exclude_unset=True)
        if errors := _not_null(Location, changes):
            raise Unprocessable(errors)
        self._unique_external_id(Location, changes.get("external_id"), entity_id)
        before = snapshot(row)
        moved_address = any(
            name in changes and changes[name] != getattr(row, name) for name in ADDRESS_FIELDS
        )
        self._apply(row, changes)
        if "latitude" in changes:
            if "geocode_precision" not in changes:
                row.geocode_precision = Precision.PROVIDED
        elif moved_address:
            self._geocode(row)
        self._flush()
        assert before is not None
        if (row.latitude, row.longitude) != (before["latitude"], before["longitude"]):
            self._tag(row)
        self._audit("update", "location", entity_id, before, snapshot(row))
        return self.location(row)

    def retire_location(self, entity_id: int, if_match: str | None) -> None:
        row = self._load(Location, entity_id)
        self._retire(row, "location", if_match, self.location(row).etag)

    def _geocode(self, row: Location) -> None:
        """A new address without new coordinates: ask the geocoder where it is now."""
        query = ", ".join(str(v) for v in (row.address, row.city, row.state) if v)
        try:
            found = geocode(self.session, self.settings, query, postal_code=row.postal_code)
        except GeocodeUnavailable as exc:
            raise Unavailable(
                "Geocoder",
                f"The new address could not be placed on the map: {exc.reason}. "
                "Try again later or send latitude and longitude with it.",
            ) from None
        except ValueError as exc:
            raise Unprocessable([{"name": "address", "in": "body", "reason": str(exc)}]) from None
        if found is None:
            raise Unprocessable(
                [
                    {
                        "name": "address",
                        "in": "body",
                        "reason": "the geocoder found no such place; check the address or "
                        "send latitude and longitude",
                    }
                ]
            )
        row.latitude, row.longitude = found.latitude, found.longitude
        row.geocode_precision = found.precision

    def _tag(self, row: Location) -> None:
        tag_location(self.session, row)

    # --- resources ------------------------------------------------------------------------

    def resource(self, entity_id: int) -> Written:
        detail: ResourceDetail | None = get_resource(
            self.session, entity_id, now=self.now, settings=self.settings
        )
        if detail is None:
            raise NotFound("resource", entity_id)
        body = detail.model_dump_json().encode()
        return Written(entity_id, body, etag_for(body))

    def _resource_snapshot(self, row: Resource) -> dict[str, Any]:
        languages = self.session.scalars(
            select(ResourceLanguage)
            .where(col(ResourceLanguage.resource_id) == row.id)
            .order_by(col(ResourceLanguage.code))
        ).all()
        return {
            **(snapshot(row) or {}),
            "languages": [{"code": lang.code, "support": lang.support} for lang in languages],
        }

    def _set_resource_languages(self, resource_id: int, languages: Sequence[Any]) -> None:
        self.session.execute(
            delete(ResourceLanguage).where(ResourceLanguage.resource_id == resource_id)  # type: ignore[arg-type]
        )
        for language in languages:
            self.session.add(
                ResourceLanguage(
                    resource_id=resource_id, code=language.code, support=language.support
                )
            )

    def create_resource(self, data: ResourceCreate) -> Written:
        _plain_text(data)
        errors = self._parent(Location, "location_id", data.location_id)
        errors += self._parent(Organization, "organization_id", data.organization_id)
        if errors:
            raise Unprocessable(errors)
        self._unique_external_id(Resource, data.external_id, None)
        fields = data.model_dump(exclude={"languages"})
        row = Resource(**fields, created_at=self.now, updated_at=self.now)
        self.session.add(row)
        self._flush()
        assert row.id is not None
        self._set_resource_languages(row.id, data.languages)
        self._flush()
        reindex_resources(self.session, [row.id])
        self._audit("create", "resource", row.id, None, self._resource_snapshot(row))
        return self.resource(row.id)

    def update_resource(
        self, entity_id: int, data: ResourceUpdate, if_match: str | None
    ) -> Written:
        _plain_text(data)
        row = self._load(Resource, entity_id)
        check_if_match(if_match, self.resource(entity_id).etag)
        changes = data.model_dump(exclude_unset=True, exclude={"languages"})
        errors = _not_null(Resource, changes)
        if "location_id" in changes:
            errors += self._parent(Location, "location_id", changes["location_id"])
        if "organization_id" in changes:
            errors += self._parent(Organization, "organization_id", changes["organization_id"])
        if errors:
            raise Unprocessable(errors)
        self._unique_external_id(Resource, changes.get("external_id"), entity_id)
        before = self._resource_snapshot(row)
        self._apply(row, changes)
        if data.languages is not None:
            self._set_resource_languages(entity_id, data.languages)
        self._flush()
        reindex_resources(self.session, [entity_id])
        self._audit("update", "resource", entity_id, before, self._resource_snapshot(row))
        self.session.expire_all()
        return self.resource(entity_id)

    def retire_resource(self, entity_id: int, if_match: str | None) -> None:
        row = self._load(Resource, entity_id)
        self._retire(row, "resource", if_match, self.resource(entity_id).etag)
        reindex_resources(self.session, [entity_id])

    # --- events ---------------------------------------------------------------------------

    def _event_languages(self, event_id: int | None) -> list[str]:
        return list(
            self.session.scalars(
                select(col(EventLanguage.code))
                .where(col(EventLanguage.event_id) == event_id)
                .order_by(col(EventLanguage.code))
            )
        )

    def event(self, row: Event) -> Written:
        assert row.id is not None
        record_ = EventRecord.model_validate(
            {
                **{column.name: getattr(row, column.name) for column in table_of(Event).columns},
                "languages": self._event_languages(row.id),
            }
        )
        body = record_.model_dump_json().encode()
        return Written(row.id, body, etag_for(body))

    def read_event(self, entity_id: int) -> Written:
        return self.event(self._load(Event, entity_id))

    def _event_snapshot(self, row: Event) -> dict[str, Any]:
        return {**(snapshot(row) or {}), "languages": self._event_languages(row.id)}

    def _set_event_languages(self, event_id: int, codes: Sequence[str]) -> None:
        self.session.execute(
            delete(EventLanguage).where(EventLanguage.event_id == event_id)  # type: ignore[arg-type]
        )
        for code in codes:
            self.session.add(EventLanguage(event_id=event_id, code=code))

    def create_event(self, data: EventCreate) -> Written:
        _plain_text(data)
        errors = self._parent(Location, "location_id", data.location_id)
        errors += self._parent(Organization, "organization_id", data.organization_id)
        if errors:
            raise Unprocessable(errors)
        self._unique_external_id(Event, data.external_id, None)
        row = Event(
            **data.model_dump(exclude={"languages"}), created_at=self.now, updated_at=self.now
        )
        self.session.add(row)
        self._flush()
        assert row.id is not None
        self._set_event_languages(row.id, data.languages)
        self._flush()
        self._audit("create", "event", row.id, None, self._event_snapshot(row))
        return self.event(row)

    def update_event(self, entity_id: int, data: EventUpdate, if_match: str | None) -> Written:
        _plain_text(data)
        row = self._load(Event, entity_id)
        check_if_match(if_match, self.event(row).etag)
        changes = data.model_dump(exclude_unset=True, exclude={"languages"})
        errors = _not_null(Event, changes)
        if "location_id" in changes:
            errors += self._parent(Location, "location_id", changes["location_id"])
        if "organization_id" in changes:
            errors += self._parent(Organization, "organization_id", changes["organization_id"])
        starts = changes.get("starts_at", row.starts_at)
        ends = changes.get("ends_at", row.ends_at)
        if starts is not None and ends is not None and ends <= starts:
            field = "ends_at" if "ends_at" in changes else "starts_at"
            errors.append(
                {"name": field, "in": "body", "reason": "ends_at must be after starts_at"}
            )
        if errors:
            raise Unprocessable(errors)
        self._unique_external_id(Event, changes.get("external_id"), entity_id)
        before = self._event_snapshot(row)
        self._apply(row, changes)
        if data.languages is not None:
            self._set_event_languages(entity_id, data.languages)
        self._flush()
        self._audit("update", "event", entity_id, before, self._event_snapshot(row))
        return self.event(row)

    def retire_event(self, entity_id: int, if_match: str | None) -> None:
        row = self._load(Event, entity_id)
        self._retire(row, "event", if_match, self.event(row).etag)
