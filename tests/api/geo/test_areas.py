from __future__ import annotations

import json
from typing import Any

import pytest
from shapely.geometry import Point, shape
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.db.models import Area, Location, LocationArea
from api.geo.areas import (
    AreaLookup,
    areas_containing,
    retag_locations,
    tag_location,
    upsert_area,
)


def ring(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> list[list[float]]:
    return [
        [min_lon, min_lat],
        [max_lon, min_lat],
        [max_lon, max_lat],
        [min_lon, max_lat],
        [min_lon, min_lat],
    ]


def polygon(*rings: list[list[float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": list(rings)}


SQUARE = polygon(ring(-97, 32, -96, 33))
EAST = polygon(ring(-96, 32, -95, 33))  # shares SQUARE's eastern edge
WITH_HOLE = polygon(ring(-95, 34, -94, 35), ring(-94.6, 34.4, -94.4, 34.6))
TWO_PARTS = {
    "type": "MultiPolygon",
    "coordinates": [[ring(-90, 30, -89, 31)], [ring(-88, 30, -87, 31)]],
}
BOWTIE = polygon([[-97, 32], [-96, 33], [-96, 32], [-97, 33], [-97, 32]])


def codes(areas: list[Area]) -> list[str]:
    return [f"{area.kind}:{area.code}" for area in areas]


def test_create_update_unchanged(engine: Engine) -> None:
    with Session(engine) as session:
        area, outcome = upsert_area(
            session, kind="council_district", code="1", name="D1", geometry=SQUARE
        )
        assert outcome == "created"
        assert (area.min_latitude, area.max_latitude) == (32, 33)
        assert (area.min_longitude, area.max_longitude) == (-97, -96)
        assert (area.center_latitude, area.center_longitude) == (32.5, -96.5)
        first_update = area.updated_at
        session.commit()
    with Session(engine) as session:
        again, outcome = upsert_area(
            session, kind="council_district", code="1", name="D1", geometry=SQUARE
        )
        assert outcome == "unchanged"
        assert again.updated_at == first_update
        renamed, outcome = upsert_area(
            session,
            kind="council_district",
            code="1",
            name="District 1",
            geometry=SQUARE,
            note="2011 plan",
        )
        assert outcome == "updated"
        assert renamed.updated_at > first_update
        session.commit()
    with Session(engine) as session:
        [stored] = session.exec(select(Area)).all()
        assert (stored.name, stored.note) == ("District 1", "2011 plan")
        assert shape(json.loads(stored.geometry)).equals(shape(SQUARE))


def test_the_centre_of_a_ring_lies_inside_it(engine: Engine) -> None:
    with Session(engine) as session:
        area, _ = upsert_area(
            session, kind="neighborhood", code="ring", name="Ring", geometry=WITH_HOLE
        )
    centre = Point(area.center_longitude, area.center_latitude)
    assert shape(WITH_HOLE).covers(centre)  # the centroid (-94.5, 34.5) is in the hole


@pytest.mark.parametrize(
    ("geometry", "reason"),
    [
        (BOWTIE, "not a valid polygon: Self-intersection"),
        (
            {"type": "Point", "coordinates": [-96.5, 32.5]},
            "a Point; expected Polygon or MultiPolygon",
        ),
        (polygon(ring(32, -97, 33, -96)), "outside longitude -180..180 / latitude -90..90"),
        ({"type": "Polygon", "coordinates": [[[-97, 32], [-96]]]}, "unreadable coordinates"),
        ({"type": "Polygon", "coordinates": []}, "geometry is empty"),
        ({"coordinates": []}, "no 'type'"),
    ],
)
def test_bad_geometry_is_refused_and_nothing_is_written(
    engine: Engine, geometry: dict[str, Any], reason: str
) -> None:
    with Session(engine) as session:
        with pytest.raises(ValueError, match=reason.replace("(", r"\(").replace(".", r"\.")):
            upsert_area(session, kind="zip", code="75201", name="75201", geometry=geometry)
        session.commit()
    with Session(engine) as session:
        assert session.exec(select(Area)).all() == []


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"kind": "Council"}, "kind 'Council': expected lowercase"),
        ({"kind": ""}, "kind is empty"),
        ({"code": "  "}, "code is empty"),
        ({"name": "x" * 201}, "name is 201 characters long; expected at most 200"),
    ],
)
def test_bad_names_are_refused(engine: Engine, changes: dict[str, str], reason: str) -> None:
    values: dict[str, Any] = {"kind": "zip", "code": "75201", "name": "75201", "geometry": SQUARE}
    with Session(engine) as session, pytest.raises(ValueError, match=reason):
        upsert_area(session, **{**values, **changes})


