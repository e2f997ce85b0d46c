"""Helpers for import tests: files made in memory, and a fingerprint of the directory."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from api.settings import Settings
from seed.importer import import_sources
from seed.readers import Source
from seed.report import ImportReport

DIRECTORY_TABLES = (
    "organization",
    "location",
    "resource",
    "resource_language",
    "event",
    "event_language",
    "area",
    "location_area",
    "audit_entry",
)

RESOURCE_HEADER = (
    "external_id,category,name,organization,organization_kind,description,address,city,"
    "state,postal_code,latitude,longitude,phone,website,email,languages,hours,fees,"
    "verified_at,source_url,confidential"
)


def csv_file(name: str, header: str, *rows: str, newline: str = "\n") -> Source:
    return Source(name=name, data=newline.join([header, *rows, ""]).encode())


def directory_state(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every directory table, in a stable order."""
    state: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in DIRECTORY_TABLES:
            rows = connection.execute(text(f"SELECT * FROM {table}")).all()  # noqa: S608
            state[table] = sorted((tuple(row) for row in rows), key=repr)
    return state


class Importer:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings

    def __call__(self, *sources: Source, **options: Any) -> ImportReport:
        return import_sources(self.engine, self.settings, list(sources), **options)


@pytest.fixture
def run_import(engine: Engine, settings: Settings) -> Importer:
    return Importer(engine, settings)


RESOURCE_COLUMNS = RESOURCE_HEADER.split(",")
EVENT_COLUMNS = [
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
]


def resource(**values: str) -> dict[str, str]:
    """A valid resource row; keyword arguments replace or add cells."""
    row = {
        "external_id": "clinic-1",
        "category": "legal_aid",
        "name": "Clínica Legal Norte",
        "organization": "Ayuda Legal",
        "organization_kind": "legal_services",
        "description": "Free consultations",
        "address": "100 Main St.",
        "city": "Dallas",
        "state": "TX",
        "postal_code": "75201",
        "latitude": "32.7876",
        "longitude": "-96.7994",
        "phone": "214-555-0100",
        "website": "https://example.org/clinic",
        "email": "info@example.org",
        "languages": "es:staff;vi:interpreter;en",
        "hours": "Mo-Fr 09:00-17:00; Sa 10:00-14:00",
        "fees": "Free",
        "verified_at": "2025-01-10",
        "source_url": "https://example.org/about",
        "confidential": "false",
    }
    row.update(values)
    return row


def event(**values: str) -> dict[str, str]:
    row = {
        "external_id": "meeting-1",
        "title": "Community listening session",
        "venue": "clinic-1",
        "starts_at": "2025-02-12T19:30:00-06:00",
        "ends_at": "2025-02-12T21:00:00-06:00",
        "languages": "es;en",
        "host": "Ayuda Legal",
        "status": "scheduled",
        "description": "",
        "source_url": "https://example.org/meetings",
    }
    row.update(values)
    return row


def table(
    name: str,
    rows: list[dict[str, str]],
    columns: list[str] | None = None,
    *,
    newline: str = "\n",
    bom: bool = False,
) -> Source:
    """A CSV file as a spreadsheet writes it: quoted where needed, in the given columns."""
    import csv
    import io

    columns = columns or list(rows[0])
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=columns, lineterminator=newline, extrasaction="ignore"
    )
    writer.writeheader()
    writer.writerows(rows)
    data = buffer.getvalue().encode()
    return Source(name=name, data=(b"\xef\xbb\xbf" if bom else b"") + data)
