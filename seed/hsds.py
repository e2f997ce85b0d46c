"""Read Open Referral HSDS 3.x services into the importer's resource rows.

A file holds HSDS when it is a ``Page`` (an object with ``contents``), one service, a list
of services or NDJSON (one service a line); a service_at_location with its ``service``, or
an organization with its ``services``, counts as those services. Each service becomes one
row with the importer's columns, so every later check (coordinates, languages, web
addresses) names the service's line. What Puente cannot hold is said per service as a
warning naming the HSDS field: a second location, contacts, funding, programs, service
areas, non-weekly schedules. A ``defunct`` service is a deletion: it is not imported.

The service's HSDS id becomes its ``external_id``, so a re-import updates the same row
and a later HSDS export gives the same id back. A service without a Puente category term
is filed as ``community_partner`` (with a warning).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

from api.db.models import Category, OrganizationKind, Precision
from api.directory.hours import DAYS, HoursError, parse_hours
from api.formats import hsds
from seed.readers import RawRow, ReadError, Source, Table, decode
from seed.report import ImportReport, RowProblem

__all__ = ["holds_hsds", "read_hsds"]

DEFAULT_CATEGORY = Category.COMMUNITY_PARTNER
_STATUS = {
    "active": "active",
    "inactive": "inactive",
    "temporarily closed": "temporarily_closed",
}
_HELD = {
    "id",
    "organization_id",
    "name",
    "description",
    "url",
    "email",
    "status",
    "interpretation_services",
    "fees_description",
    "fees",
    "eligibility_description",
    "assured_date",
    "last_modified",
    "phones",
    "schedules",
    "service_at_locations",
    "languages",
    "organization",
    "attributes",
    "additional_urls",
}
_DAY_CODES = {day.upper(): day for day in DAYS}


def _document(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _hsds_record(item: Any) -> bool:
    """An HSDS record of any kind: a UUID ``id`` (Puente's own JSON rows have a category)."""
    return isinstance(item, dict) and _is_uuid(item.get("id")) and "category" not in item


def _kind(item: dict[str, Any]) -> str:
    """What a record that is not a service seems to be, to say so."""
    for key, kind in (
        ("location_type", "a location"),
        ("taxonomy_id", "a taxonomy term"),
        ("taxonomy_detail", "a taxonomy term"),
        ("version", "a taxonomy"),
        ("legal_status", "an organization"),
        ("website", "an organization"),
    ):
        if key in item:
            return kind
    return "not a service"


def holds_hsds(source: Source) -> bool:
    """Whether the file is HSDS JSON (a Page, a record, a list of records) or NDJSON."""
    if source.name.lower().endswith(".csv"):
        return False
    try:
        text = decode(source)
    except ReadError:
        return False
    document = _document(text)
    if isinstance(document, dict):
        return isinstance(document.get("contents"), list) or _hsds_record(document)
    if isinstance(document, list):
        return bool(document) and all(_hsds_record(item) for item in document)
    first = next((line for line in text.splitlines() if line.strip()), "")
    return _hsds_record(_document(first))


def _records(name: str, text: str) -> Iterator[tuple[int, Any]]:
    """Each top-level record with the line it starts on."""
    document = _document(text)
    if document is None:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            item = _document(line)
            if item is None:
                raise ReadError(
                    RowProblem(file=name, line=number, reason="invalid JSON on this NDJSON line")
                )
            yield number, item
        return
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        document = document["contents"]
    items = document if isinstance(document, list) else [document]
    for item in items:
        key = json.dumps(item.get("id")) if isinstance(item, dict) else None
        at = text.find(key) if key else -1
        yield (text.count("\n", 0, at) + 1 if at >= 0 else 1), item


def _services(item: Any) -> Iterator[dict[str, Any]]:
    """The services a record holds: itself, a service_at_location's, an organization's."""
    if not isinstance(item, dict):
        return
    if "status" in item:
        yield item
    elif isinstance(item.get("service"), dict):
        service = dict(item["service"])
        at = {key: value for key, value in item.items() if key != "service"}
        service["service_at_locations"] = [at, *(service.get("service_at_locations") or [])]
        yield service
    elif isinstance(item.get("services"), list):
        owner = {key: value for key, value in item.items() if key != "services"}
        for service in item["services"]:
            if isinstance(service, dict):
                yield {"organization": owner} | service


def read_hsds(source: Source, report: ImportReport) -> Table:
    """The file's services as resource rows; what Puente cannot hold is warned about."""
    text = decode(source)
    table = Table(name=source.name, columns=[])
    last = 0
    for line, item in _records(source.name, text):
        services = list(_services(item))
        if not services:
            found = _kind(item) if isinstance(item, dict) else "not an object"
            report.reject(
                "resources",
                [
                    RowProblem(
                        file=source.name,
                        line=line,
                        value=_text(item.get("id")) if isinstance(item, dict) else "",
                        reason=f"this HSDS record is {found}: Puente imports services (with "
                        "their organization and location), a service_at_location with its "
                        "service, or an organization with its services",
                    )
                ],
            )
            continue
        for service in services:
            # A row is known by its file and line: services on one line (a file written
            # on one line, an organization's services) count on from the line they start.
            line = max(line, last + 1)
            last = line
            cells = _service_cells(service, file=source.name, line=line, report=report)
            if cells is not None:
                table.rows.append(RawRow(file=source.name, line=line, cells=cells))
    columns: dict[str, None] = {}
    for row in table.rows:
        columns.update(dict.fromkeys(row.cells))
    table.columns = list(columns) or ["category", "name"]
    return table


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _service_cells(
    service: dict[str, Any], *, file: str, line: int, report: ImportReport
) -> dict[str, str] | None:
    label = _text(service.get("id")) or _text(service.get("name"))

    def warn(column: str, reason: str, value: Any = "") -> None:
        report.warn(
            file=file,
            line=line,
            column=column,
            value=_text(value)[:80],
            reason=f"service {label}: {reason}",
        )

    status = _text(service.get("status")).lower()
    if status == "defunct":
        warn("status", "a defunct service is a deletion: not imported", status)
        return None
    for key in sorted(set(service) - _HELD):
        if service[key] not in (None, "", [], {}):
            warn(key, "Puente has no place for this field: ignored", json.dumps(service[key]))
    cells = {
        "external_id": _text(service.get("id")),
        "name": _text(service.get("name")),
        "description": _text(service.get("description")),
        "website": _text(service.get("url")),
        "email": _text(service.get("email")),
        "status": _STATUS.get(status, status or "active"),
        "fees": _text(service.get("fees_description") or service.get("fees")),
        "eligibility": _text(service.get("eligibility_description")),
        "verified_at": _text(service.get("assured_date")),
    }
    cells |= _category_and_languages(service, warn)
    cells |= _organization(service.get("organization"), warn)
    cells |= _source_url(service.get("additional_urls"), warn)
    places = [at for at in service.get("service_at_locations") or [] if isinstance(at, dict)]
    for extra in places[1:]:
        warn(
            "service_at_locations",
            "Puente keeps one location per service: this one is ignored",
            (extra.get("location") or {}).get("name") or extra.get("id"),
        )
    at = places[0] if places else {}
    if not isinstance(at.get("location"), dict):
        report.reject(
            "resources",
            [
                RowProblem(
                    file=file,
                    line=line,
                    column="service_at_locations",
                    value=label,
                    reason="the service has no location (service_at_locations[0].location): "
                    "Puente needs a place for every service",
                )
            ],
        )
        return None
    cells |= _location(at["location"], warn)
    cells["phone"] = _phone(service, at, warn)
    cells["hours"] = _hours([*(at.get("schedules") or []), *(service.get("schedules") or [])], warn)
    return {key: value for key, value in cells.items() if value != ""}


def _category_and_languages(service: dict[str, Any], warn: Any) -> dict[str, str]:
    category = ""
    services = ""
    supports: dict[str, str] = {}
    for attribute in service.get("attributes") or []:
        if not isinstance(attribute, dict):
            continue
        term = attribute.get("taxonomy_term") or {}
        taxonomy = term.get("taxonomy") if isinstance(term, dict) else None
        if taxonomy == hsds.CATEGORY_TAXONOMY and term.get("code") in set(Category):
            category = term["code"]
        elif taxonomy == hsds.LANGUAGE_TAXONOMY and term.get("code"):
            supports[term["code"]] = _text(attribute.get("value"))
        elif attribute.get("label") == "services" and not term:
            services = _text(attribute.get("value"))
        else:
            warn("attributes", "a taxonomy term Puente does not use: ignored", term.get("name"))
    if not category:
        warn("attributes", f"no Puente category term: filed as {DEFAULT_CATEGORY.value}")
        category = DEFAULT_CATEGORY.value
    languages = []
    for language in service.get("languages") or []:
        if not isinstance(language, dict):
            continue
        code = _text(language.get("code") or language.get("name"))
        note = _text(language.get("note")).strip().lower()
        how = supports.get(code) or (note if note in {"staff", "interpreter", "materials"} else "")
        if code:
            languages.append(f"{code}:{how}" if how else code)
    return {"category": category, "services": services, "languages": ";".join(languages)}


def _organization(organization: Any, warn: Any) -> dict[str, str]:
    if not isinstance(organization, dict):
        return {}
    kind = doj = ""
    for attribute in organization.get("attributes") or []:
        if not isinstance(attribute, dict):
            continue
        value = _text(attribute.get("value"))
        if attribute.get("label") == hsds.KIND and value in set(OrganizationKind):
            kind = value
        elif attribute.get("label") == hsds.DOJ_RECOGNIZED and value in ("true", "false"):
            doj = value
    return {
        "organization": _text(organization.get("name")),
        "organization_website": _text(organization.get("website")),
        "organization_kind": kind,
        "doj_recognized": doj,
    }


def _source_url(urls: Any, warn: Any) -> dict[str, str]:
    found = ""
    for url in urls or []:
        if not isinstance(url, dict):
            continue
        if url.get("label") == "source" and not found:
            found = _text(url.get("url"))
        else:
            warn("additional_urls", "Puente keeps one source address: ignored", url.get("url"))
    return {"source_url": found}


def _location(location: dict[str, Any], warn: Any) -> dict[str, str]:
    description = _text(location.get("description"))
    confidential = description.startswith(hsds.WITHHELD)
    addresses = [a for a in location.get("addresses") or [] if isinstance(a, dict)]
    physical = [a for a in addresses if a.get("address_type") == "physical"] or addresses
    address = physical[0] if physical else {}
    for extra in addresses:
        if extra is not address:
            warn("addresses", "Puente keeps one address per place: ignored", extra.get("address_1"))
    street = ", ".join(
        part for part in (_text(address.get("address_1")), _text(address.get("address_2"))) if part
    )
    has_point = location.get("latitude") is not None and location.get("longitude") is not None
    precision = "provided" if has_point and not confidential else ""
    for attribute in location.get("attributes") or []:
        value = _text(attribute.get("value")) if isinstance(attribute, dict) else ""
        if attribute.get("label") == hsds.PRECISION and value in set(Precision):
            # A confidential place's public precision is its area's, not its own.
            precision = value if has_point and not confidential else precision
    return {
        "location_name": _text(location.get("name")),
        "address": street,
        "city": _text(address.get("city")),
        "state": _text(address.get("state_province")),
        "postal_code": _text(address.get("postal_code")),
        "latitude": _text(location.get("latitude")),
        "longitude": _text(location.get("longitude")),
        "precision": precision,
        "confidential": "true" if confidential else "",
    }


def _phone(service: dict[str, Any], at: dict[str, Any], warn: Any) -> str:
    found = at.get("location")
    location: dict[str, Any] = found if isinstance(found, dict) else {}
    phones: dict[str, Any] = {}
    for phone in [
        *(service.get("phones") or []),
        *(at.get("phones") or []),
        *(location.get("phones") or []),
    ]:
        if isinstance(phone, dict) and phone.get("number"):
            phones.setdefault(_text(phone["number"]), phone)
    numbers = list(phones)
    for extra in numbers[1:]:
        warn("phones", "Puente keeps one phone per service: ignored", extra)
    return numbers[0] if numbers else ""


def _hours(schedules: list[Any], warn: Any) -> str:
    """Puente's weekly hours: the text a Puente export wrote, else built from weekly
    schedules (``byday``, ``opens_at``, ``closes_at``, offsets dropped: local time)."""
    spans: list[str] = []
    for schedule in schedules:
        if not isinstance(schedule, dict):
            continue
        if _weekly_text(schedule.get("description")):
            return _text(schedule["description"])
        days = [
            _DAY_CODES.get(day.strip().upper())
            for day in _text(schedule.get("byday")).split(",")
            if day.strip()
        ]
        opens, closes = _clock(schedule.get("opens_at")), _clock(schedule.get("closes_at"))
        if schedule.get("freq") != "WEEKLY" or not days or None in days or not opens or not closes:
            warn(
                "schedules",
                "only weekly schedules with days and opening times fit Puente's hours: ignored",
                schedule.get("description") or schedule.get("byday") or schedule.get("freq"),
            )
            continue
        spans.append(f"{','.join(d for d in days if d)} {opens}-{closes}")
    return "; ".join(spans)


def _weekly_text(value: Any) -> bool:
    """Whether a schedule's description is Puente's own weekly hours (as it exports them)."""
    try:
        parse_hours(_text(value))
    except HoursError:
        return False
    return bool(value)


def _clock(value: Any) -> str:
    text = _text(value).strip()
    if len(text) < 5 or text[2] != ":":
        return ""
    return text[:5]
