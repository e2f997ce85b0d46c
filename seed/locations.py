"""Places: found again by their normalised address, moved in place, tagged with areas."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from api.geo.areas import tag_location
from api.models import Event, Location, Precision, Resource
from seed.changes import audit_created, update_fields
from seed.matching import normalized, place_key
from seed.records import LocationRecord

__all__ = ["Locations", "Point"]

_TAGGED_BY = ("latitude", "longitude", "postal_code")


@dataclass(frozen=True, kw_only=True)
class Point:
    latitude: float
    longitude: float
    precision: Precision


class Locations:
    def __init__(self, session: Session, *, actor: str) -> None:
        self.session = session
        self.actor = actor
        self._by_key: dict[tuple[str, ...], list[int]] | None = None

    def reset(self) -> None:
        self._by_key = None

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
        values: dict[str, Any] = dict(record.values)
        values.update(
            latitude=point.latitude,
            longitude=point.longitude,
            geocode_precision=point.precision,
        )
        key = self._key(values, fallback_name)
        location: Location | None = None
        if current_id is not None:
            current = self.session.get(Location, current_id)
            if current is not None and (
                self._key_of(current, fallback_name) == key
                or not self._shared(current.id, owner_id)
            ):
                location = current
        if location is None:
            location = self._find(key, fallback_name)
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

    def _find(self, key: tuple[str, ...], fallback_name: str) -> Location | None:
        for location_id in self._index().get(key, []):
            location = self.session.get(Location, location_id)
            if location is not None and location.retired_at is None:
                return location
        return None

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

    def _key(self, values: dict[str, Any], fallback_name: str) -> tuple[str, ...]:
        return place_key(
            name=values.get("name") or fallback_name,
            address=values.get("address"),
            city=values.get("city"),
            state=values.get("state"),
            postal_code=values.get("postal_code"),
        )

    def _key_of(self, location: Location, fallback_name: str) -> tuple[str, ...]:
        return place_key(
            name=location.name or fallback_name,
            address=location.address,
            city=location.city,
            state=location.state,
            postal_code=location.postal_code,
        )

    def _index(self) -> dict[tuple[str, ...], list[int]]:
        if self._by_key is None:
            self._by_key = {}
            rows = self.session.exec(
                select(Location).where(Location.retired_at.is_(None))  # type: ignore[union-attr]
            ).all()
            for location in rows:
                assert location.id is not None
                if location.address:
                    key = self._key_of(location, "")
                    self._by_key.setdefault(key, []).append(location.id)
        return self._by_key
