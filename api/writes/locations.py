"""Staff writes to locations: a moved address is geocoded again, a moved point re-tagged."""

from __future__ import annotations

from datetime import datetime

from api.db.models import Location, LocationBase, Precision
from api.directory.audit import snapshot
from api.directory.schemas import LocationCreate, LocationUpdate
from api.errors import Unavailable, Unprocessable
from api.geo.areas import tag_location
from api.geo.geocoding import GeocodeUnavailable, geocode
from api.writes.steps import Steps, Written, check_if_match, not_null, plain_text

__all__ = ["ADDRESS_FIELDS", "LocationRecord", "LocationWriter"]

ADDRESS_FIELDS = ("address", "city", "state", "postal_code")
"""A change to any of these without new coordinates asks the geocoder again."""


class LocationRecord(LocationBase):
    """A location as staff see it: the street address and true point included."""

    id: int
    updated_at: datetime


class LocationWriter(Steps):
    """Read, create, update and retire locations (answered as :class:`LocationRecord`)."""

    def represent(self, row: Location) -> Written:
        assert row.id is not None
        body = LocationRecord.model_validate(row, from_attributes=True).model_dump_json()
        return Written.of(row.id, body.encode())

    def read(self, entity_id: int) -> Written:
        return self.represent(self._load(Location, entity_id))

    def create(self, data: LocationCreate) -> Written:
        plain_text(data)
        self._unique_external_id(Location, data.external_id, None)
        row = Location(**data.model_dump(), created_at=self.now, updated_at=self.now)
        self.session.add(row)
        self._flush()
        tag_location(self.session, row)
        self._audit("create", "location", row.id, None, snapshot(row))
        return self.represent(row)

    def update(self, entity_id: int, data: LocationUpdate, if_match: str | None) -> Written:
        plain_text(data)
        row = self._load(Location, entity_id)
        check_if_match(if_match, self.represent(row).etag)
        changes = data.model_dump(exclude_unset=True)
        if errors := not_null(Location, changes):
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
            tag_location(self.session, row)
        self._audit("update", "location", entity_id, before, snapshot(row))
        return self.represent(row)

    def retire(self, entity_id: int, if_match: str | None) -> None:
        row = self._load(Location, entity_id)
        self._retire_row(row, "location", if_match, self.represent(row).etag)

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
