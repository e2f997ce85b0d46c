"""Areas from GeoJSON polygons, with command-line options or a sidecar; locations tagged."""

from __future__ import annotations

import json

from sqlalchemy import Engine
from sqlmodel import Session, select

from api.db.models import Area, LocationArea
from seed.areas import AreaOptions
from seed.readers import Source
from tests.seed.conftest import Importer, resource, table


def square(west: float, south: float, east: float, north: float) -> dict[str, object]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def districts(*features: tuple[str, str, dict[str, object]], name: str = "d.geojson") -> Source:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"NUM": code, "LABEL": label}, "geometry": geometry}
            for code, label, geometry in features
        ],
    }
    return Source(name=name, data=json.dumps(collection, indent=1).encode())


SIDECAR = Source(
    name="d.area.json",
    data=json.dumps(
        {"kind": "council_district", "code_property": "NUM", "name_property": "LABEL"}
    ).encode(),
)


def tags(engine: Engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.exec(
            select(Area.kind, Area.code).join(LocationArea, LocationArea.area_id == Area.id)  # type: ignore[arg-type]
        ).all()
        return sorted(rows)


def test_sidecar_areas_and_tagging(run_import: Importer, engine: Engine) -> None:
    north = ("1", "District 1", square(-97.0, 32.78, -96.6, 33.0))
    south = ("2", "District 2", square(-97.0, 32.5, -96.6, 32.78))
    clinic = table("r.csv", [resource(latitude="32.79", longitude="-96.80")])
    report = run_import(districts(north, south), SIDECAR, clinic)
    assert report.ok, [str(p) for p in report.problems]
    assert report.counts["areas"].created == 2
    assert ("council_district", "1") in tags(engine)
    assert ("council_district", "2") not in tags(engine)

    moved_north = ("1", "District 1", square(-97.0, 32.80, -96.6, 33.0))
    moved_south = ("2", "District 2", square(-97.0, 32.5, -96.6, 32.80))
    again = run_import(districts(moved_north, moved_south), SIDECAR)
    assert again.counts["areas"].updated == 2
    assert ("council_district", "2") in tags(engine)  # re-tagged when the areas changed
    assert ("council_district", "1") not in tags(engine)


def test_command_line_options_and_unchanged_reload(run_import: Importer, engine: Engine) -> None:
    options = AreaOptions(kind="neighborhood", code_property="NUM", name_property="LABEL")
    source = districts(("7", "Oak Cliff", square(-96.9, 32.7, -96.8, 32.8)), name="n.geojson")
    assert run_import(source, area_options=options).counts["areas"].created == 1
    again = run_import(source, area_options=options)
    assert again.counts["areas"].unchanged == 1
    with Session(engine) as session:
        area = session.exec(select(Area)).one()
        assert (area.kind, area.code, area.name) == ("neighborhood", "7", "Oak Cliff")


def test_areas_without_options_are_refused(run_import: Importer) -> None:
    report = run_import(districts(("1", "One", square(-97, 32, -96, 33))))
    assert not report.ok
    assert "--area-kind" in str(report.problems[0])


def test_invalid_polygon_names_its_line(run_import: Importer, engine: Engine) -> None:
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    report = run_import(
        districts(("1", "One", square(-97, 32, -96, 33)), ("2", "Two", bow_tie)), SIDECAR
    )
    assert not report.written
    assert str(report.problems[0]).startswith("d.geojson:")
    assert "not a valid polygon" in str(report.problems[0])
    with Session(engine) as session:
        assert session.exec(select(Area)).all() == []


def test_a_location_that_moves_is_retagged(run_import: Importer, engine: Engine) -> None:
    north = ("1", "District 1", square(-97.0, 32.78, -96.6, 33.0))
    south = ("2", "District 2", square(-97.0, 32.5, -96.6, 32.78))
    run_import(districts(north, south), SIDECAR)
    run_import(table("r.csv", [resource(latitude="32.79", longitude="-96.80")]))
    assert tags(engine) == [("council_district", "1")]
    moved = run_import(table("r.csv", [resource(latitude="32.70", longitude="-96.80")]))
    assert moved.counts["resources"].updated == 1
    assert tags(engine) == [("council_district", "2")]
