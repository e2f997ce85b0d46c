from __future__ import annotations

import math

import pytest
from geopy.distance import great_circle
from hypothesis import given, settings
from hypothesis import strategies as st

from api.geo.distance import EARTH_RADIUS_KM, bounding_box, great_circle_km

DALLAS = (32.7767, -96.7970)
HOUSTON = (29.7604, -95.3698)

latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False)
radii = st.floats(min_value=0, max_value=5000, allow_nan=False)
bearings = st.floats(min_value=0, max_value=360, allow_nan=False)
fractions = st.floats(min_value=0, max_value=1, allow_nan=False)


def test_known_distances() -> None:
    assert great_circle_km(*DALLAS, *HOUSTON) == pytest.approx(362.0, abs=1.0)
    assert great_circle_km(*DALLAS, *DALLAS) == 0.0
    assert great_circle_km(0, 0, 0, 180) == pytest.approx(math.pi * EARTH_RADIUS_KM)
    assert great_circle_km(90, 0, -90, 0) == pytest.approx(math.pi * EARTH_RADIUS_KM)


def test_crossing_the_antimeridian_is_short() -> None:
    assert great_circle_km(0, 179.5, 0, -179.5) == pytest.approx(111.2, abs=0.1)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(latitudes, longitudes, latitudes, longitudes)
def test_agrees_with_geopy_and_is_symmetric(
    lat1: float, lon1: float, lat2: float, lon2: float
) -> None:
    ours = great_circle_km(lat1, lon1, lat2, lon2)
    assert ours == pytest.approx(great_circle((lat1, lon1), (lat2, lon2)).km, rel=1e-6, abs=1e-6)
    assert ours == pytest.approx(great_circle_km(lat2, lon2, lat1, lon1), abs=1e-9)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(latitudes, longitudes, radii, bearings, fractions)
def test_every_point_within_the_radius_lies_in_the_box(
    lat: float, lon: float, radius: float, bearing: float, fraction: float
) -> None:
    point = great_circle(kilometers=radius * fraction).destination((lat, lon), bearing)
    box = bounding_box(lat, lon, radius)
    if great_circle_km(lat, lon, point.latitude, point.longitude) <= radius:
        assert box.contains(point.latitude, point.longitude), (box, point)
    assert -90 <= box.min_lat <= box.max_lat <= 90
    assert -180 <= box.min_lon <= box.max_lon <= 180


@settings(max_examples=200, derandomize=True, deadline=None)
@given(latitudes, longitudes, radii, bearings)
def test_points_on_the_circle_itself_lie_in_the_box(
    lat: float, lon: float, radius: float, bearing: float
) -> None:
    point = great_circle(kilometers=radius).destination((lat, lon), bearing)
    if great_circle_km(lat, lon, point.latitude, point.longitude) <= radius:
        assert bounding_box(lat, lon, radius).contains(point.latitude, point.longitude)


def test_the_box_is_tight_away_from_poles_and_antimeridian() -> None:
    box = bounding_box(*DALLAS, 10)
    assert box.max_lat - box.min_lat == pytest.approx(2 * 10 / 111.195, rel=1e-3)
    # A degree of longitude is shorter by cos(latitude).
    width = 2 * 10 / (111.195 * math.cos(math.radians(DALLAS[0])))
    assert box.max_lon - box.min_lon == pytest.approx(width, rel=1e-3)
    assert box.contains(*DALLAS)
    assert not box.contains(*HOUSTON)


def test_near_a_pole_the_box_covers_every_longitude_and_clamps() -> None:
    box = bounding_box(89.5, 10.0, 100)
    assert box.min_lat == pytest.approx(89.5 - 100 / 111.195, abs=1e-3)
    assert (box.max_lat, box.min_lon, box.max_lon) == (90.0, -180.0, 180.0)
    assert box.contains(89.9, -170.0)
    south = bounding_box(-89.9, 0.0, 50)
    assert (south.min_lat, south.min_lon, south.max_lon) == (-90.0, -180.0, 180.0)


def test_across_the_antimeridian_the_box_covers_every_longitude() -> None:
    box = bounding_box(-17.7, 179.9, 50)  # Fiji
    assert (box.min_lon, box.max_lon) == (-180.0, 180.0)
    assert box.contains(-17.7, -179.8)
    assert box.max_lat - box.min_lat < 1.0


def test_zero_radius_and_negative_radius() -> None:
    box = bounding_box(*DALLAS, 0)
    assert box.contains(*DALLAS)
    with pytest.raises(ValueError, match="radius_km"):
        bounding_box(*DALLAS, -1)
