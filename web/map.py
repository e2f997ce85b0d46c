"""The resident map, built with Folium and rendered on the server.

Privacy shapes the build: Folium's defaults load Leaflet, jQuery, Bootstrap and fonts from
CDNs and tiles from OpenStreetMap. Here every element's ``default_js`` / ``default_css`` is
pointed at the app's own static route on the instance (the class lists are shared by every
map in the process, so they are never touched), the map is built with ``tiles=None``, and a
tile layer is added only when ``PUENTE_TILE_URL`` names one. Without tiles the area outlines
are shown as the basemap.

The page embeds no marker. Its places layer (``Puente.places`` in ``web/static/puente.js``)
asks ``web.places.PLACES_PATH`` for the view it shows, after every move, and draws the
clusters the server made (``web.clusters``) and the single places' marker rows
``[lat, lon, id, category index, name]``: the phone clusters nothing itself, so ten
thousand places cost it no more than ten. Each row becomes a marker whose popup is
built as DOM text (never HTML from the database) and fills in the details from the public
API when it opens. Only the outline layer drawn when the page opens is embedded; the
others (``Puente.outlines``) are fetched when turned on, or, for the coarsest, when the map
tiles fail and the outlines take their place. That keeps a page of 10,000 resources as
small as one of ten.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any, cast

import folium
from branca.element import CssLink, Figure, JavascriptLink
from folium.map import FitBounds, Layer
from folium.template import Template
from folium.utilities import JsCode
from markupsafe import escape

from api.search import Placed
from api.settings import Settings
from web.assets import AssetUrls
from web.clusters import MAX_ZOOM
from web.outlines import AreaOutline, short_note
from web.places import OUTLINE_STYLE, outline_collection

__all__ = [
    "LazyOutlines",
    "MapLabels",
    "PlacesLayer",
    "RenderedMap",
    "build_map",
    "marker_rows",
    "render_map",
]

COORDINATE_DIGITS = 5
"""Marker coordinates are rounded to about a metre; more digits only add bytes."""
_SCALE = 10**COORDINATE_DIGITS

MAX_FIT_ZOOM = 15
"""Fitting the map to one or two nearby places stops at street level."""


class PlacesLayer(Layer):
    """The markers and clusters of the map's view, loaded by the browser from ``url``
    (``web.places``) after every move."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
