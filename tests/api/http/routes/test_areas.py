from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from shapely.geometry import Point, shape
from sqlalchemy import Engine

from api.db.models import ResourceStatus
from tests.api.formats.rows import Directory

PLAN_NOTE = "Council districts of the 2011 plan, not the current districts"


def seed(engine: Engine) -> Directory:
    rows = Directory(engine)
    d2 = rows.area("council_district", "2", south=32.7, note=PLAN_NOTE, name="District 2")
    d10 = rows.area("council_district", "10", south=32.9, note=PLAN_NOTE, name="District 10")
    zip_a = rows.area("zip", "75201", south=32.7)
    inside = rows.location(32.75, -96.85, areas=(d2, zip_a))
    retired_place = rows.location(32.76, -96.84, areas=(d2,), retired=True)
    rows.resource("Clinic", location_id=inside)
    rows.resource("Second clinic", location_id=inside)
    rows.resource("Closed clinic", location_id=inside, status=ResourceStatus.INACTIVE)
    rows.resource("Retired clinic", location_id=inside, retired=True)
    rows.resource("At a retired place", location_id=retired_place)
    assert d10
    return rows


def test_areas_list_counts_active_resources_and_shows_the_note(
    client: TestClient[Litestar], engine: Engine
) -> None:
    seed(engine)
    response = client.get("/api/v1/areas")
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 3
    listed = [(a["kind"], a["code"], a["resources"]) for a in body["items"]]
    assert listed == [
        ("council_district", "2", 2),
        ("council_district", "10", 0),
        ("zip", "75201", 2),
    ]
    assert body["items"][0]["note"] == PLAN_NOTE
    assert body["items"][0]["name"] == "District 2"


def test_areas_filter_by_kind(client: TestClient[Litestar], engine: Engine) -> None:
    seed(engine)
    body = client.get("/api/v1/areas", params={"kind": "zip"}).json()
    assert [a["code"] for a in body["items"]] == ["75201"]


def test_an_unknown_kind_in_the_query_is_a_400_naming_it(
    client: TestClient[Litestar], engine: Engine
) -> None:
    seed(engine)
    response = client.get("/api/v1/areas", params={"kind": "county"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    [param] = response.json()["invalid_params"]
    assert param["name"] == "kind"
    assert "council_district" in param["reason"] and "zip" in param["reason"]


def test_one_area_is_a_geojson_feature(client: TestClient[Litestar], engine: Engine) -> None:
    seed(engine)
    response = client.get("/api/v1/areas/council_district/2")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    feature = response.json()
    assert feature["type"] == "Feature"
    polygon = shape(feature["geometry"])
    assert polygon.contains(Point(-96.85, 32.75))
    assert not polygon.contains(Point(-96.85, 32.95))
    assert feature["properties"]["note"] == PLAN_NOTE
    assert feature["properties"]["resources"] == 2
    assert feature["bbox"] == pytest.approx([-96.9, 32.7, -96.8, 32.8])


def test_an_unknown_kind_or_code_is_a_404_naming_it(
    client: TestClient[Litestar], engine: Engine
) -> None:
    seed(engine)
    unknown_kind = client.get("/api/v1/areas/county/2")
    assert unknown_kind.status_code == 404
    assert unknown_kind.headers["content-type"].startswith("application/problem+json")
    assert [p["name"] for p in unknown_kind.json()["invalid_params"]] == ["kind"]

    unknown_code = client.get("/api/v1/areas/council_district/99")
    assert unknown_code.status_code == 404
    assert unknown_code.headers["content-type"].startswith("application/problem+json")
    [param] = unknown_code.json()["invalid_params"]
    assert param["name"] == "code" and "99" in param["reason"]