def load_areas(session: Session) -> None:
    upsert_area(session, kind="council_district", code="1", name="D1", geometry=SQUARE)
    upsert_area(session, kind="council_district", code="2", name="D2", geometry=EAST)
    upsert_area(session, kind="neighborhood", code="ring", name="Ring", geometry=WITH_HOLE)
    upsert_area(session, kind="neighborhood", code="pair", name="Pair", geometry=TWO_PARTS)


def test_points_inside_outside_and_in_a_hole(engine: Engine) -> None:
    with Session(engine) as session:
        load_areas(session)
        session.commit()
    with Session(engine) as session:
        assert codes(areas_containing(session, 32.5, -96.5)) == ["council_district:1"]
        assert codes(areas_containing(session, 32.5, -95.5)) == ["council_district:2"]
        assert areas_containing(session, 31.5, -96.5) == []
        assert codes(areas_containing(session, 34.2, -94.8)) == ["neighborhood:ring"]
        assert areas_containing(session, 34.5, -94.5) == []  # in the hole, inside the bbox


def test_a_multipolygon_covers_both_parts_and_not_the_gap(engine: Engine) -> None:
    with Session(engine) as session:
        load_areas(session)
        assert codes(areas_containing(session, 30.5, -89.5)) == ["neighborhood:pair"]
        assert codes(areas_containing(session, 30.5, -87.5)) == ["neighborhood:pair"]
        assert areas_containing(session, 30.5, -88.5) == []  # between the parts, in the bbox


def test_a_point_on_a_shared_edge_is_in_both_areas(engine: Engine) -> None:
    """Documented choice: the edge belongs to the area (shapely's covers)."""
    with Session(engine) as session:
        load_areas(session)
        assert codes(areas_containing(session, 32.5, -96.0)) == [
            "council_district:1",
            "council_district:2",
        ]
        assert codes(areas_containing(session, 33.0, -97.0)) == ["council_district:1"]  # corner


def test_a_changed_polygon_is_used_at_once(engine: Engine) -> None:
    with Session(engine) as session:
        upsert_area(session, kind="council_district", code="1", name="D1", geometry=SQUARE)
        session.commit()
        assert codes(areas_containing(session, 32.5, -96.5)) == ["council_district:1"]
        moved = polygon(ring(-97, 32, -96.8, 33))
        upsert_area(session, kind="council_district", code="1", name="D1", geometry=moved)
        session.commit()
        assert areas_containing(session, 32.5, -96.5) == []
        assert codes(areas_containing(session, 32.5, -96.9)) == ["council_district:1"]


def add_location(
    session: Session, latitude: float, longitude: float, postal_code: str | None = None
) -> Location:
    location = Location(latitude=latitude, longitude=longitude, postal_code=postal_code)
    session.add(location)
    session.flush()
    return location


def tags(session: Session, location: Location) -> list[str]:
    query = (
        select(Area)
        .join(LocationArea, LocationArea.area_id == Area.id)  # type: ignore[arg-type]
        .where(LocationArea.location_id == location.id)
        .order_by(Area.kind, Area.code)
    )
    return codes(list(session.exec(query).all()))


