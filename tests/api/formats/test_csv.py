from __future__ import annotations

import csv
import io

from api.formats.csv import COLUMNS, csv_chunks, resource_row
from tests.api.formats.samples import location, resource

IMPORT_COLUMNS = [
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
]


def parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_the_columns_are_the_import_format_in_order() -> None:
    text = "".join(csv_chunks([]))
    assert next(csv.reader(io.StringIO(text))) == IMPORT_COLUMNS
    assert list(COLUMNS) == IMPORT_COLUMNS


def test_a_row_survives_quotes_commas_and_newlines() -> None:
    [row] = parse("".join(csv_chunks([resource_row(resource())])))
    assert row["name"] == 'Clínica Legal, "Asesoría"'
    assert row["description"] == "Line one\nline two, with a comma"
    assert row["category"] == "legal_aid"
    assert row["organization"] == "Ayuda Legal"
    assert row["organization_kind"] == "nonprofit"
    assert row["languages"] == "es:staff;vi:interpreter"
    assert (float(row["latitude"]), float(row["longitude"])) == (32.7767, -96.797)
    assert row["verified_at"] == "2025-02-20T06:00:00+00:00"
    assert row["email"] == "info@example.org"
    assert row["confidential"] == "false"
    assert row["fees"] == ""


def test_a_confidential_location_never_shows_a_street_address() -> None:
    hidden = location(confidential=True, address="12 Secret Ln", latitude=32.78, longitude=-96.8)
    [row] = parse("".join(csv_chunks([resource_row(resource(location=hidden))])))
    assert row["address"] == ""
    assert "Secret" not in "".join(row.values())
    assert row["confidential"] == "true"
    assert (row["latitude"], row["longitude"]) == ("32.78", "-96.8")


def test_rows_are_written_one_chunk_each() -> None:
    chunks = list(csv_chunks(resource_row(resource(id=i)) for i in range(3)))
    assert len(chunks) == 4
    assert all(chunk.endswith("\r\n") for chunk in chunks)
