"""What an update changes in a listing, field by field, as a preview shows it.

A listing is its resource's columns, its languages, its location's and its organization's
columns (``location.address``, ``organization.website``, the organization's name as
``organization``), flattened into one mapping of shown values by :func:`listing_fields`.
The importer takes that mapping before and after it writes a row that updates, and
:func:`field_changes` names the fields that differ, old and new, in the mapping's order.
Keys and bookkeeping (ids, timestamps, the search text) are never shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from api.db.models import Location, Organization, Resource, Support
from api.directory.audit import snapshot
from seed.changes import same
from seed.report import FieldChange

__all__ = ["HIDDEN", "field_changes", "listing_fields", "load_listing_fields"]

HIDDEN = frozenset(
    {"id", "external_id", "location_id", "organization_id", "created_at", "updated_at"}
)
"""Columns no preview shows: keys and bookkeeping."""


def listing_fields(
    resource: Mapping[str, Any],
    *,
    languages: list[tuple[str, Support]] | None,
    location: Mapping[str, Any] | None = None,
    organization: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One listing as a flat mapping: the resource's columns, ``languages`` (``es:staff;
    vi:interpreter``), then ``location.*`` and ``organization`` / ``organization.*``.

    ``None`` leaves a part out (the caller knows it does not change)."""
    fields = {key: value for key, value in resource.items() if key not in HIDDEN}
    if languages is not None:
        fields["languages"] = "; ".join(f"{code}:{Support(s).value}" for code, s in languages)
    for prefix, row in (("location.", location), ("organization.", organization)):
        if row is None:
            continue
        for key, value in row.items():
            if key in HIDDEN:
                continue
            name = "organization" if prefix == "organization." and key == "name" else prefix + key
            fields[name] = value
    return fields


def load_listing_fields(
    session: Session, resource: Resource, languages: list[tuple[str, Support]]
) -> dict[str, Any]:
    """:func:`listing_fields` of a resource as the session holds it now."""
    location = session.get(Location, resource.location_id) if resource.location_id else None
    organization = (
        session.get(Organization, resource.organization_id) if resource.organization_id else None
    )
    return listing_fields(
        snapshot(resource) or {},
        languages=languages,
        location=snapshot(location) or {},
        organization=snapshot(organization) or {},
    )


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """The fields whose values differ, old -> new, in ``before``'s order then ``after``'s."""
    changes: list[FieldChange] = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key), after.get(key)
        if not same(old, new):
            changes.append(FieldChange(field=key, old=_shown(old), new=_shown(new)))
    return tuple(changes)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(_shown(item) for item in value)
    return str(value)
