"""The map's places as the browser draws them at one zoom: a grid of clusters, per view.

A phone given ten thousand markers to cluster itself is busy for seconds, so the server
clusters. At zoom ``z`` Leaflet draws the world ``256 * 2**z`` pixels wide (Web Mercator);
that square is cut into cells of ``CELL_PX``, and the places of one cell become one cluster
(how many, the mean of their points, the box around them), or, alone in their cell or from
``MAX_CLUSTER_ZOOM`` on, themselves; groups drawn closer than a marker's width then merge,
so no marker covers another. A request names the box it shows; only the cells that
touch the box are answered. Each place is in one cell, so the clusters' counts and the
single places add up to the matches in those cells: at the page's first view, which fits
every match, to the list's total.

The cells of a search at a zoom are kept with its marker rows (``web.marker_cache``), so
panning costs one walk over the search's non-empty cells. No maintained Python library fits:
``pysupercluster`` (the C++ port of supercluster) has no wheel and does not build here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from api.errors import InvalidInput, InvalidParam

__all__ = [
    "CELL_PX",
    "MAX_CLUSTER_ZOOM",
    "MAX_ZOOM",
    "MIN_GAP_PX",
    "Cells",
    "View",
    "cells",
    "read_view",
    "view_items",
]

CELL_PX = 64
"""A cell's side in screen pixels: a little more than a marker (44 px) and its gap."""
MAX_ZOOM = 19
MAX_CLUSTER_ZOOM = 16
"""From this zoom on every place is drawn by itself (a street or two on a phone)."""
MIN_GAP_PX = 48
"""Markers and clusters are 44 px across: centres closer than this would overlap."""
_MAX_LATITUDE = 85.05112878
"""Web Mercator's edge: Leaflet draws nothing further north or south."""

Row = Sequence[Any]
"""A marker row ``[lat, lon, id, category index, name]`` (``web.map.marker_rows``)."""
Cells = dict[tuple[int, int], list[Row]]


@dataclass(frozen=True, kw_only=True)
class View:
    """What the map shows: its zoom and the box ``south, west, north, east`` in degrees."""

    zoom: int
    south: float
    west: float
    north: float
    east: float


def _cell_x(lon: float, zoom: int) -> int:
    cells_across = 2**zoom * 256 / CELL_PX
    x = (min(max(lon, -180.0), 180.0) + 180.0) / 360.0 * cells_across
    return min(int(x), int(cells_across) - 1)


def _cell_y(lat: float, zoom: int) -> int:
    cells_across = 2**zoom * 256 / CELL_PX
    phi = math.radians(min(max(lat, -_MAX_LATITUDE), _MAX_LATITUDE))
    y = (1.0 - math.log(math.tan(phi) + 1.0 / math.cos(phi)) / math.pi) / 2.0 * cells_across
    return min(max(int(y), 0), int(cells_across) - 1)


def cells(rows: Sequence[Row], zoom: int) -> Cells:
    """The marker rows grouped by the cell they fall in at ``zoom``."""
    grouped: Cells = {}
    for row in rows:
        grouped.setdefault((_cell_x(row[1], zoom), _cell_y(row[0], zoom)), []).append(row)
    return grouped


