"""Open Referral HSDS 3.1: resources as services, organizations, service_at_locations and
a published taxonomy, shaped as the specification's API returns them.

Records omit what Puente does not know (HSDS schemas want a string or an object, never
``null``). Identifiers are UUIDs: a record imported from HSDS keeps its partner's UUID
(kept as its ``external_id``); any other record gets ``uuid5(NAMESPACE, "resource:7")``
from Puente's own id, so the same row always has the same identifier. Child records
(phones, languages, schedules, addresses, attributes) derive theirs from their parent's.

Categories and languages are two published taxonomies; each service is tagged with its
terms through ``attributes``. Opening hours become one weekly schedule (``freq: WEEKLY``)
per group of days sharing a span; times carry the region's UTC offset, and the schedule
says for which dates that offset holds (``valid_from``/``valid_to``, bounded by the zone's
daylight-saving changes). A confidential location keeps its public point (its area's
centre) and says so; it has no name and no street address, as in every public format.
A retired resource is a ``defunct`` service, so a partner's mirror follows deletions.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from api.db.models import Category, ResourceStatus, Support
from api.directory.hours import DAYS, HoursError, parse_hours
from api.directory.languages import language_name
from api.directory.schemas import (
    LocationPublic,
    OrganizationPublic,
    OrganizationSummary,
    ResourcePublic,
)

__all__ = [
    "CATEGORY_TAXONOMY",
    "DOJ_RECOGNIZED",
    "KIND",
    "LANGUAGE_TAXONOMY",
    "MEDIA_TYPE",
    "NAMESPACE",
    "NDJSON_MEDIA_TYPE",
    "PRECISION",
    "VERSION",
    "WITHHELD",
    "Encoder",
    "category_term",
    "hsds_id",
    "language_term",
    "record_id",
    "services_chunks",
    "taxonomies",
    "taxonomy",
]

MEDIA_TYPE = "application/json"
NDJSON_MEDIA_TYPE = "application/x-ndjson"
VERSION = "3.1"
NAMESPACE = uuid.UUID("1f0c8c1e-3b59-5c55-9d44-8a2c3e1b7f60")
"""Namespace of Puente's HSDS identifiers (``uuid5(NAMESPACE, "resource:7")``)."""

CATEGORY_TAXONOMY = "puente-categories"
LANGUAGE_TAXONOMY = "puente-languages"
_TAXONOMIES = {
    CATEGORY_TAXONOMY: (
        "Puente categories",
        "What kind of help a listing offers: meeting venues, legal aid, partners and more.",
    ),
    LANGUAGE_TAXONOMY: (
        "Languages (ISO 639)",
        "Languages a listing works in; an attribute's value says how (staff, interpreter "
        "or materials).",
    ),
}
_CATEGORY_NAMES = {
    Category.MEETING_VENUE: ("Meeting venue", "A place that hosts community meetings."),
    Category.LEGAL_AID: ("Legal aid", "Immigration legal help: clinics, attorneys, advice."),
    Category.COMMUNITY_PARTNER: ("Community partner", "A group that helps residents directly."),
    Category.CONSULATE: ("Consulate", "A foreign government's consulate."),
    Category.POLICE_STATION: ("Police station", "A police facility open to the public."),
}
_STATUS = {
    ResourceStatus.ACTIVE: "active",
    ResourceStatus.TEMPORARILY_CLOSED: "temporarily closed",
    ResourceStatus.INACTIVE: "inactive",
}
DEFUNCT = "defunct"
KIND, DOJ_RECOGNIZED, PRECISION = "kind", "doj_recognized", "geocode_precision"
"""Labels of the attributes that carry what HSDS has no field for: an organization's kind
and DOJ recognition, a location's geocoding precision (an HSDS import reads them back)."""
WITHHELD = "Address withheld"
"""How a confidential location's description begins (an HSDS import reads it back)."""
_MINUTES_PER_DAY = 24 * 60


