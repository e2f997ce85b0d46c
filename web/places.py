"""What the map loads after the page: its places as compact JSON, and area outlines by kind.

The page's HTML carries no marker: at ten thousand places, one row per marker was most of
its weight and of the browser's parsing. ``GET /map/places?<the page's filters>`` answers
the marker rows of the search (``web.map.marker_rows``) as columns, which compress far
better than rows::

    {"count": 3, "lat": [3277671, 12, -40], "lon": [-9679701, 5, 8], "id": [4, 1, 1],
     "category": [1, 0, 2], "name": ["A", "B", "C"]}

Coordinates are integers of 1e-5 degree and, like the ids, each is given as the difference
from the one before (the rows are sorted by id), so most are short.

The map itself asks for what it shows: ``&zoom=Z&bbox=west,south,east,north`` added to the
filters answers the clusters and single places of that view (``web.clusters``)::

    {"count": 9, "places": {<columns as above, count 2>},
     "clusters": {"lat": [...], "lon": [...], "count": [7], "south": [...], "west": [...],
                  "north": [...], "east": [...]}}

with the clusters' points and boxes as integers of 1e-5 degree and ``count`` the matches
in the view. ``Puente.places`` in ``web/static/puente.js`` asks again after each move and
draws the answer.

``GET /map/outlines/{kind}`` gives one kind of area outline (ZIP codes, ...) as a GeoJSON
FeatureCollection, for layers that are not drawn when the page opens: only the drawn one is
embedded in the page, the others are fetched when a resident turns them on, or when the map
tiles fail and the outlines become the basemap.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from web.outlines import AreaOutline

__all__ = [
    "OUTLINES_PATH",
    "PLACES_PATH",
    "SCALE",
    "encode_places",
    "encode_view",
    "outline_collection",
]

PLACES_PATH = "/map/places"
OUTLINES_PATH = "/map/outlines"
SCALE = 100_000
"""Coordinates are sent as integers of 1/SCALE degree (about a metre)."""

OUTLINE_STYLE = {"color": "#4a5560", "weight": 1.5, "opacity": 0.8, "fillOpacity": 0.04}


def _deltas(values: Sequence[int]) -> list[int]:
    previous = 0
    out = []
    for value in values:
        out.append(value - previous)
        previous = value
    return out


def encode_places(rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """Marker rows ``[lat, lon, id, category index, name]`` as delta-coded columns."""
    ordered = sorted(rows, key=lambda row: row[2])
    return {
        "count": len(ordered),
        "lat": _deltas([round(row[0] * SCALE) for row in ordered]),
        "lon": _deltas([round(row[1] * SCALE) for row in ordered]),
        "id": _deltas([row[2] for row in ordered]),
        "category": [row[3] for row in ordered],
        "name": [row[4] for row in ordered],
    }


def encode_view(
    clusters: Sequence[Sequence[float | int]], places: Sequence[Sequence[Any]]
) -> dict[str, Any]:
    """One view's clusters ``[lat, lon, count, south, west, north, east]`` (``web.clusters``)
    and single places (marker rows)."""
    singles = encode_places(places)
    columns: dict[str, list[int]] = {
        name: [] for name in ("lat", "lon", "count", "south", "west", "north", "east")
    }
    for lat, lon, count, south, west, north, east in clusters:
        columns["count"].append(int(count))
        for name, value in (
            ("lat", lat),
            ("lon", lon),
            ("south", south),
            ("west", west),
            ("north", north),
            ("east", east),
        ):
            columns[name].append(round(value * SCALE))
    return {
        "count": singles["count"] + sum(columns["count"]),
        "places": singles,
        "clusters": columns,
    }


def outline_collection(outlines: Sequence[AreaOutline]) -> dict[str, Any]:
    """Outlines as a GeoJSON FeatureCollection, with the properties the map's tooltip reads."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": outline.geometry,
                "properties": {
                    "name": outline.name,
                    "code": outline.code,
                    "note": outline.note,
                    "style": OUTLINE_STYLE,
                },
            }
            for outline in outlines
        ],
    }
