"""Great-circle distances on a spherical Earth, and boxes that cheaply prefilter by radius.

Search narrows rows with :func:`bounding_box` in SQL (an index range scan), then ranks and
cuts them by :func:`great_circle_km`. The box must therefore never be too small: it is
computed for a slightly larger radius and widened to every longitude near the poles and
across the antimeridian, where a tight box would need two pieces.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["EARTH_RADIUS_KM", "BoundingBox", "bounding_box", "distances_from", "great_circle_km"]

EARTH_RADIUS_KM = 6371.0088
"""The mean Earth radius (IUGG), as geopy's great-circle distance uses."""

_SAFETY = 1.0 + 1e-9
_PAD_DEG = 1e-9
"""Margins (relative on the radius, absolute in degrees: about 0.1 mm) so floating-point
rounding cannot leave a point on the boundary outside the box."""


@dataclass(frozen=True)
class BoundingBox:
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float

    def contains(self, latitude: float, longitude: float) -> bool:
        return (
            self.min_lat <= latitude <= self.max_lat and self.min_lon <= longitude <= self.max_lon
        )


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The haversine distance between two points given in degrees, in kilometres."""
    return distances_from(lat1, lon1)(lat2, lon2)


def distances_from(lat: float, lon: float) -> Callable[[float, float], float]:
    """Great-circle distances in km from one point to many (the point's terms are computed
    once, so a search measuring hundreds of rows pays for them once)."""
    phi1 = math.radians(lat)
    cos_phi1 = math.cos(phi1)

    def distance_to(lat2: float, lon2: float) -> float:
        phi2 = math.radians(lat2)
        d_phi = phi2 - phi1
        d_lambda = math.radians(lon2 - lon)
        h = math.sin(d_phi / 2) ** 2 + cos_phi1 * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
        return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))

    return distance_to


def bounding_box(lat: float, lon: float, radius_km: float) -> BoundingBox:
    """A latitude/longitude box containing every point within ``radius_km`` of a point.

    Latitudes are clamped at the poles. When the circle reaches a pole or crosses the
    antimeridian, the box spans every longitude (-180 to 180) rather than splitting in two.
    """
    if radius_km < 0:
        raise ValueError(f"radius_km={radius_km}: expected a distance >= 0")
    angular = radius_km * _SAFETY / EARTH_RADIUS_KM
    phi = math.radians(lat)
    min_phi, max_phi = phi - angular, phi + angular
    if min_phi <= -math.pi / 2 or max_phi >= math.pi / 2 or angular >= math.pi / 2:
        return BoundingBox(
            min_lat=max(-90.0, math.degrees(min_phi) - _PAD_DEG),
            max_lat=min(90.0, math.degrees(max_phi) + _PAD_DEG),
            min_lon=-180.0,
            max_lon=180.0,
        )
    # The widest longitude offset on the circle, reached where a meridian is tangent to it.
    d_lambda = math.asin(min(1.0, math.sin(angular) / math.cos(phi)))
    min_lon = lon - math.degrees(d_lambda) - _PAD_DEG
    max_lon = lon + math.degrees(d_lambda) + _PAD_DEG
    if min_lon < -180.0 or max_lon > 180.0:
        min_lon, max_lon = -180.0, 180.0
    return BoundingBox(
        min_lat=max(-90.0, math.degrees(min_phi) - _PAD_DEG),
        max_lat=min(90.0, math.degrees(max_phi) + _PAD_DEG),
        min_lon=min_lon,
        max_lon=max_lon,
    )
