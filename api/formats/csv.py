"""The resources CSV: exactly the import format's columns, so an export re-imports unchanged.

One row per resource at its location. ``languages`` is written ``es:staff;vi:interpreter``
(sorted by code), coordinates with Python's shortest round-tripping float text, times in ISO
8601 with their UTC offset, ``confidential`` as ``true``/``false``. The rows are written one
chunk at a time so the whole directory is never one string.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from enum import Enum

from api.directory.schemas import ResourcePublic

__all__ = [
    "COLUMNS",
    "MEDIA_TYPE",
    "csv_chunks",
    "format_languages",
    "format_value",
    "resource_row",
]

MEDIA_TYPE = "text/csv"
"""Sent as ``text/csv; charset=utf-8`` (Litestar adds the charset to text types)."""

COLUMNS: tuple[str, ...] = (
    "external_id",
    "category",
    "name",
    "organization",
    "organization_kind",
    "description",
    "address",
    "city",
    "state",
    "postal_code",
    "latitude",
    "longitude",
    "phone",
    "website",
    "email",
    "languages",
    "hours",
    "fees",
    "verified_at",
    "source_url",
    "confidential",
)

Value = str | float | int | bool | datetime | Enum | None


def format_value(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat()
    return str(value)


def format_languages(languages: Iterable[tuple[str, str]]) -> str:
    """``[("vi", "interpreter"), ("es", "staff")]`` -> ``es:staff;vi:interpreter``."""
    return ";".join(f"{code}:{support}" for code, support in sorted(languages))


def resource_row(resource: ResourcePublic) -> dict[str, Value]:
    """A resource as the public sees it: a confidential location has no street address and
    its coordinates are its area's centre, exactly as in the JSON API."""
    organization = resource.organization
    location = resource.location
    return {
        "external_id": resource.external_id,
        "category": resource.category,
        "name": resource.name,
        "organization": organization.name if organization else None,
        "organization_kind": organization.kind if organization else None,
        "description": resource.description,
        "address": None if location.confidential else location.address,
        "city": location.city,
        "state": location.state,
        "postal_code": location.postal_code,
        "latitude": location.latitude,
        "longitude": location.longitude,
        "phone": resource.phone,
        "website": resource.website,
        "email": resource.email,
        "languages": format_languages(
            (language.code, language.support or "staff") for language in resource.languages
        ),
        "hours": resource.hours,
        "fees": resource.fees,
        "verified_at": resource.verified_at,
        "source_url": resource.source_url,
        "confidential": location.confidential,
    }


def csv_chunks(rows: Iterable[Mapping[str, Value]]) -> Iterator[str]:
    """The header, then one chunk per row; a column missing from a row is written empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(COLUMNS)
    yield flush()
    for row in rows:
        writer.writerow([format_value(row.get(column)) for column in COLUMNS])
        yield flush()
