"""What keeps the resident pages light: an inline icon sprite instead of a webfont, hashed
immutable assets, brotli, cache headers that keep a search private, and a map whose markers
are loaded as compact JSON instead of being written into the page."""

from __future__ import annotations

import gzip
import hashlib
import re

import brotli
from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from api.settings import Settings
from bench import load_sql
from tests.web.directory import Directory
from tests.web.pagescan import decode_places, places_url, scan
from web.assets import OWN_STATIC

Client = TestClient[Litestar]

PAGES = ("/", "/list")


def test_icons_are_drawn_from_the_inline_sprite(client: Client, directory: Directory) -> None:
    for path in PAGES:
        html = client.get(path).text
        assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="sprite"') == 1
        symbols = set(re.findall(r'<symbol id="(i-[a-z-]+)" viewBox="[\d ]+"><path d="', html))
        used = set(re.findall(r'<use href="#(i-[a-z-]+)">', html))
        assert used, f"{path} draws no icon"
        assert used <= symbols, f"{path} uses icons the sprite lacks: {used - symbols}"
        assert "fa-solid" not in html
    # The map's script draws its markers with the sprite's icons too.
    html = client.get("/").text
    config = scan(html).config
    symbols = set(re.findall(r'<symbol id="i-([a-z-]+)"', html))
    assert {c["icon"] for c in [*config["categories"], config["other"]]} <= symbols


def test_no_page_asks_for_a_webfont(client: Client, directory: Directory) -> None:
    for path in PAGES:
        html = client.get(path).text
        links = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
        assert links
        for link in links:
            body = client.get(link).text
            assert not re.search(r"@font-face|\.woff2?\b|\.ttf\b|font-awesome", body), link
        assert "font-awesome" not in html and "webfonts" not in html
    assert client.get("/static/vendor/font-awesome-6.2.1/css/solid.min.css").status_code == 404


def test_own_assets_have_hashed_names_and_are_immutable(client: Client) -> None:
    html = client.get("/").text
    own = re.findall(r'(?:src|href)="(/static/puente/[^"]+)"', html)
    assert {re.sub(r"\.[0-9a-f]{10}\.", ".", url.rsplit("/", 1)[1]) for url in own} == {
        "puente.js",
        "puente.css",
        "favicon.svg",
    }
    for url in own:
        name = url.rsplit("/", 1)[1]
        stem, digest, suffix = name.split(".")
        plain = OWN_STATIC / f"{stem}.{suffix}"
        assert hashlib.sha256(plain.read_bytes()).hexdigest().startswith(digest)
        answer = client.get(url)
        assert answer.status_code == 200
        assert answer.content == plain.read_bytes()
        directives = {d.strip() for d in answer.headers["cache-control"].split(",")}
        assert {"public", "immutable", "max-age=31536000"} <= directives
    for vendor in re.findall(r'(?:src|href)="(/static/vendor/[^"]+)"', html):
        assert "immutable" in client.get(vendor).headers["cache-control"]
    # The unhashed names are not served: a stale page cannot mix old and new files.
    assert client.get("/static/puente/puente.js").status_code == 404


def test_brotli_when_the_client_takes_it_and_gzip_otherwise(
    client: Client, directory: Directory
) -> None:
    plain = client.get("/list", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    for encoding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        with client.stream("GET", "/list", headers={"Accept-Encoding": encoding}) as answer:
            assert answer.headers["content-encoding"] == encoding
            raw = b"".join(answer.iter_raw())
        assert len(raw) < len(plain.content) / 3
        # Same page (the CSP nonce differs per response).
        text = decode(raw).decode()
        assert re.sub(r'nonce="[^"]+"', "", text) == re.sub(r'nonce="[^"]+"', "", plain.text)


def test_pages_showing_a_search_are_kept_by_no_cache(client: Client, directory: Directory) -> None:
    plain = client.get("/?lang=es").headers["cache-control"]
    assert plain == "private, max-age=300"
    assert client.get("/list").headers["cache-control"] == "private, max-age=300"
    for path in ("/", "/list"):
        for params in ({"language": "vi"}, {"address": "75217"}, {"near": "32.76,-96.72"}):
            assert client.get(path, params=params).headers["cache-control"] == "no-store"
    page = client.get("/", params={"category": "legal_aid"}).text
    assert client.get(places_url(page)).headers["cache-control"] == "no-store"


def test_an_address_search_sends_the_map_its_point_not_the_address(
    client: Client, directory: Directory
) -> None:
    page = client.get("/", params={"address": "75217"}).text
    url = places_url(page)
    assert "address" not in url and "near=" in url


def test_ten_thousand_markers_are_loaded_as_json_not_written_into_the_page(
    settings: Settings,
) -> None:
    load_sql.load(settings, 10_000)
    with TestClient(create_app(settings)) as client:
        page = client.get("/", headers={"Accept-Encoding": "identity"})
        assert page.status_code == 200
        assert "Synthetic" not in page.text and " 9999" not in page.text
        assert len(page.content) < 150_000  # no marker rows: a page of 10 and of 10,000 alike
        places = client.get(places_url(page.text))
        rows = decode_places(places.json())
        # The map asks for its view: a few clusters, not ten thousand rows, to draw.
        first_view = client.get(
            f"{places_url(page.text)}&zoom=4&bbox=-180,-85,180,85",
            headers={"Accept-Encoding": "identity"},
        )
        clustered = first_view.json()
    assert clustered["count"] == 10_000
    assert sum(clustered["clusters"]["count"]) + clustered["places"]["count"] == 10_000
    assert len(first_view.content) < 5_000
    assert len(rows) == 10_000
    assert sorted(row[2] for row in rows) == list(range(1, 10_001))
    assert all(-90 <= row[0] <= 90 and -180 <= row[1] <= 180 for row in rows)