def test_tag_location_replaces_its_tags(engine: Engine) -> None:
    with Session(engine) as session:
        load_areas(session)
        location = add_location(session, 32.5, -96.5)
        assert codes(tag_location(session, location)) == ["council_district:1"]
        location.latitude, location.longitude = 34.2, -94.8
        assert codes(tag_location(session, location)) == ["neighborhood:ring"]
        session.commit()
        assert tags(session, location) == ["neighborhood:ring"]


def test_the_postal_code_decides_the_zip_tag(engine: Engine) -> None:
    with Session(engine) as session:
        load_areas(session)
        # A simplified ZIP polygon that covers the point, and the ZIP the address really has.
        upsert_area(session, kind="zip", code="75001", name="75001", geometry=SQUARE)
        upsert_area(session, kind="zip", code="75002", name="75002", geometry=TWO_PARTS)
        by_postal_code = add_location(session, 32.5, -96.5, postal_code="75002-1234")
        by_polygon = add_location(session, 32.5, -96.5, postal_code="75999")
        no_postal_code = add_location(session, 32.5, -96.5)
        assert codes(tag_location(session, by_postal_code)) == ["council_district:1", "zip:75002"]
        assert codes(tag_location(session, by_polygon)) == ["council_district:1", "zip:75001"]
        assert codes(tag_location(session, no_postal_code)) == ["council_district:1", "zip:75001"]
        session.commit()
        assert tags(session, by_postal_code) == ["council_district:1", "zip:75002"]


def test_retag_after_areas_are_reloaded(engine: Engine) -> None:
    with Session(engine) as session:
        load_areas(session)
        west = add_location(session, 32.5, -96.9)
        east = add_location(session, 32.5, -96.2)
        outside = add_location(session, 10.0, 10.0)
        assert retag_locations(session) == 2  # the third has no areas and had none
        assert retag_locations(session) == 0
        session.commit()
        # District 1 is redrawn to cover only its western part.
        upsert_area(
            session,
            kind="council_district",
            code="1",
            name="D1",
            geometry=polygon(ring(-97, 32, -96.5, 33)),
        )
        assert retag_locations(session) == 1
        assert tags(session, west) == ["council_district:1"]
        assert tags(session, east) == []
        assert tags(session, outside) == []
        assert east.id is not None and west.id is not None
        upsert_area(session, kind="council_district", code="3", name="D3", geometry=SQUARE)
        assert retag_locations(session, [east.id]) == 1
        assert tags(session, east) == ["council_district:3"]
        assert tags(session, west) == ["council_district:1"]  # not asked, not changed
        session.commit()
    with Session(engine) as session:
        assert len(session.exec(select(LocationArea)).all()) == 2


def test_the_lookup_answers_as_tag_location_does(engine: Engine) -> None:
    """Inside, outside, on an edge and a corner, in a hole, between parts, ZIP by postal code."""
    points = [
        (32.5, -96.5, None),
        (32.5, -95.5, "75002"),
        (31.5, -96.5, None),
        (34.2, -94.8, "75001-0001"),
        (34.5, -94.5, None),
        (30.5, -89.5, "75999"),
        (30.5, -88.5, "75002"),
        (32.5, -96.0, "7500"),
        (33.0, -97.0, "75001"),
        (10.0, 10.0, "75002"),
    ]
    with Session(engine) as session:
        load_areas(session)
        upsert_area(session, kind="zip", code="75001", name="75001", geometry=SQUARE)
        upsert_area(session, kind="zip", code="75002", name="75002", geometry=TWO_PARTS)
        lookup = AreaLookup.load(session)
        expected = []
        for latitude, longitude, postal_code in points:
            location = add_location(session, latitude, longitude, postal_code)
            expected.append({area.id for area in tag_location(session, location)})
        assert lookup.area_ids(points) == expected
        assert any(len(ids) > 1 for ids in expected) and set() in expected


def test_no_areas_no_tags(engine: Engine) -> None:
    with Session(engine) as session:
        lookup = AreaLookup.load(session)
        assert not lookup
        assert lookup.area_ids([(32.5, -96.5, "75001")]) == [set()]
