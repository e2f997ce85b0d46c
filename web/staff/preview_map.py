"""The editor's small map: where the listing is now and, after "Preview", where the
geocoder would put the typed address. Folium, with the app's own Leaflet (as on the public
pages) and the configured tiles only."""

from __future__ import annotations

import folium
from markupsafe import escape

from api.settings import Settings
from web.assets import AssetUrls
from web.map import RenderedMap, render_map

__all__ = ["point_map"]

ZOOM = 15


def point_map(
    *,
    saved: tuple[float, float],
    preview: tuple[float, float] | None,
    settings: Settings,
    assets: AssetUrls,
    saved_label: str,
    preview_label: str,
) -> RenderedMap:
    m = folium.Map(location=list(preview or saved), zoom_start=ZOOM, tiles=None)
    m.default_js = [("leaflet", assets.leaflet_js)]
    m.default_css = [("leaflet_css", assets.leaflet_css)]
    if settings.tile_url is not None:
        folium.TileLayer(
            tiles=settings.tile_url, attr=settings.tile_attribution, name="tiles", control=False
        ).add_to(m)
    folium.CircleMarker(
        location=list(saved),
        radius=8,
        color="#0b4f8a",
        weight=3,
        fill=True,
        fill_color="#0b4f8a",
        fill_opacity=0.6,
        tooltip=str(escape(saved_label)),
    ).add_to(m)
    if preview is not None:
        folium.CircleMarker(
            location=list(preview),
            radius=9,
            color="#111111",
            weight=3,
            fill=True,
            fill_color="#ffd400",
            fill_opacity=1,
            tooltip=str(escape(preview_label)),
        ).add_to(m)
        m.fit_bounds([list(saved), list(preview)], max_zoom=ZOOM)
    return render_map(m)
