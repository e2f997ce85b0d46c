"""Rebuild this folder's area files from the original downloads (see README.md).

    python -m seed.dallas.convert_areas SOURCE_FOLDER

SOURCE_FOLDER holds ``dallas_council_districts_2011plan.geojson`` and
``tx_texas_zip_codes_geo.min.json`` as described in README.md. The districts keep their
number and gain a display name that says which plan they are; the ZIP areas are the Texas
ZCTAs with at least ``MIN_SHARE`` of their area inside the districts; the few polygons
whose simplification made their rings cross are repaired with shapely's ``make_valid``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from shapely.geometry import (  # type: ignore[import-untyped]
    MultiPolygon,
    Polygon,
    mapping,
    shape,
)
from shapely.geometry.base import BaseGeometry  # type: ignore[import-untyped]
from shapely.ops import unary_union  # type: ignore[import-untyped]
from shapely.validation import make_valid  # type: ignore[import-untyped]

__all__ = ["MIN_SHARE", "convert"]

MIN_SHARE = 0.05
"""Least share of a ZIP's (simplified) area inside Dallas for it to be kept; below it the
overlap is a sliver left by the ~1 km simplification of the ZIP polygons."""

HERE = Path(__file__).resolve().parent


def convert(source: Path, target: Path = HERE) -> tuple[int, int]:
    districts = json.loads((source / "dallas_council_districts_2011plan.geojson").read_text())
    district_features: list[dict[str, Any]] = []
    for feature in sorted(districts["features"], key=lambda f: f["properties"]["COUNCIL"]):
        number = int(feature["properties"]["COUNCIL"])
        district_features.append(
            {
                "type": "Feature",
                "properties": {
                    "COUNCIL": number,
                    "name": f"Council District {number} (2011 plan)",
                },
                "geometry": feature["geometry"],
            }
        )
    dallas = unary_union([shape(f["geometry"]) for f in district_features])
    zips = json.loads((source / "tx_texas_zip_codes_geo.min.json").read_text())
    zip_features: list[dict[str, Any]] = []
    for feature in zips["features"]:
        polygon = shape(feature["geometry"])
        if not polygon.is_valid:
            polygon = polygon.buffer(0)
        if polygon.intersection(dallas).area < MIN_SHARE * polygon.area:
            continue
        props = feature["properties"]
        code = props["ZCTA5CE10"]
        geometry = feature["geometry"]
        if not shape(geometry).is_valid:
            geometry = mapping(_polygonal(make_valid(shape(geometry))))
        zip_features.append(
            {
                "type": "Feature",
                "properties": {
                    "ZCTA5CE10": code,
                    "name": f"ZIP {code}",
                    "INTPTLAT10": props["INTPTLAT10"],
                    "INTPTLON10": props["INTPTLON10"],
                },
                "geometry": geometry,
            }
        )
    zip_features.sort(key=lambda f: f["properties"]["ZCTA5CE10"])
    _write(target / "areas_council_districts_2011.geojson", district_features)
    _write(target / "areas_zip_codes.geojson", zip_features)
    return len(district_features), len(zip_features)


def _polygonal(geometry: BaseGeometry) -> Polygon | MultiPolygon:
    """The polygons of a repaired geometry (repair can leave stray lines behind)."""
    if isinstance(geometry, Polygon | MultiPolygon):
        return geometry
    parts = [g for g in getattr(geometry, "geoms", []) if isinstance(g, Polygon | MultiPolygon)]
    polygons = [p for g in parts for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def _write(path: Path, features: list[dict[str, Any]]) -> None:
    lines = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
    path.write_text(
        '{"type":"FeatureCollection","features":[\n' + lines + "\n]}\n", encoding="utf-8"
    )


if __name__ == "__main__":
    counts = convert(Path(sys.argv[1]))
    print(f"{counts[0]} council districts, {counts[1]} ZIP areas")
