"""Open Referral HSDS 3.0: resources as nested ``service`` objects, for directories that
speak the Human Services Data Specification.

Each resource becomes a service with its organization, its one service_at_location (with
the location, its physical address and its weekly schedules), its languages and its phone.
HSDS identifiers are UUIDs: each is derived from Puente's own id with a fixed namespace, so
the same row always gets the same identifier and a partner's re-import matches its records.
Opening hours become one weekly schedule (``freq: WEEKLY``) per group of days sharing the
same span; a confidential location is given with its public point and no address, as in
every other public format. The array is written one service per chunk.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from api.db.models import ResourceStatus, Support
from api.directory.hours import DAYS, HoursError, parse_hours
from api.directory.schemas import LocationPublic, OrganizationSummary, ResourcePublic

__all__ = ["MEDIA_TYPE", "NAMESPACE", "hsds_id", "service", "services_chunks"]

MEDIA_TYPE = "application/json"
NAMESPACE = uuid.UUID("1f0c8c1e-3b59-5c55-9d44-8a2c3e1b7f60")
"""Namespace of Puente's HSDS identifiers (``uuid5(NAMESPACE, "resource:7")``)."""

_STATUS = {
    ResourceStatus.ACTIVE: "active",
    ResourceStatus.TEMPORARILY_CLOSED: "temporarily closed",
    ResourceStatus.INACTIVE: "inactive",
}
_MINUTES_PER_DAY = 24 * 60


def hsds_id(kind: str, key: int | str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def _clock(minutes: int) -> str:
    """``HH:MM``; an end at midnight is 23:59 (HSDS times are within one day), and the end
    of a span past midnight is its clock time on the next day."""
    if minutes == _MINUTES_PER_DAY:
        return "23:59"
    minutes %= _MINUTES_PER_DAY
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _schedules(hours: str | None, *, service_id: str) -> list[dict[str, Any]]:
    if not hours:
        return []
    try:
        weekly = parse_hours(hours)
    except HoursError:
        return [{"id": hsds_id("schedule", f"{service_id}:text"), "description": hours}]
    groups: dict[tuple[int, int], list[str]] = {}
    for day, spans in zip(DAYS, weekly.days, strict=True):
        for span in spans:
            groups.setdefault(span, []).append(day.upper())
    return [
        {
            "id": hsds_id("schedule", f"{service_id}:{start}-{end}"),
            "service_id": service_id,
            "freq": "WEEKLY",
            "byday": ",".join(days),
            "opens_at": _clock(start),
            "closes_at": _clock(end),
            "description": hours,
        }
        for (start, end), days in sorted(groups.items())
    ]


def _organization(organization: OrganizationSummary | None) -> dict[str, Any] | None:
    if organization is None:
        return None
    return {
        "id": hsds_id("organization", organization.id),
        "name": organization.name,
        "description": "",
        "website": organization.website,
    }


def _location(location: LocationPublic) -> dict[str, Any]:
    identifier = hsds_id("location", location.id)
    addresses = []
    if not location.confidential and location.address:
        addresses.append(
            {
                "id": hsds_id("address", location.id),
                "location_id": identifier,
                "address_1": location.address,
                "city": location.city or "",
                "state_province": location.state or "",
                "postal_code": location.postal_code or "",
                "country": "US",
                "address_type": "physical",
            }
        )
    return {
        "id": identifier,
        "location_type": "physical",
        "name": None if location.confidential else location.name,
        "latitude": location.latitude,
        "longitude": location.longitude,
        "addresses": addresses,
    }


def service(resource: ResourcePublic) -> dict[str, Any]:
    """One resource as an HSDS 3.0 service object."""
    identifier = hsds_id("resource", resource.id)
    interpreted = [
        language.name for language in resource.languages if language.support == Support.INTERPRETER
    ]
    location = _location(resource.location)
    return {
        "id": identifier,
        "organization_id": (
            hsds_id("organization", resource.organization.id) if resource.organization else None
        ),
        "name": resource.name,
        "description": resource.description,
        "url": resource.website,
        "email": resource.email,
        "status": _STATUS[resource.status],
        "interpretation_services": (
            "Interpreters: " + ", ".join(interpreted) if interpreted else None
        ),
        "fees_description": resource.fees,
        "eligibility_description": resource.eligibility,
        "assured_date": resource.verified_at.date().isoformat() if resource.verified_at else None,
        "last_modified": resource.updated_at.isoformat(),
        "organization": _organization(resource.organization),
        "phones": (
            [{"id": hsds_id("phone", resource.id), "number": resource.phone}]
            if resource.phone
            else []
        ),
        "languages": [
            {
                "id": hsds_id("language", f"{resource.id}:{language.code}"),
                "service_id": identifier,
                "name": language.name,
                "code": language.code,
                "note": language.support.value if language.support else None,
            }
            for language in resource.languages
        ],
        "service_at_locations": [
            {
                "id": hsds_id("service_at_location", resource.id),
                "service_id": identifier,
                "location_id": location["id"],
                "location": location,
                "schedules": _schedules(resource.hours, service_id=identifier),
            }
        ],
        "attributes": [
            {
                "id": hsds_id("attribute", resource.id),
                "link_id": identifier,
                "link_type": "service",
                "label": "category",
                "value": resource.category.value,
            }
        ],
        "metadata": (
            [
                {
                    "id": hsds_id("metadata", resource.id),
                    "resource_id": identifier,
                    "resource_type": "service",
                    "last_action_date": resource.verified_at.isoformat(),
                    "last_action_type": "verified",
                    "field_name": "",
                    "previous_value": "",
                    "replacement_value": resource.source_url or "",
                    "updated_by": "puente",
                }
            ]
            if resource.verified_at
            else []
        ),
    }


def services_chunks(resources: Iterable[ResourcePublic]) -> Iterator[str]:
    """A JSON array of services, one per chunk."""
    yield "["
    separator = "\n"
    for resource in resources:
        yield separator + json.dumps(service(resource), ensure_ascii=False, default=str)
        separator = ",\n"
    yield "\n]\n"
