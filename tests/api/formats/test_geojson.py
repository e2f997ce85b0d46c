from __future__ import annotations

import json

from shapely.geometry import Point, shape

from api.directory.schemas import AreaPublic
from api.formats.geojson import area_feature, feature_collection, resource_feature
from tests.api.formats.samples import location, resource


def test_a_collection_parses_and_puts_longitude_first() -> None:
    first = resource(id=1, location=location(latitude=32.7767, longitude=-96.797))
    second = resource(id=2, location=location(latitude=32.9, longitude=-96.6))
    document = json.loads("".join(feature_collection(map(resource_feature, [first, second]))))

    assert document["type"] == "FeatureCollection"
    assert "crs" not in document
    assert [f["id"] for f in document["features"]] == [1, 2]
    point = shape(document["features"][0]["geometry"])
    assert isinstance(point, Point)
    assert (point.x, point.y) == (-96.797, 32.7767)


def test_properties_are_the_public_resource_fields() -> None:
    feature = resource_feature(resource())
    properties = json.loads(json.dumps(feature))["properties"]
    assert properties["name"] == 'Clínica Legal, "Asesoría"'
    assert properties["location"]["postal_code"] == "75201"
    assert [language["code"] for language in properties["languages"]] == ["vi", "es"]
    assert properties["verified_at"].startswith("2025-02-20T06:00:00")


def test_a_collection_is_written_one_feature_per_chunk() -> None:
    resources = [resource(id=i) for i in range(1, 6)]
    chunks = list(feature_collection(map(resource_feature, resources)))
    assert len(chunks) == len(resources) + 2
    assert json.loads("".join(chunks))["features"][4]["id"] == 5


def test_an_empty_collection_is_valid() -> None:
    assert json.loads("".join(feature_collection([]))) == {
        "type": "FeatureCollection",
        "features": [],
    }


def test_an_area_feature_carries_its_stored_geometry() -> None:
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    feature = area_feature(
        AreaPublic(kind="zip", code="75201", name="ZIP 75201"), json.dumps(square)
    )
    assert feature["id"] == "zip:75201"
    assert shape(feature["geometry"]).area == 1.0
    assert feature["properties"] == {"kind": "zip", "code": "75201", "name": "ZIP 75201"}
