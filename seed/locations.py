"""Places: found again by their normalised address, moved in place, tagged with areas."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, col, select

from api.db.models import Event, Location, Precision, Resource
from api.geo.areas import tag_location
from seed.changes import audit_created, update_fields
from seed.matching import normalized, place_key
from seed.records import LocationRecord

__all__ = ["PLACE_FIELDS", "Locations", "Point", "location_values", "place_fields", "place_of"]

_TAGGED_BY = ("latitude", "longitude", "postal_code")
PLACE_FIELDS = ("name", "address", "city", "state", "postal_code")
"""The fields of a location its place key is made of."""


@dataclass(frozen=True, kw_only=True)
class Point:
    latitude: float
    longitude: float
    precision: Precision


def location_values(record: LocationRecord, point: Point) -> dict[str, Any]:
    """The fields a resource row sets on its location: those the file gives, and the point."""
    values: dict[str, Any] = dict(record.values)
    values.update(
        latitude=point.latitude,
        longitude=point.longitude,
        geocode_precision=point.precision,
    )
    return values


def place_of(fields: Mapping[str, Any], fallback_name: str) -> tuple[str, ...]:
    """The place key of a location's fields (as a row or as given by a file)."""
    return place_key(
        name=fields.get("name") or fallback_name,
        address=fields.get("address"),
        city=fields.get("city"),
        state=fields.get("state"),
        postal_code=fields.get("postal_code"),
    )


def place_fields(location: Location) -> dict[str, Any]:
    return {field: getattr(location, field) for field in PLACE_FIELDS}


class Locations:
    def __init__(self, session: Session, *, actor: str) -> None:
        self.session = session
        self.actor = actor
        self._by_key: dict[tuple[str, ...], list[int]] | None = None

    def reset(self) -> None:
        self._by_key = None

    def find(self, key: tuple[str, ...]) -> Location | None:
        """The first location in the directory at this place."""
        for location_id in self._index().get(key, []):
            location = self.session.get(Location, location_id)
            if location is not None and location.retired_at is None:
                return location
        return None

    def ids(self, key: tuple[str, ...]) -> list[int]:
        return list(self._index().get(key, []))

    def remember(self, key: tuple[str, ...], location_id: int) -> None:
        """A location written without :meth:`upsert` is at this place."""
        self._index().setdefault(key, []).append(location_id)

    def upsert(
        self,
        record: LocationRecord,
        point: Point,
        *,
        current_id: int | None,
        fallback_name: str,
        owner_id: int | None,
    ) -> tuple[Location, bool]:
        """The location for a resource row, and whether it was created or changed.

        A resource keeps its location when the place is the same; a location only this
        resource uses moves with it; otherwise the row finds or creates its own place.
        """
        values = location_values(record, point)
        key = place_of(values, fallback_name)
        location: Location | None = None
        if current_id is not None:
            current = self.session.get(Location, current_id)
            if current is not None and (
                self._key_of(current, fallback_name) == key
                or not self._shared(current.id, owner_id)
            ):
                location = current
        if location is None:
            location = self.find(key)
        if location is None:
            location = Location(**values)
            self.session.add(location)
            audit_created(self.session, location, actor=self.actor, entity="location")
            assert location.id is not None
            self._index().setdefault(key, []).append(location.id)
            tag_location(self.session, location)
            return location, True
        old_key = self._key_of(location, fallback_name)
        moved = any(
            key_ in values and values[key_] != getattr(location, key_) for key_ in _TAGGED_BY
        )
        changed = update_fields(self.session, location, values, actor=self.actor, entity="location")
        if changed:
            new_key = self._key_of(location, fallback_name)
            if new_key != old_key:
                self.reset()
            if moved:
                tag_location(self.session, location)
        return location, changed

    def by_address(self, text: str) -> list[Location]:
        """Locations whose street address (with or without city, state, ZIP) reads ``text``."""
        wanted = normalized(text)
        if not wanted:
            return []
        first = wanted.split()[0]
        candidates = self.session.exec(
            select(Location).where(
                Location.retired_at.is_(None),  # type: ignore[union-attr]
                func.lower(Location.address).like(f"{first}%"),
            )
        ).all()
        found = []
        for location in candidates:
            street = normalized(location.address)
            city, state = normalized(location.city), normalized(location.state)
            zip5 = normalized(location.postal_code)[:5]
            forms = {
                street,
                f"{street} {city}".strip(),
                f"{street} {city} {state}".strip(),
                f"{street} {city} {state} {zip5}".strip(),
                f"{street} {city} {zip5}".strip(),
                f"{street} {zip5}".strip(),
            }
            if wanted in forms:
                found.append(location)
        return found

    def _shared(self, location_id: int | None, owner_id: int | None) -> bool:
        resources = self.session.exec(
            select(func.count())
            .select_from(Resource)
            .where(Resource.location_id == location_id, Resource.id != owner_id)
        ).one()
        events = self.session.exec(
            select(func.count()).select_from(Event).where(Event.location_id == location_id)
        ).one()
        return bool(resources or events)

    def _key_of(self, location: Location, fallback_name: str) -> tuple[str, ...]:
        return place_of(place_fields(location), fallback_name)

    def _index(self) -> dict[tuple[str, ...], list[int]]:
        if self._by_key is None:
            self._by_key = {}
            rows = self.session.execute(
                sa.select(
                    col(Location.id),
                    col(Location.name),
                    col(Location.address),
                    col(Location.city),
                    col(Location.state),
                    col(Location.postal_code),
                )
                .where(col(Location.retired_at).is_(None))
                .order_by(col(Location.id))
            ).all()
            for location_id, *place in rows:
                fields = dict(zip(PLACE_FIELDS, place, strict=True))
                if fields["address"]:
                    self._by_key.setdefault(place_of(fields, ""), []).append(location_id)
        return self._by_key
