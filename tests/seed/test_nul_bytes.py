"""A NUL byte in any cell is refused with a problem naming the file, line and column, and
the directory is left as it was (SQLite would store it; PostgreSQL cannot)."""

from __future__ import annotations

import json

from sqlalchemy import Engine

from seed.importer import AreaOptions
from seed.readers import Source
from tests.seed.conftest import (
    EVENT_COLUMNS,
    Importer,
    directory_state,
    event,
    resource,
    table,
)


def test_a_nul_byte_in_a_csv_cell_is_named_and_nothing_is_written(
    run_import: Importer, engine: Engine
) -> None:
    before = directory_state(engine)
    rows = [resource(), resource(external_id="clinic-2", name="Clinic\x00two", fees="a\x00b")]
    report = run_import(table("resources.csv", rows))
    assert not report.ok
    found = {(p.file, p.line, p.column) for p in report.problems}
    assert found == {("resources.csv", 3, "name"), ("resources.csv", 3, "fees")}
    problem = next(p for p in report.problems if p.column == "name")
    assert "NUL" in problem.reason and problem.value == "Clinic\\x00two"
    assert "\x00" not in str(problem)
    assert directory_state(engine) == before

    partial = run_import(table("resources.csv", rows), partial=True)
    assert partial.counts["resources"].created == 1
    assert partial.counts["resources"].rejected == 1


def test_a_nul_byte_in_json_events_and_area_names_is_refused(
    run_import: Importer, engine: Engine
) -> None:
    assert run_import(table("resources.csv", [resource()])).ok
    before = directory_state(engine)
    meeting = event(title="Know\x00your rights")
    report = run_import(table("events.csv", [meeting], EVENT_COLUMNS))
    assert [(p.line, p.column) for p in report.problems] == [(2, "title")]

    listed = json.dumps([{**resource(external_id="j-1"), "description": "x\u0000y"}])
    report = run_import(Source(name="resources.json", data=listed.encode()))
    assert [(p.file, p.column) for p in report.problems] == [("resources.json", "description")]

    square = [[[-96.8, 32.7], [-96.7, 32.7], [-96.7, 32.8], [-96.8, 32.8], [-96.8, 32.7]]]
    areas = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "A1", "label": "North\u0000side"},
                "geometry": {"type": "Polygon", "coordinates": square},
            }
        ],
    }
    report = run_import(
        Source(name="areas.geojson", data=json.dumps(areas).encode()),
        kind="areas",
        area_options=AreaOptions(kind="neighborhood", code_property="code", name_property="label"),
    )
    assert [(p.file, p.column) for p in report.problems] == [("areas.geojson", "label")]
    assert directory_state(engine) == before
