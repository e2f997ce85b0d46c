"""The Folium builder: app-served assets only, tiles from the settings, one marker layer."""

from __future__ import annotations

import json
import re

import folium
from folium.plugins import MarkerCluster

from api.db.models import Category
from api.search import Placed
from api.settings import Settings
from web.assets import AssetUrls
from web.map import MapLabels, build_map, marker_rows, render_map
from web.outlines import AreaOutline, short_note, simplify_geometry

LABELS = MapLabels(
    resources="Places", search_point="Your search point", area_kinds={"zip": "ZIP codes"}
)
CATEGORIES = [category.value for category in Category]


def square(code: str, west: float, south: float, note: str | None = None) -> AreaOutline:
    ring = [[west, south], [west + 0.1, south], [west + 0.1, south + 0.1], [west, south + 0.1]]
    return AreaOutline(
        kind="zip",
        code=code,
        name=code,
        note=note,
        geometry={"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
    )


PLACES_URL = "/map/places?lang=en"
OUTLINES_URL = "/map/outlines/{kind}?v=1"


def rendered(settings: Settings, rows: list[list[object]], **kwargs: object) -> str:
    m = build_map(
        rows,
        settings=settings,
        assets=AssetUrls.default(),
        labels=LABELS,
        places_url=PLACES_URL,
        outlines_url=OUTLINES_URL,
        **kwargs,  # type: ignore[arg-type]
    )
    parts = render_map(m)
    return "\n".join([parts.head, parts.body, parts.script])


def test_marker_rows_are_compact_and_ordered() -> None:
    rows = marker_rows(
        [
            Placed(7, 32.7812345678, -96.7987654321, Category.LEGAL_AID.value, "B"),
            Placed(3, 32.5, -96.5, Category.MEETING_VENUE.value, "A"),
        ],
        CATEGORIES,
    )
    assert rows == [
        [32.78123, -96.79877, 7, CATEGORIES.index("legal_aid"), "B"],
        [32.5, -96.5, 3, CATEGORIES.index("meeting_venue"), "A"],
    ]


def test_every_asset_link_points_at_the_app() -> None:
    html = rendered(Settings(tile_url=None), [[32.7, -96.8, 1, 0, "A"]], outlines=[])
    links = re.findall(r'(?:src|href)="([^"]+)"', html)
    assets = AssetUrls.default()
    # Leaflet alone: the clusters are the server's, so no clustering script is loaded.
    assert set(links) == {assets.leaflet_js, assets.leaflet_css}
    assert "markercluster" not in html.lower()
    assert "cdn" not in html and "http" not in html.lower().replace("http-equiv", "")


def test_assets_are_set_per_map_and_never_leak_into_folium() -> None:
    rendered(Settings(tile_url=None), [[32.7, -96.8, 1, 0, "A"]], outlines=[])
    # A plain Folium map made afterwards still has Folium's own defaults: nothing was
    # assigned to the classes.
    plain = folium.Map(tiles=None)
    MarkerCluster().add_to(plain)
    html = plain.get_root().render()
    assert "cdn.jsdelivr.net/npm/leaflet@" in html
    assert "leaflet.markercluster" in html and "/static/vendor/" not in html


def test_no_tiles_without_a_tile_url_and_outlines_become_the_basemap() -> None:
    outlines = [square("75201", -96.8, 32.7), square("75202", -96.7, 32.7)]
    html = rendered(Settings(tile_url=None), [], outlines=outlines)
    assert "L.tileLayer(" not in html
    assert "L.geoJson(" in html
    assert re.search(r"geo_json_\w+\.addTo\(map_\w+\)", html)  # shown from the start
    assert "Puente.outline" in html


def test_tiles_and_attribution_from_the_settings() -> None:
    settings = Settings(
        tile_url="https://tiles.example.net/{z}/{x}/{y}.png", tile_attribution="Example tiles"
    )
    outlines = [square("75201", -96.8, 32.7)]
    html = rendered(settings, [[32.7, -96.8, 1, 0, "A"]], outlines=outlines)
    assert '"https://tiles.example.net/{z}/{x}/{y}.png"' in html
    assert '"attribution": "Example tiles"' in html
    # With tiles, the outlines are an overlay a resident may turn on, fetched when turned on
    # (or when the tiles fail): none is embedded.
    assert not re.search(r"geo_json_\w+\.addTo\(map_\w+\)", html)
    assert "L.geoJson(" not in html and "-96.8" not in html.split("fitBounds")[0]
    assert 'Puente.outlines("/map/outlines/zip?v=1", {"fallback": true' in html
    assert "L.control.layers(" in html


def test_only_the_drawn_outline_layer_is_embedded() -> None:
    zips = [square("75201", -96.8, 32.7), square("75202", -96.7, 32.7)]
    district = AreaOutline(
        kind="council_district",
        code="1",
        name="District 1",
        note=None,
        geometry={
            "type": "Polygon",
            "coordinates": [[[-96.9, 32.6], [-96.6, 32.6], [-96.6, 32.9], [-96.9, 32.6]]],
        },
    )
    html = rendered(Settings(tile_url=None), [], outlines=[district, *zips])
    assert html.count("L.geoJson(") == 1  # the coarsest kind, drawn as the basemap
    assert "District 1" in html and "75201" not in html
    assert 'Puente.outlines("/map/outlines/zip?v=1", {"fallback": false' in html


def test_one_places_layer_loaded_by_the_browser_and_no_marker_in_the_page() -> None:
    rows = [[32.7 + i / 1000, -96.8, i, 0, f"Place {i}"] for i in range(500)]
    html = rendered(Settings(tile_url=None), rows, outlines=[])
    assert html.count("Puente.places(") == 1
    assert '"/map/places?lang=en"' in html
    assert "L.marker(" not in html and "Place " not in html  # no marker is embedded
    assert "32.7" not in html.split("fitBounds")[0]


def test_database_text_cannot_break_out_of_the_script() -> None:
    payload = "</script><img src=x onerror=alert(1)>"
    outlines = [square("75201", -96.8, 32.7, note=payload)]
    m = build_map(
        [[32.7, -96.8, 1, 0, payload]],
        places_url=PLACES_URL,
        outlines_url=OUTLINES_URL,
        settings=Settings(tile_url=None),
        assets=AssetUrls.default(),
        labels=LABELS,
        outlines=outlines,
    )
    html = render_map(m).script
    assert payload not in html
    assert "</script>" not in html and "<img" not in html
    # The layer control writes names as HTML: the note arrives HTML-escaped (&lt;img ...),
    # inside a JSON string whose & is escaped in turn.
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in html


def test_the_map_fits_the_results_and_the_search_point() -> None:
    html = rendered(
        Settings(tile_url=None),
        [[32.70, -96.80, 1, 0, "A"], [32.80, -96.70, 2, 0, "B"]],
        outlines=[],
        point=(32.60, -96.75),
    )
    bounds = re.search(r"fitBounds\(\s*(\[\[.*?\]\])", html, re.S)
    assert bounds is not None
    assert json.loads(bounds.group(1)) == [[32.6, -96.8], [32.8, -96.7]]
    assert "L.circleMarker(" in html and "[32.6, -96.75]" in html


def test_outlines_are_simplified() -> None:
    points = 2000
    ring = [[-96.8 + 0.1 * i / points, 32.7 + 1e-7 * (i % 2)] for i in range(points)]
    ring += [[-96.7, 32.8], [-96.8, 32.8], ring[0]]
    simplified = simplify_geometry({"type": "Polygon", "coordinates": [ring]})
    assert simplified["type"] == "Polygon"
    assert len(simplified["coordinates"][0]) < 10


def test_area_notes_are_shortened_for_menus_and_layer_names() -> None:
    long_note = "2011 plan (adopted 2011-10-05), replaced in 2023: not today's districts."
    assert short_note(long_note) == "2011 plan"
    assert short_note("A note without any clause break that goes on and on for ever") == (
        "A note without any clause break that…"
    )
    assert short_note(None) is None
    html = rendered(
        Settings(tile_url=None), [], outlines=[square("75201", -96.8, 32.7, note=long_note)]
    )
    assert '"ZIP codes (2011 plan)"' in html
    assert "not today" in html  # the whole note stays on the outline's tooltip