@lru_cache(maxsize=1 << 16)
def hsds_id(kind: str, key: int | str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def record_id(kind: str, key: int, external_id: str | None) -> str:
    """A record's HSDS id: the UUID it was imported with, else one derived from its id."""
    if external_id:
        try:
            return str(uuid.UUID(external_id))
        except ValueError:
            pass
    return hsds_id(kind, key)


def _present(record: dict[str, Any]) -> dict[str, Any]:
    """The record without what it does not have: no ``null``, no empty list."""
    return {key: value for key, value in record.items() if value is not None and value != []}


def _clock(minutes: int) -> str:
    """``HH:MM``; an end at midnight is 23:59 (HSDS times are within one day), and the end
    of a span past midnight is its clock time on the next day."""
    if minutes == _MINUTES_PER_DAY:
        return "23:59"
    minutes %= _MINUTES_PER_DAY
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _offset_text(offset: timedelta) -> str:
    total = int(offset.total_seconds()) // 60
    sign = "-" if total < 0 else "+"
    hours, minutes = divmod(abs(total), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


@lru_cache(maxsize=64)
def _offset_period(zone: ZoneInfo, today: date) -> tuple[timedelta, date | None, date | None]:
    """The zone's UTC offset on ``today`` at noon, and the first and last day (within a
    year either side) with that same offset; ``None`` where it does not change."""

    def offset(day: date) -> timedelta:
        moment = datetime(day.year, day.month, day.day, 12, tzinfo=zone)
        found = moment.utcoffset()
        return found if found is not None else timedelta(0)

    current = offset(today)
    first: date | None = None
    last: date | None = None
    for step in range(1, 367):
        if offset(today - timedelta(days=step)) != current:
            first = today - timedelta(days=step - 1)
            break
    for step in range(1, 367):
        if offset(today + timedelta(days=step)) != current:
            last = today + timedelta(days=step - 1)
            break
    return current, first, last


def _term(taxonomy: str, code: str, name: str, description: str) -> dict[str, Any]:
    return {
        "id": hsds_id("taxonomy_term", f"{taxonomy}:{code}"),
        "code": code,
        "name": name,
        "description": description,
        "taxonomy": taxonomy,
        "taxonomy_id": hsds_id("taxonomy", taxonomy),
    }


@lru_cache(maxsize=8)
def _taxonomy(name: str) -> tuple[str, str, str]:
    title, description = _TAXONOMIES[name]
    return hsds_id("taxonomy", name), title, description


def taxonomy(name: str) -> dict[str, Any]:
    identifier, title, description = _taxonomy(name)
    return {"id": identifier, "name": title, "description": description}


def taxonomies() -> list[dict[str, Any]]:
    return [taxonomy(name) for name in _TAXONOMIES]


def category_term(category: Category) -> dict[str, Any]:
    name, description = _CATEGORY_NAMES.get(category, (category.value, category.value))
    return _term(CATEGORY_TAXONOMY, category.value, name, description)


def language_term(code: str) -> dict[str, Any]:
    name = _language_name(code)
    return _term(LANGUAGE_TAXONOMY, code, name, f"Help offered in {name}.") | {"language": code}


@lru_cache(maxsize=1024)
def _language_name(code: str) -> str:
    return language_name(code)


@dataclass(frozen=True, kw_only=True)
class Encoder:
    """Shapes Puente's public records as HSDS; ``zone`` and ``today`` date the schedules."""

    zone: ZoneInfo
    today: date
    organizations: Mapping[int, OrganizationPublic] | None = None
    """Organizations by id, for their descriptions and contacts (a summary otherwise)."""
    retired: frozenset[int] = frozenset()
    """Ids of retired resources: ``defunct`` services."""

    # --- services ------------------------------------------------------------------------

    def service(self, resource: ResourcePublic, *, full: bool = True) -> dict[str, Any]:
        """A service: with every related record when ``full``, else its own fields."""
        identifier = self.service_id(resource)
        interpreted = [
            language.name
            for language in resource.languages
            if language.support == Support.INTERPRETER
        ]
        record = _present(
            {
                "id": identifier,
                "organization_id": self.organization_id(resource),
                "name": resource.name,
                "description": resource.description,
                "url": resource.website,
                "email": resource.email,
                "status": self.status(resource),
                "interpretation_services": (
                    "Interpreters: " + ", ".join(interpreted) if interpreted else None
                ),
                "fees_description": resource.fees,
                "eligibility_description": resource.eligibility,
                "assured_date": (
                    resource.verified_at.astimezone(self.zone).date().isoformat()
                    if resource.verified_at
                    else None
                ),
                "last_modified": resource.updated_at.isoformat(),
            }
        )
        organization = self._organization_summary(resource, full=full)
        if organization is not None:
            record["organization"] = organization
        if not full:
            return record
        return _present(
            record
            | {
                "additional_urls": (
                    [
                        {
                            "id": hsds_id("url", identifier),
                            "service_id": identifier,
                            "label": "source",
                            "url": resource.source_url,
                        }
                    ]
                    if resource.source_url
                    else None
                ),
                "phones": self._phones(resource, identifier),
                "languages": [
                    _present(
                        {
                            "id": hsds_id("language", f"{identifier}:{language.code}"),
                            "service_id": identifier,
                            "name": language.name,
                            "code": language.code,
                            "note": language.support.value if language.support else None,
                        }
                    )
                    for language in resource.languages
                ],
                "service_at_locations": [self.service_at_location(resource, nested=True)],
                "attributes": self._attributes(resource, identifier),
            }
        )

    def service_id(self, resource: ResourcePublic) -> str:
        return record_id("resource", resource.id, resource.external_id)

    def status(self, resource: ResourcePublic) -> str:
        return DEFUNCT if resource.id in self.retired else _STATUS[resource.status]

    def organization_id(self, resource: ResourcePublic) -> str | None:
        organization = resource.organization
        if organization is None:
            return None
        known = (self.organizations or {}).get(organization.id)
        return record_id("organization", organization.id, known.external_id if known else None)

    def _organization_summary(
        self, resource: ResourcePublic, *, full: bool
    ) -> dict[str, Any] | None:
        summary = resource.organization
        if summary is None:
            return None
        known = (self.organizations or {}).get(summary.id)
        if known is not None:
            record = self.organization(known, full=False)
        else:
            record = _present(
                {
                    "id": self.organization_id(resource),
                    "name": summary.name,
                    "description": summary.name,
                    "website": summary.website,
                }
            )
        if not full:  # a list's service names its organization, no more
            return record
        return record | {"attributes": _organization_attributes(record["id"], summary)}

    def _phones(self, resource: ResourcePublic, identifier: str) -> list[dict[str, Any]]:
        if not resource.phone:
            return []
        return [
            {"id": hsds_id("phone", identifier), "service_id": identifier, "number": resource.phone}
        ]

    def _attributes(self, resource: ResourcePublic, identifier: str) -> list[dict[str, Any]]:
        def tagged(term: dict[str, Any], value: str | None, label: str) -> dict[str, Any]:
            return _present(
                {
                    "id": hsds_id("attribute", f"{identifier}:{term['id']}"),
                    "link_id": identifier,
                    "link_type": "service",
                    "link_entity": "service",
                    "taxonomy_term_id": term["id"],
                    "taxonomy_term": term,
                    "label": label,
                    "value": value,
                }
            )

        found = [tagged(category_term(resource.category), resource.category.value, "category")]
        found += [
            tagged(
                language_term(language.code),
                language.support.value if language.support else None,
                "language",
            )
            for language in resource.languages
        ]
        if resource.services:
            found.append(
                {
                    "id": hsds_id("attribute", f"{identifier}:services"),
                    "link_id": identifier,
                    "link_type": "service",
                    "link_entity": "service",
                    "label": "services",
                    "value": resource.services,
                }
            )
        return found

    # --- service_at_locations and locations ----------------------------------------------

    def service_at_location(
        self, resource: ResourcePublic, *, nested: bool = False, full: bool = True
    ) -> dict[str, Any]:
        """The resource at its location; a top-level one (not ``nested``) carries its
        service, a full one its schedules and the location's address."""
        service_id = self.service_id(resource)
        identifier = hsds_id("service_at_location", service_id)
        location = self.location(resource.location, full=full)
        record = {
            "id": identifier,
            "service_id": service_id,
            "location_id": location["id"],
            "location": location,
        }
        if not nested:
            record["service"] = self.service(resource, full=False)
        if full:
            record["schedules"] = self._schedules(resource.hours, at=identifier)
        return _present(record)

    def location(self, location: LocationPublic, *, full: bool = True) -> dict[str, Any]:
        identifier = hsds_id("location", location.id)
        record: dict[str, Any] = {
            "id": identifier,
            "location_type": "physical",
            "name": None if location.confidential else location.name,
            "description": _withheld(location) if location.confidential else None,
            "latitude": location.latitude,
            "longitude": location.longitude,
        }
        if full:
            # How exactly the point places it (a confidential one is shown at its area).
            record["attributes"] = [
                _label_attribute(identifier, "location", PRECISION, location.precision.value)
            ]
        if full and not location.confidential and location.address:
            record["addresses"] = [
                _present(
                    {
                        "id": hsds_id("address", identifier),
                        "location_id": identifier,
                        "address_1": location.address,
                        "city": location.city or "",
                        "state_province": location.state or "",
                        "postal_code": location.postal_code or "",
                        "country": "US",
                        "address_type": "physical",
                    }
                )
            ]
        return _present(record)

    def _schedules(self, hours: str | None, *, at: str) -> list[dict[str, Any]]:
        if not hours:
            return []
        try:
            weekly = parse_hours(hours)
        except HoursError:
            return [
                {
                    "id": hsds_id("schedule", f"{at}:text"),
                    "service_at_location_id": at,
                    "description": hours,
                }
            ]
        groups: dict[tuple[int, int], list[str]] = {}
        for day, spans in zip(DAYS, weekly.days, strict=True):
            for span in spans:
                groups.setdefault(span, []).append(day.upper())
        offset, first, last = _offset_period(self.zone, self.today)
        suffix = _offset_text(offset)
        return [
            _present(
                {
                    "id": hsds_id("schedule", f"{at}:{start}-{end}"),
                    "service_at_location_id": at,
                    "freq": "WEEKLY",
                    "byday": ",".join(days),
                    "opens_at": _clock(start) + suffix,
                    "closes_at": _clock(end) + suffix,
                    "timezone": offset.total_seconds() / 3600,
                    "valid_from": first.isoformat() if first else None,
                    "valid_to": last.isoformat() if last else None,
                    "description": hours,
                    "notes": f"Local time in {self.zone.key}.",
                }
            )
            for (start, end), days in sorted(groups.items())
        ]

    # --- organizations -------------------------------------------------------------------

    def organization(
        self,
        organization: OrganizationPublic,
        *,
        full: bool = True,
        services: Iterable[ResourcePublic] = (),
    ) -> dict[str, Any]:
        """An organization (its description is required: its name stands in when it has
        none); a full one lists its phone and its services."""
        identifier = record_id("organization", organization.id, organization.external_id)
        record = _present(
            {
                "id": identifier,
                "name": organization.name,
                "description": organization.description or organization.name,
                "email": organization.email,
                "website": organization.website,
            }
        )
        if not full:
            return record
        return _present(
            record
            | {
                "phones": (
                    [
                        {
                            "id": hsds_id("phone", identifier),
                            "organization_id": identifier,
                            "number": organization.phone,
                        }
                    ]
                    if organization.phone
                    else None
                ),
                "attributes": _organization_attributes(identifier, organization),
                "services": [self.service(resource) for resource in services],
            }
        )


def _label_attribute(identifier: str, entity: str, label: str, value: str) -> dict[str, Any]:
    """A fact HSDS has no field for, as an attribute named by its ``label``."""
    return {
        "id": hsds_id("attribute", f"{identifier}:{label}"),
        "link_id": identifier,
        "link_type": entity,
        "link_entity": entity,
        "label": label,
        "value": value,
    }


def _organization_attributes(
    identifier: str, organization: OrganizationPublic | OrganizationSummary
) -> list[dict[str, Any]]:
    """The organization's kind and, when known, whether the Department of Justice
    recognizes it (``true``/``false``): facts HSDS has no field for."""
    found = [_label_attribute(identifier, "organization", KIND, organization.kind.value)]
    if organization.doj_recognized is not None:
        value = "true" if organization.doj_recognized else "false"
        found.append(_label_attribute(identifier, "organization", DOJ_RECOGNIZED, value))
    return found


def _withheld(location: LocationPublic) -> str:
    zips = [area for area in location.areas if area.kind == "zip"]
    areas = zips or location.areas
    where = f"the centre of {areas[0].name}" if areas else "a point rounded to about 1 km"
    return f"{WITHHELD}; shown at {where}."


def services_chunks(resources: Iterable[ResourcePublic], *, encoder: Encoder) -> Iterator[str]:
    """A JSON array of full services, one per chunk."""
    yield "["
    separator = "\n"
    for resource in resources:
        yield separator + json.dumps(encoder.service(resource), ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"
