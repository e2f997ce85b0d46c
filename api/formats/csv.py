"""The resources CSV: the import format's columns, so an export re-imports unchanged.

This module owns the import format's resource columns: ``COLUMNS`` are the public view's,
``STAFF_COLUMNS`` are the ones only the staff export writes, and ``FULL_COLUMNS`` both, in
the order the full export writes them. The importer and the benchmark data use these lists.

One row per resource at its location. ``languages`` is written ``es:staff;vi:interpreter``
(sorted by code), coordinates with Python's shortest round-tripping float text, times in ISO
8601 with their UTC offset, ``confidential`` as ``true``/``false``. The rows are written one
chunk at a time so the whole directory is never one string.

Every cell is formula-safe (OWASP's rule for CSV injection): a cell a spreadsheet would
read as a formula, one starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return, is written with a single quote in front. A cell that is a plain decimal number
(``-96.79``) is no formula and is written as it is. So that the quote itself stays
unambiguous, a cell that already starts with quotes followed by one of those characters
gets one more quote. ``unescape_cell`` undoes exactly that, so export -> import gives
back the original text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from enum import Enum

from api.db.models import Location, Organization, Resource
from api.directory.full_export import StoredResource
from api.directory.schemas import LocationPublic, OrganizationSummary, ResourcePublic

__all__ = [
    "COLUMNS",
    "FULL_COLUMNS",
    "MEDIA_TYPE",
    "STAFF_COLUMNS",
    "csv_chunks",
    "escape_cell",
    "format_languages",
    "format_value",
    "resource_row",
    "staff_row",
    "unescape_cell",
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
"""The public view's columns: what ``/api/v1/resources.csv`` and ``puente export`` write."""

STAFF_COLUMNS: tuple[str, ...] = (
    "services",
    "eligibility",
    "status",
    "precision",
    "location_name",
    "organization_website",
    "doj_recognized",
)
"""Import columns the public view leaves out; the staff export writes them too."""

FULL_COLUMNS: tuple[str, ...] = COLUMNS + STAFF_COLUMNS

_FORMULA = re.compile(r"'*[=+\-@\t\r]")
"""Quotes (any number, none included) before a character that starts a formula."""
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")

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


def escape_cell(text: str) -> str:
    """``=HYPERLINK(...)`` -> ``'=HYPERLINK(...)``; ``-96.79`` and ``Free`` stay as they are."""
    if _FORMULA.match(text) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def unescape_cell(text: str) -> str:
    """The inverse of :func:`escape_cell`: ``'=HYPERLINK(...)`` -> ``=HYPERLINK(...)``."""
    return text[1:] if _ESCAPED.match(text) else text


def format_languages(languages: Iterable[tuple[str, str]]) -> str:
    """``[("vi", "interpreter"), ("es", "staff")]`` -> ``es:staff;vi:interpreter``."""
    return ";".join(f"{code}:{support}" for code, support in sorted(languages))


_RESOURCE_FIELDS = (
    "external_id",
    "category",
    "name",
    "description",
    "phone",
    "website",
    "email",
    "hours",
    "fees",
    "verified_at",
    "source_url",
)
_LOCATION_FIELDS = ("city", "state", "postal_code", "latitude", "longitude", "confidential")


def _shared_cells(
    resource: ResourcePublic | Resource,
    location: LocationPublic | Location,
    organization: OrganizationSummary | Organization | None,
) -> dict[str, Value]:
    """The cells both views fill the same way (the public shapes and the tables share
    these field names)."""
    row: dict[str, Value] = {field: getattr(resource, field) for field in _RESOURCE_FIELDS}
    row.update({field: getattr(location, field) for field in _LOCATION_FIELDS})
    row["organization"] = organization.name if organization else None
    row["organization_kind"] = organization.kind if organization else None
    return row


def resource_row(resource: ResourcePublic) -> dict[str, Value]:
    """A resource as the public sees it: a confidential location has no street address and
    its coordinates are its area's centre, exactly as in the JSON API."""
    location = resource.location
    row = _shared_cells(resource, location, resource.organization)
    row["address"] = None if location.confidential else location.address
    row["languages"] = format_languages(
        (language.code, language.support or "staff") for language in resource.languages
    )
    return row


def staff_row(stored: StoredResource) -> dict[str, Value]:
    """A resource as stored, in every import column: a confidential location keeps its
    street address and its own point. Staff only."""
    resource, location, organization = stored.resource, stored.location, stored.organization
    row = _shared_cells(resource, location, organization)
    row.update(
        address=location.address,
        languages=format_languages(stored.languages),
        services=resource.services,
        eligibility=resource.eligibility,
        status=resource.status,
        precision=location.geocode_precision,
        location_name=location.name,
        organization_website=organization.website if organization else None,
        doj_recognized=organization.doj_recognized if organization else None,
    )
    return row


def csv_chunks(
    rows: Iterable[Mapping[str, Value]], *, columns: tuple[str, ...] = COLUMNS
) -> Iterator[str]:
    """The header, then one chunk per row; a column missing from a row is written empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(columns)
    yield flush()
    for row in rows:
        writer.writerow([escape_cell(format_value(row.get(column))) for column in columns])
        yield flush()