def _pixel(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    world = 2**zoom * 256
    phi = math.radians(min(max(lat, -_MAX_LATITUDE), _MAX_LATITUDE))
    y = (1.0 - math.log(math.tan(phi) + 1.0 / math.cos(phi)) / math.pi) / 2.0 * world
    return (lon + 180.0) / 360.0 * world, y


@dataclass(kw_only=True)
class _Group:
    """Places drawn as one: a cell's, then any drawn too close to it."""

    count: int
    lat_sum: float
    lon_sum: float
    south: float
    west: float
    north: float
    east: float
    single: Row | None

    @classmethod
    def of(cls, members: Sequence[Row]) -> _Group:
        latitudes = [row[0] for row in members]
        longitudes = [row[1] for row in members]
        return cls(
            count=len(members),
            lat_sum=sum(latitudes),
            lon_sum=sum(longitudes),
            south=min(latitudes),
            west=min(longitudes),
            north=max(latitudes),
            east=max(longitudes),
            single=members[0] if len(members) == 1 else None,
        )

    @property
    def point(self) -> tuple[float, float]:
        return self.lat_sum / self.count, self.lon_sum / self.count

    def absorb(self, other: _Group) -> None:
        self.count += other.count
        self.lat_sum += other.lat_sum
        self.lon_sum += other.lon_sum
        self.south, self.west = min(self.south, other.south), min(self.west, other.west)
        self.north, self.east = max(self.north, other.north), max(self.east, other.east)
        self.single = None


def _merge_close(groups: list[_Group], zoom: int) -> list[_Group]:
    """Groups drawn closer than ``MIN_GAP_PX`` become one, the larger taking the smaller, so
    no two markers overlap (a tap must find one target)."""
    pixels = [_pixel(*group.point, zoom) for group in groups]
    buckets: dict[tuple[int, int], list[int]] = {}
    for index, (x, y) in enumerate(pixels):
        buckets.setdefault((int(x // MIN_GAP_PX), int(y // MIN_GAP_PX)), []).append(index)
    order = sorted(range(len(groups)), key=lambda index: -groups[index].count)
    taken = [False] * len(groups)
    merged = []
    for index in order:
        if taken[index]:
            continue
        taken[index] = True
        x, y = pixels[index]
        bx, by = int(x // MIN_GAP_PX), int(y // MIN_GAP_PX)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for other in buckets.get((bx + dx, by + dy), ()):
                    ox, oy = pixels[other]
                    if not taken[other] and math.hypot(ox - x, oy - y) < MIN_GAP_PX:
                        taken[other] = True
                        groups[index].absorb(groups[other])
        merged.append(groups[index])
    return merged


def view_items(grouped: Cells, view: View) -> tuple[list[list[float | int]], list[Row]]:
    """The clusters ``[lat, lon, count, south, west, north, east]`` and the single places of
    the cells that touch ``view``, none drawn on top of another below ``MAX_CLUSTER_ZOOM``."""
    x0, x1 = _cell_x(view.west, view.zoom), _cell_x(view.east, view.zoom)
    y0, y1 = _cell_y(view.north, view.zoom), _cell_y(view.south, view.zoom)
    shown = [members for (x, y), members in grouped.items() if x0 <= x <= x1 and y0 <= y <= y1]
    if view.zoom >= MAX_CLUSTER_ZOOM:
        return [], [row for members in shown for row in members]
    groups = [_Group.of(members) for members in shown]
    for _ in range(10):  # a merged group moves: look again until none is too close
        before = len(groups)
        groups = _merge_close(groups, view.zoom)
        if len(groups) == before:
            break
    clusters: list[list[float | int]] = []
    places: list[Row] = []
    for group in groups:
        if group.single is not None:
            places.append(group.single)
        else:
            lat, lon = group.point
            clusters.append(
                [lat, lon, group.count, group.south, group.west, group.north, group.east]
            )
    return clusters, places


def read_view(params: Mapping[str, Any]) -> View | None:
    """``zoom`` and ``bbox=west,south,east,north`` from a query, or None when neither is
    given (then every place is wanted); InvalidInput names a bad or missing one."""
    zoom_text, box_text = params.get("zoom"), params.get("bbox")
    if zoom_text is None and box_text is None:
        return None
    problems: list[InvalidParam] = []
    zoom = 0
    try:
        zoom = int(str(zoom_text))
        if not 0 <= zoom <= MAX_ZOOM:
            raise ValueError
    except ValueError:
        problems.append({"name": "zoom", "reason": f"a whole number from 0 to {MAX_ZOOM}"})
    box: list[float] = []
    try:
        box = [float(part) for part in str(box_text).split(",")]
        if len(box) != 4 or not all(math.isfinite(value) for value in box):
            raise ValueError
        west, south, east, north = box
        if not (-90 <= south <= north <= 90 and -180 <= west <= east <= 180):
            raise ValueError
    except ValueError:
        problems.append(
            {
                "name": "bbox",
                "reason": "west,south,east,north in degrees, west <= east within -180..180"
                " and south <= north within -90..90",
            }
        )
    if problems:
        raise InvalidInput(problems)
    west, south, east, north = box
    return View(zoom=zoom, south=south, west=west, north=north, east=east)
