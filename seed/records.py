"""Rows of text cells become typed records, or problems naming the cell that was wrong.

Only columns a file has are applied: a column left out of a file leaves that field as it is
in the directory, while an empty cell in a column the file has clears the field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from api.db.models import (
    Category,
    EventStatus,
    OrganizationKind,
    Precision,
    ResourceStatus,
    Support,
)
from api.formats.csv import COLUMNS, STAFF_COLUMNS
from seed.fields import (
    FieldError,
    parse_bool,
    parse_choice,
    parse_coordinate,
    parse_email,
    parse_hours_cell,
    parse_instant,
    parse_language_codes,
    parse_languages,
    parse_text,
    parse_url,
    parse_verified_at,
)
from seed.readers import RawRow
from seed.report import RowProblem

__all__ = [
    "EVENT_COLUMNS",
    "RESOURCE_COLUMNS",
    "RESOURCE_EXTRA_COLUMNS",
    "EventRecord",
    "LocationRecord",
    "OrganizationRecord",
    "ResourceRecord",
    "event_record",
    "resource_record",
]

RESOURCE_COLUMNS = COLUMNS
"""The resource columns every export writes (``api.formats.csv`` owns the list)."""
RESOURCE_EXTRA_COLUMNS = STAFF_COLUMNS
"""The resource columns only the staff export writes."""
EVENT_COLUMNS = (
    "external_id",
    "title",
    "venue",
    "starts_at",
    "ends_at",
    "languages",
    "host",
    "status",
    "description",
    "source_url",
)

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class OrganizationRecord:
    name: str
    values: dict[str, Any]
    """Only the fields the file gives: ``kind``, ``website``, ``doj_recognized``."""


@dataclass(frozen=True, kw_only=True)
class LocationRecord:
    values: dict[str, Any]
    """name, address, city, state, postal_code, confidential: those the file gives."""
    latitude: float | None
    longitude: float | None
    precision: Precision | None

    @property
    def needs_geocoding(self) -> bool:
        return self.latitude is None or self.longitude is None

    @property
    def query(self) -> str:
        parts = [self.values.get(k) for k in ("address", "city", "state", "postal_code")]
        return ", ".join(p for p in parts if p)


@dataclass(kw_only=True)
class ResourceRecord:
    file: str
    line: int
    external_id: str | None
    values: dict[str, Any]
    """Resource fields the file gives, ``category`` and ``name`` always."""
    organization: OrganizationRecord | None
    organization_given: bool
    location: LocationRecord
    languages: list[tuple[str, Support]] | None

    @property
    def name(self) -> str:
        return str(self.values["name"])


@dataclass(kw_only=True)
class EventRecord:
    file: str
    line: int
    external_id: str | None
    values: dict[str, Any]
    venue: str
    host: str | None
    host_given: bool
    languages: list[str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class _Row:
    """Collects every problem of one row instead of stopping at the first."""

    def __init__(self, raw: RawRow) -> None:
        self.raw = raw
        self.problems: list[RowProblem] = raw.nul_problems()

    def has(self, column: str) -> bool:
        return column in self.raw.cells

    def cell(self, column: str) -> str:
        return self.raw.cells.get(column, "")

    def fail(self, column: str, reason: str, value: str | None = None) -> None:
        self.problems.append(
            RowProblem(
                file=self.raw.file,
                line=self.raw.line,
                column=column,
                value=self.cell(column) if value is None else value,
                reason=reason,
            )
        )

    def parse(self, column: str, parser: Callable[[str], T]) -> T | None:
        try:
            return parser(self.cell(column))
        except FieldError as exc:
            self.fail(column, str(exc))
            return None

    def text(self, column: str, max_length: int) -> str | None:
        return self.parse(column, lambda v: parse_text(v, max_length=max_length))

    def put(
        self, target: dict[str, Any], column: str, parser: Callable[[str], Any], key: str = ""
    ) -> None:
        if self.has(column):
            target[key or column] = self.parse(column, parser)


def _text(max_length: int) -> Callable[[str], str | None]:
    return lambda value: parse_text(value, max_length=max_length)


def _url(max_length: int) -> Callable[[str], str | None]:
    def parse(value: str) -> str | None:
        url = parse_url(value)
        if url is not None and len(url) > max_length:
            raise FieldError(f"too long: {len(url)} characters, at most {max_length}")
        return url

    return parse


def resource_record(
    raw: RawRow, *, zone: ZoneInfo, now: datetime
) -> tuple[ResourceRecord | None, list[RowProblem]]:
    row = _Row(raw)
    external_id = row.text("external_id", 100)
    values: dict[str, Any] = {}
    category = row.parse("category", lambda v: parse_choice(_required(v), Category))
    name = row.parse("name", lambda v: parse_text(_required(v), max_length=200))
    values["category"], values["name"] = category, name
    row.put(values, "description", _text(4000))
    row.put(values, "services", _text(2000))
    row.put(values, "phone", _text(40))
    row.put(values, "website", _url(500))
    row.put(values, "email", parse_email)
    row.put(values, "hours", lambda v: _limited(parse_hours_cell(v), 500))
    row.put(values, "fees", _text(500))
    row.put(values, "eligibility", _text(1000))
    row.put(values, "status", lambda v: parse_choice(v or "active", ResourceStatus))
    row.put(values, "verified_at", lambda v: parse_verified_at(v, zone, now=now))
    row.put(values, "source_url", _url(2000))

    organization: OrganizationRecord | None = None
    org_name = row.text("organization", 200)
    if org_name:
        org_values: dict[str, Any] = {}
        if row.has("organization_kind") and row.cell("organization_kind").strip():
            org_values["kind"] = row.parse(
                "organization_kind", lambda v: parse_choice(v, OrganizationKind)
            )
        if row.has("organization_website") and row.cell("organization_website").strip():
            org_values["website"] = row.parse("organization_website", _url(500))
        if row.has("doj_recognized") and row.cell("doj_recognized").strip():
            org_values["doj_recognized"] = row.parse("doj_recognized", parse_bool)
        organization = OrganizationRecord(name=org_name, values=org_values)
    else:
        for column in ("organization_kind", "organization_website", "doj_recognized"):
            if row.cell(column).strip():
                row.fail(column, "given without an organization name")

    location = _location(row)
    languages = row.parse("languages", parse_languages) if row.has("languages") else None
    if row.problems:
        return None, row.problems
    return (
        ResourceRecord(
            file=raw.file,
            line=raw.line,
            external_id=external_id,
            values=values,
            organization=organization,
            organization_given=row.has("organization"),
            location=location,
            languages=languages,
        ),
        [],
    )


def _location(row: _Row) -> LocationRecord:
    values: dict[str, Any] = {}
    row.put(values, "location_name", _text(200), key="name")
    row.put(values, "address", _text(300))
    row.put(values, "city", _text(100))
    row.put(values, "state", _text(50))
    row.put(values, "postal_code", _text(10))
    row.put(values, "confidential", parse_bool)
    latitude = longitude = None
    geometry = row.raw.geometry
    if geometry is not None:
        coordinates = geometry.get("coordinates")
        if (
            geometry.get("type") != "Point"
            or not isinstance(coordinates, list)
            or len(coordinates) < 2
        ):
            row.fail("geometry", "expected a Point with [longitude, latitude]", str(coordinates))
        else:
            longitude = row.parse(
                "geometry", lambda _: parse_coordinate(str(coordinates[0]), low=-180, high=180)
            )
            latitude = row.parse(
                "geometry", lambda _: parse_coordinate(str(coordinates[1]), low=-90, high=90)
            )
    else:
        if row.cell("latitude").strip():
            latitude = row.parse("latitude", lambda v: parse_coordinate(v, low=-90, high=90))
        if row.cell("longitude").strip():
            longitude = row.parse("longitude", lambda v: parse_coordinate(v, low=-180, high=180))
        if bool(row.cell("latitude").strip()) != bool(row.cell("longitude").strip()):
            missing = "longitude" if row.cell("latitude").strip() else "latitude"
            row.fail(missing, "latitude and longitude go together: give both or neither")
    precision: Precision | None = None
    if row.cell("precision").strip():
        precision = row.parse("precision", lambda v: parse_choice(v, Precision))
    has_point = bool(row.cell("latitude").strip() and row.cell("longitude").strip()) or (
        geometry is not None
    )
    if not has_point:
        address = values.get("address")
        city, state = values.get("city"), values.get("state")
        if not values.get("postal_code") and not (address and city and state):
            row.fail(
                "address",
                "cannot place this row: give latitude and longitude, a postal_code, "
                "or an address with city and state",
            )
    return LocationRecord(
        values=values, latitude=latitude, longitude=longitude, precision=precision
    )


def event_record(raw: RawRow, *, zone: ZoneInfo) -> tuple[EventRecord | None, list[RowProblem]]:
    row = _Row(raw)
    external_id = row.text("external_id", 100)
    values: dict[str, Any] = {}
    values["title"] = row.parse("title", lambda v: parse_text(_required(v), max_length=300))
    venue = row.parse("venue", lambda v: parse_text(_required(v), max_length=300))
    starts_at = row.parse("starts_at", lambda v: parse_instant(v, zone))
    values["starts_at"] = starts_at
    if row.has("ends_at"):
        ends_at = row.parse("ends_at", lambda v: parse_instant(v, zone) if v.strip() else None)
        values["ends_at"] = ends_at
        if starts_at is not None and ends_at is not None and ends_at <= starts_at:
            row.fail("ends_at", "the event ends before (or when) it starts")
    row.put(values, "status", lambda v: parse_choice(v or "scheduled", EventStatus))
    row.put(values, "description", _text(4000))
    row.put(values, "source_url", _url(2000))
    host = row.text("host", 200)
    languages = row.parse("languages", parse_language_codes) if row.has("languages") else None
    if row.problems or venue is None:
        return None, row.problems
    return (
        EventRecord(
            file=raw.file,
            line=raw.line,
            external_id=external_id,
            values=values,
            venue=venue,
            host=host,
            host_given=row.has("host"),
            languages=languages,
        ),
        [],
    )


def _required(value: str) -> str:
    if not value.strip():
        raise FieldError("required: this cell may not be empty")
    return value


def _limited(value: str | None, max_length: int) -> str | None:
    if value is not None and len(value) > max_length:
        raise FieldError(f"too long: {len(value)} characters, at most {max_length}")
    return value
