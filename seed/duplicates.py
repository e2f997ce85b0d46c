"""Checks across rows: one row per external_id (or name + place) per run, one value per
organization field, one area per kind and code.

A later row that repeats an earlier one is refused and names the earlier line, so a file
never means two things at once (which would also make a re-import flip values back and
forth).
"""

from __future__ import annotations

from typing import Any

from seed.areas import AreaRecord
from seed.matching import normalized, place_key
from seed.records import EventRecord, ResourceRecord
from seed.report import ImportReport, Kind, RowProblem

__all__ = ["unique_areas", "unique_events", "unique_resources"]

_POINT = {"latitude", "longitude", "precision"}


def unique_areas(records: list[AreaRecord], report: ImportReport) -> list[AreaRecord]:
    seen: dict[tuple[str, str], AreaRecord] = {}
    kept = []
    for record in records:
        first = seen.setdefault((record.kind, record.code), record)
        if first is not record:
            _duplicate(report, "areas", record.file, record.line, "code", record.code, first)
        else:
            kept.append(record)
    return kept


def unique_resources(records: list[ResourceRecord], report: ImportReport) -> list[ResourceRecord]:
    by_id: dict[str, ResourceRecord] = {}
    by_key: dict[tuple[Any, ...], ResourceRecord] = {}
    organizations: dict[str, tuple[ResourceRecord, dict[str, Any]]] = {}
    places: dict[tuple[str, ...], ResourceRecord] = {}
    kept = []
    for record in records:
        location = record.location.values
        key = (
            normalized(record.name),
            place_key(
                name=location.get("name") or record.name,
                address=location.get("address"),
                city=location.get("city"),
                state=location.get("state"),
                postal_code=location.get("postal_code"),
            ),
        )
        if record.external_id is not None:
            first = by_id.setdefault(record.external_id, record)
            if first is not record:
                _duplicate(
                    report,
                    "resources",
                    record.file,
                    record.line,
                    "external_id",
                    record.external_id,
                    first,
                )
                continue
        else:
            first = by_key.setdefault(key, record)
            if first is not record:
                _duplicate(
                    report, "resources", record.file, record.line, "name", record.name, first
                )
                continue
        if record.organization is not None and _organization_conflict(
            record, organizations, report
        ):
            continue
        if location.get("address") and _place_conflict(record, key[1], places, report):
            continue
        kept.append(record)
    return kept


def _place_conflict(
    record: ResourceRecord,
    key: tuple[str, ...],
    seen: dict[tuple[str, ...], ResourceRecord],
    report: ImportReport,
) -> bool:
    """Rows at the same street address share one location, so they must agree on its point."""
    first = seen.setdefault(key, record)
    if first is record:
        return False
    ours, theirs = record.location, first.location
    geocoded = ours.needs_geocoding or theirs.needs_geocoding
    pairs = [
        ("latitude", ours.latitude, theirs.latitude),
        ("longitude", ours.longitude, theirs.longitude),
        ("precision", ours.precision, theirs.precision),
    ]
    for field, column in (("name", "location_name"), ("confidential", "confidential")):
        if field in ours.values and field in theirs.values:
            pairs.append((column, ours.values[field], theirs.values[field]))
    for column, mine, other in pairs:
        if mine != other and not (column in _POINT and geocoded):
            report.reject(
                "resources",
                [
                    RowProblem(
                        file=record.file,
                        line=record.line,
                        column=column,
                        value="" if mine is None else str(getattr(mine, "value", mine)),
                        reason=f"the same address has {getattr(other, 'value', other)} on "
                        f"{first.file}:{first.line}; rows at one address share one location",
                    )
                ],
            )
            return True
    return False


def _organization_conflict(
    record: ResourceRecord,
    seen: dict[str, tuple[ResourceRecord, dict[str, Any]]],
    report: ImportReport,
) -> bool:
    assert record.organization is not None
    name = normalized(record.organization.name)
    first, values = seen.setdefault(name, (record, dict(record.organization.values)))
    if first is record:
        return False
    column_of = {
        "kind": "organization_kind",
        "website": "organization_website",
        "doj_recognized": "doj_recognized",
    }
    for key, value in record.organization.values.items():
        if key in values and values[key] != value:
            earlier = getattr(values[key], "value", values[key])
            report.reject(
                "resources",
                [
                    RowProblem(
                        file=record.file,
                        line=record.line,
                        column=column_of[key],
                        value=str(getattr(value, "value", value)),
                        reason=f"the same organization has {earlier} "
                        f"on {first.file}:{first.line}; give one value",
                    )
                ],
            )
            return True
        values.setdefault(key, value)
    return False


def unique_events(records: list[EventRecord], report: ImportReport) -> list[EventRecord]:
    seen: dict[str, EventRecord] = {}
    kept = []
    for record in records:
        if record.external_id is not None:
            first = seen.setdefault(record.external_id, record)
            if first is not record:
                _duplicate(
                    report,
                    "events",
                    record.file,
                    record.line,
                    "external_id",
                    record.external_id,
                    first,
                )
                continue
        kept.append(record)
    return kept


def _duplicate(
    report: ImportReport,
    kind: Kind,
    file: str,
    line: int,
    column: str,
    value: str,
    first: AreaRecord | ResourceRecord | EventRecord,
) -> None:
    report.reject(
        kind,
        [
            RowProblem(
                file=file,
                line=line,
                column=column,
                value=value,
                reason=f"duplicate: already on {first.file}:{first.line}",
            )
        ],
    )
