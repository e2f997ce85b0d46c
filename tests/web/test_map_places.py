"""The map's places per view (``/map/places`` with ``zoom`` and ``bbox``): the server's
clusters and single places add up to the list's total under every filter, no marker covers
another, and a bad view is named."""

from __future__ import annotations

import math
from urllib.parse import urlencode

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine

from api.settings import Settings
from tests.web.directory import Directory
from tests.web.pagescan import decode_places, marker_rows, places_url
from tests.web.test_pages import FILTERS, api_ids
from web.clusters import MAX_CLUSTER_ZOOM, MIN_GAP_PX, View, cells, view_items

Client = TestClient[Litestar]

WORLD = "-180,-90,180,90"


def view(client: Client, params: dict[str, str], *, zoom: int, bbox: str) -> dict[str, object]:
    page = client.get("/", params=params)
    answer = client.get(f"{places_url(page.text)}&{urlencode({'zoom': zoom, 'bbox': bbox})}")
    assert answer.status_code == 200, answer.text
    data: dict[str, object] = answer.json()
    return data


def drawn(data: dict[str, object]) -> tuple[list[int], list[int]]:
    """The single places' ids and the clusters' counts of one answer."""
    singles = decode_places(data["places"])  # type: ignore[arg-type]
    return [row[2] for row in singles], list(data["clusters"]["count"])  # type: ignore[index]


@pytest.mark.parametrize("params", FILTERS, ids=lambda p: urlencode(p) or "none")
def test_clusters_and_places_add_up_to_the_list(
    client: Client, engine: Engine, settings: Settings, directory: Directory, params: dict[str, str]
) -> None:
    expected = api_ids(engine, settings, params)
    for zoom in (3, 9, 12, 15, MAX_CLUSTER_ZOOM, 19):
        data = view(client, params, zoom=zoom, bbox=WORLD)
        ids, counts = drawn(data)
        assert data["count"] == len(ids) + sum(counts) == len(expected), zoom
        assert set(ids) <= set(expected)
        assert all(count > 1 for count in counts)
        if zoom >= MAX_CLUSTER_ZOOM:
            assert counts == [] and sorted(ids) == sorted(expected)


def test_far_out_every_dallas_place_is_one_named_cluster(
    client: Client, directory: Directory
) -> None:
    data = view(client, {}, zoom=3, bbox=WORLD)
    ids, counts = drawn(data)
    total = data["count"]
    assert ids == [] and counts == [total]
    box = data["clusters"]  # type: ignore[index]
    rows = marker_rows(client, client.get("/").text)
    assert box["south"] == [round(min(r[0] for r in rows) * 1e5)]  # type: ignore[index]
    assert box["east"] == [round(max(r[1] for r in rows) * 1e5)]  # type: ignore[index]


def test_a_view_holds_the_places_inside_it(client: Client, directory: Directory) -> None:
    rows = marker_rows(client, client.get("/").text)
    lats = sorted(row[0] for row in rows)
    south, north = lats[0] - 0.001, lats[len(lats) // 2] + 0.0001
    inside = sorted(row[2] for row in rows if south <= row[0] <= north)
    assert 0 < len(inside) < len(rows)
    data = view(client, {}, zoom=19, bbox=f"-180,{south},180,{north}")
    assert sorted(drawn(data)[0]) == inside


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("zoom=3", "bbox"),
        ("bbox=-97,32,-96,33", "zoom"),
        ("zoom=30&bbox=-97,32,-96,33", "zoom"),
        ("zoom=x&bbox=-97,32,-96,33", "zoom"),
        ("zoom=3&bbox=-97,32,-96", "bbox"),
        ("zoom=3&bbox=-96,32,-97,33", "bbox"),
        ("zoom=3&bbox=-97,33,-96,32", "bbox"),
        ("zoom=3&bbox=-97,32,-96,nan", "bbox"),
        ("zoom=3&bbox=-200,32,-96,33", "bbox"),
    ],
)
def test_a_bad_view_is_named(client: Client, directory: Directory, query: str, name: str) -> None:
    answer = client.get(f"/map/places?lang=en&{query}")
    assert answer.status_code == 400
    assert [param["name"] for param in answer.json()["invalid_params"]] == [name]


def test_no_marker_covers_another_below_the_street_zoom() -> None:
    # A dense town: a place every ~30 m on a 40 x 40 grid, and a few on one point.
    rows: list[list[object]] = [
        [32.7 + i * 0.0003, -96.8 + j * 0.0003, i * 40 + j + 1, 0, "P"]
        for i in range(40)
        for j in range(40)
    ]
    rows += [[32.705, -96.795, 2000 + k, 1, "Same point"] for k in range(5)]
    for zoom in range(3, MAX_CLUSTER_ZOOM):
        clusters, places = view_items(
            cells(rows, zoom), View(zoom=zoom, south=-85, west=-180, north=85, east=180)
        )
        assert sum(int(c[2]) for c in clusters) + len(places) == len(rows)
        points = [(c[0], c[1]) for c in clusters] + [(p[0], p[1]) for p in places]
        world = 256 * 2**zoom
        pixels = []
        for lat, lon in points:
            phi = math.radians(float(lat))
            y = (1 - math.log(math.tan(phi) + 1 / math.cos(phi)) / math.pi) / 2 * world
            pixels.append(((float(lon) + 180) / 360 * world, y))
        for n, (x, y) in enumerate(pixels):
            for ox, oy in pixels[n + 1 :]:
                assert math.hypot(ox - x, oy - y) >= MIN_GAP_PX, zoom
        for cluster in clusters:
            lat, lon, _, south, west, north, east = cluster
            assert south <= lat <= north and west <= lon <= east
    # At the street zoom every place is drawn, those on one point too.
    clusters, places = view_items(
        cells(rows, MAX_CLUSTER_ZOOM),
        View(zoom=MAX_CLUSTER_ZOOM, south=32.6, west=-96.9, north=32.8, east=-96.7),
    )
    assert clusters == [] and len(places) == len(rows)
