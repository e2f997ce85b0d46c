"""``bbox`` keeps exactly the listings a scan of every shown point would keep, and names
itself in a 400 when it is not a box."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine

from tests.api.formats.rows import Directory


@pytest.fixture
def shown(client: TestClient[Litestar], engine: Engine) -> dict[int, tuple[float, float]]:
    """Forty listings, a quarter of them confidential (shown at their ZIP's centre, or
    rounded when in no area), and each listing's shown point as ``(lon, lat)``."""
    rows = Directory(engine)
    zips = [
        rows.area("zip", f"752{i:02}", south=32.6 + i / 20, west=-97.0, size=0.05) for i in range(4)
    ]
    chance = random.Random(7)
    for number in range(40):
        latitude = round(chance.uniform(32.55, 32.85), 5)
        longitude = round(chance.uniform(-97.05, -96.7), 5)
        confidential = number % 4 == 0
        areas = (zips[number % 4],) if number % 8 == 0 else ()
        location = rows.location(latitude, longitude, confidential=confidential, areas=areas)
        rows.resource(f"Listing {number}", location_id=location)
    listed = client.get("/api/v1/resources", params={"per_page": "100"}).json()["items"]
    assert len(listed) == 40
    return {r["id"]: (r["location"]["longitude"], r["location"]["latitude"]) for r in listed}


def test_bbox_equals_a_scan_of_every_shown_point(
    client: TestClient[Litestar], shown: dict[int, tuple[float, float]]
) -> None:
    points = sorted(shown.values())
    edges = (
        st.one_of(st.sampled_from([lon for lon, _ in points]), st.floats(-97.1, -96.6)),
        st.one_of(st.sampled_from([lat for _, lat in points]), st.floats(32.5, 32.9)),
    )
    found_some = []

    @seed(3)
    @hypothesis_settings(
        max_examples=30,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(lons=st.tuples(edges[0], edges[0]), lats=st.tuples(edges[1], edges[1]))
    def run(lons: tuple[float, float], lats: tuple[float, float]) -> None:
        west, east = sorted(lons)
        south, north = sorted(lats)
        box = f"{west!r},{south!r},{east!r},{north!r}"
        expected = sorted(
            i for i, (lon, lat) in shown.items() if west <= lon <= east and south <= lat <= north
        )
        listed = client.get("/api/v1/resources", params={"bbox": box, "per_page": "100"})
        assert sorted(r["id"] for r in listed.json()["items"]) == expected, box
        feed = client.get("/api/v1/resources.geojson", params={"bbox": box}).json()
        assert sorted(f["id"] for f in feed["features"]) == expected, box
        found_some.append(len(expected))

    run()
    assert any(0 < n < len(shown) for n in found_some)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1,2,3", "min_lon,min_lat,max_lon,max_lat"),
        ("a,b,c,d", "min_lon,min_lat,max_lon,max_lat"),
        ("-97,33,-96,32", "min_lat is greater than max_lat"),
        ("-96,32,-97,33", "min_lon is greater than max_lon"),
        ("-190,32,-96,33", "min_lon -190 is outside -180..180"),
        ("-97,32,-96,91", "max_lat 91 is outside -90..90"),
        ("-97,nan,-96,33", "min_lat nan is outside -90..90"),
    ],
)
@pytest.mark.parametrize(
    "path", ["/api/v1/resources", "/api/v1/resources.geojson", "/api/v1/resources.csv"]
)
def test_a_bad_bbox_is_a_400_naming_it(
    client: TestClient[Litestar], path: str, value: str, reason: str
) -> None:
    answer = client.get(path, params={"bbox": value})
    assert answer.status_code == 400
    [param] = answer.json()["invalid_params"]
    assert param["name"] == "bbox" and reason in param["reason"], param
