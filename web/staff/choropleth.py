"""The coverage-gap map's data: areas of one kind, each with how many listings offer a
language, in classes a reader can tell apart, and the areas with none picked out.

No listing at all is a class of its own (the gap the page is for), drawn apart from the
sequential ColorBrewer colours of the others and outlined; the others fall into at most
``MAX_CLASSES`` classes of whole numbers, one per value when the counts are few. The Folium
layer is a ``GeoJson`` styled from these classes, so the map, its legend and the table
beside it can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
from branca.utilities import color_brewer
from markupsafe import escape

from web.outlines import AreaOutline

__all__ = [
    "MAX_CLASSES",
    "NONE_STYLE",
    "PALETTE",
    "AreaCount",
    "Choropleth",
    "CountClass",
    "choropleth",
    "choropleth_layer",
]

MAX_CLASSES = 5
PALETTE = "YlGnBu"
"""ColorBrewer's yellow-green-blue: sequential, readable by most colour-blind readers."""
NONE_COLOR = "#fddbc7"
NONE_STYLE = {
    "fillColor": NONE_COLOR,
    "fillOpacity": 0.75,
    "color": "#b2182b",
    "weight": 3,
    "dashArray": "6 4",
}
"""Areas with no listing: a pale red fill and a dashed dark red border."""
AREA_STYLE = {"fillOpacity": 0.7, "color": "#4a5560", "weight": 1}


@dataclass(frozen=True, kw_only=True)
class CountClass:
    """One legend entry: the counts from ``low`` to ``high`` (inclusive) and their colour."""

    low: int
    high: int
    color: str

    @property
    def label(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}\N{EN DASH}{self.high}"


@dataclass(frozen=True, kw_only=True)
class AreaCount:
    kind: str
    code: str
    name: str
    count: int
    color: str

    @property
    def none(self) -> bool:
        return self.count == 0


@dataclass(frozen=True, kw_only=True)
class Choropleth:
    areas: list[AreaCount]
    """Every area of the kind, by code."""
    classes: list[CountClass]
    """The legend of areas with at least one listing, lowest first."""

    @property
    def gaps(self) -> list[AreaCount]:
        return [area for area in self.areas if area.none]

    @property
    def total(self) -> int:
        return sum(area.count for area in self.areas)


def _classes(highest: int) -> list[tuple[int, int]]:
    """Whole-number ranges covering 1..highest, at most ``MAX_CLASSES`` of them."""
    if highest < 1:
        return []
    if highest <= MAX_CLASSES:
        return [(value, value) for value in range(1, highest + 1)]
    ranges = []
    low = 1
    for index in range(1, MAX_CLASSES + 1):
        high = round(highest * index / MAX_CLASSES)
        if high >= low:
            ranges.append((low, high))
            low = high + 1
    return ranges


def _colors(count: int) -> list[str]:
    """``count`` sequential colours, light to dark (ColorBrewer has three at least)."""
    if count == 0:
        return []
    palette: list[str] = color_brewer(PALETTE, max(3, count))
    return palette[-count:]


def choropleth(outlines: Sequence[AreaOutline], counts: Mapping[str, int]) -> Choropleth:
    """The areas (``outlines`` of one kind) with their counts by code; absent codes are 0."""
    highest = max((counts.get(outline.code, 0) for outline in outlines), default=0)
    ranges = _classes(highest)
    classes = [
        CountClass(low=low, high=high, color=color)
        for (low, high), color in zip(ranges, _colors(len(ranges)), strict=True)
    ]

    def color_of(count: int) -> str:
        if count == 0:
            return NONE_COLOR
        return next(c.color for c in classes if c.low <= count <= c.high)

    areas = [
        AreaCount(
            kind=outline.kind,
            code=outline.code,
            name=outline.name,
            count=counts.get(outline.code, 0),
            color=color_of(counts.get(outline.code, 0)),
        )
        for outline in sorted(outlines, key=lambda o: o.code)
    ]
    return Choropleth(areas=areas, classes=classes)


def choropleth_layer(
    data: Choropleth, outlines: Sequence[AreaOutline], *, listings_label: str
) -> folium.GeoJson:
    """The areas as one Folium GeoJSON layer coloured by class, with a tooltip each.

    Tooltips are written as HTML by Leaflet, so every text in them is escaped here.
    """
    by_code = {area.code: area for area in data.areas}
    features: list[dict[str, Any]] = []
    for outline in outlines:
        area = by_code[outline.code]
        style = dict(NONE_STYLE) if area.none else {**AREA_STYLE, "fillColor": area.color}
        features.append(
            {
                "type": "Feature",
                "geometry": outline.geometry,
                "properties": {
                    "name": str(escape(area.name)),
                    "count": area.count,
                    "style": style,
                },
            }
        )
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        style_function=lambda feature: feature["properties"]["style"],
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "count"], aliases=["", str(escape(listings_label))], labels=True
        ),
        control=False,
    )