var {{ this.get_name() }} = Puente.places({{ this.url|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, url: str, *, name: str) -> None:
        super().__init__(name=name, overlay=True, control=False, show=True)
        self._name = "PlacesLayer"
        self.url = url


class LazyOutlines(Layer):
    """A kind of area outline the browser fetches from ``url`` when the layer is turned on.

    ``fallback`` marks the layer drawn in place of map tiles that fail to load."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
var {{ this.get_name() }} = Puente.outlines({{ this.url|tojson }}, {{ this.options|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, url: str, *, name: str, fallback: bool) -> None:
        super().__init__(name=name, overlay=True, control=True, show=False)
        self._name = "LazyOutlines"
        self.url = url
        self.options = {"fallback": fallback, "style": OUTLINE_STYLE}


@dataclass(frozen=True, kw_only=True)
class MapLabels:
    """Translated words the map itself shows (the legend and popups are the page's)."""

    resources: str
    search_point: str
    area_kinds: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class RenderedMap:
    head: str
    """``<script src>`` and ``<link rel=stylesheet>`` tags, all pointing at the app."""

    body: str
    """The map's element."""

    script: str
    """The body of the one inline script that draws the map (no ``<script>`` tags)."""


def marker_rows(places: Iterable[Placed], categories: Sequence[str]) -> list[list[Any]]:
    """Rows ``[lat, lon, id, category index, name]``; coordinates rounded as whole numbers
    of ``1 / _SCALE`` degree, several times faster than ``round(x, digits)`` on a map of ten
    thousand."""
    index = {category: position for position, category in enumerate(categories)}
    return [
        [
            round(latitude * _SCALE) / _SCALE,
            round(longitude * _SCALE) / _SCALE,
            resource_id,
            index.get(category, -1),
            name,
        ]
        for resource_id, latitude, longitude, category, name in places
    ]


def build_map(
    rows: list[list[Any]],
    *,
    places_url: str,
    outlines: Sequence[AreaOutline],
    outlines_url: str,
    settings: Settings,
    assets: AssetUrls,
    labels: MapLabels,
    point: tuple[float, float] | None = None,
) -> folium.Map:
    """A map of the places at ``places_url`` (whose marker rows, see ``marker_rows``, fit its
    bounds), area outlines (``outlines_url`` with ``{kind}``) and the search point."""
    m = folium.Map(location=None, tiles=None, control_scale=True, prefer_canvas=False)
    m.options["max_zoom"] = MAX_ZOOM  # the server's clusters go up to it, tiles or not
    _use_app_assets(m, [("leaflet", assets.leaflet_js)], [("leaflet_css", assets.leaflet_css)])
    if settings.tile_url is not None:
        folium.TileLayer(
            tiles=settings.tile_url,
            attr=settings.tile_attribution,
            name="tiles",
            control=False,
            max_zoom=MAX_ZOOM,
        ).add_to(m)

    _add_outlines(
        m, outlines, labels=labels, as_basemap=settings.tile_url is None, url=outlines_url
    )

    PlacesLayer(places_url, name=str(escape(labels.resources))).add_to(m)

    if point is not None:
        folium.CircleMarker(
            location=list(point),
            radius=9,
            color="#111111",
            weight=3,
            fill=True,
            fill_color="#ffd400",
            fill_opacity=1,
            tooltip=str(escape(labels.search_point)),
        ).add_to(m)

    if outlines:
        folium.LayerControl(collapsed=True).add_to(m)

    bounds = _bounds(rows, outlines, point)
    if bounds is not None:
        # kept clear of the corner controls, so no marker sits under one; not animated, so
        # the places of the fitted view are asked for at once
        fit = FitBounds(bounds, max_zoom=MAX_FIT_ZOOM, padding=(44, 44))
        fit.options["animate"] = False
        fit.add_to(m)
    return m


def render_map(m: folium.Map) -> RenderedMap:
    root = cast(Figure, m.get_root())
    root.render()
    links = [
        child.render()
        for child in root.header._children.values()
        if isinstance(child, JavascriptLink | CssLink)
    ]
    return RenderedMap(head="\n".join(links), body=root.html.render(), script=root.script.render())


def _use_app_assets(element: Any, js: list[tuple[str, str]], css: list[tuple[str, str]]) -> None:
    """Point one element's asset lists at the app (on the instance, never the class)."""
    element.default_js = js
    element.default_css = css


def _add_outlines(
    m: folium.Map,
    outlines: Sequence[AreaOutline],
    *,
    labels: MapLabels,
    as_basemap: bool,
    url: str,
) -> None:
    by_kind = [(kind, list(group)) for kind, group in groupby(outlines, key=lambda o: o.kind)]
    # The coarsest kind (fewest areas) is the basemap: drawn from the start without tiles,
    # fetched if the tiles fail. Only a layer drawn from the start is embedded in the page.
    coarsest = min(by_kind, key=lambda item: len(item[1]))[0] if by_kind else None
    for kind, group in by_kind:
        notes = {short_note(outline.note) for outline in group if outline.note}
        name = labels.area_kinds.get(kind, kind)
        if len(notes) == 1:
            name = f"{name} ({notes.pop()})"
        layer: Layer
        if as_basemap and kind == coarsest:
            layer = folium.GeoJson(
                outline_collection(group),
                name=str(escape(name)),  # Leaflet's layer control writes names as HTML
                show=True,
                on_each_feature=JsCode("Puente.outline"),
                interactive=True,
            )
            _use_app_assets(layer, [], [])
        else:
            layer = LazyOutlines(
                url.replace("{kind}", kind), name=str(escape(name)), fallback=kind == coarsest
            )
        layer.add_to(m)


def _bounds(
    rows: list[list[Any]], outlines: Sequence[AreaOutline], point: tuple[float, float] | None
) -> list[list[float]] | None:
    latitudes = [row[0] for row in rows]
    longitudes = [row[1] for row in rows]
    if point is not None:
        latitudes.append(point[0])
        longitudes.append(point[1])
    if not latitudes:
        for outline in outlines:
            for lon, lat in _coordinates(outline.geometry):
                latitudes.append(lat)
                longitudes.append(lon)
    if not latitudes:
        return None
    return [[min(latitudes), min(longitudes)], [max(latitudes), max(longitudes)]]


def _coordinates(geometry: dict[str, Any]) -> Iterable[tuple[float, float]]:
    def walk(value: Any) -> Iterable[tuple[float, float]]:
        if value and isinstance(value[0], int | float):
            yield float(value[0]), float(value[1])
        else:
            for item in value:
                yield from walk(item)

    return walk(geometry.get("coordinates", []))
