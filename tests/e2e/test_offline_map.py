"""The resident pages without signal, with failing map tiles, and the map's clusters, in
Chromium: the service worker keeps the last results and the emergency page; tiles that fail
leave the outlines with a line saying so; a cluster is named by how many places it holds."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from api.settings import Settings
from tests.e2e.conftest import LiveServer, Watch, open_context, serve_directory
from web.i18n import translations

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
TILE_URL = "https://tiles.invalid/{z}/{x}/{y}.png"
MAP = "window[document.querySelector('.folium-map').id]"
PLACES = "Object.values(window).find((v) => v instanceof Puente.PlacesLayer)"


def zoom_to(page: Any, zoom: int) -> None:
    """Zoom without animation and wait for the view's places to be drawn."""
    page.evaluate(f"{MAP}.setZoom({zoom}, {{animate: false}})")
    page.wait_for_function(f"() => !{PLACES}.loading()")


def kept_urls(page: Any) -> list[str]:
    urls: list[str] = page.evaluate(
        """async () => {
            const cache = await caches.open("puente-kept");
            return (await cache.keys()).map((request) => request.url);
        }"""
    )
    return urls


def wait_until_kept(page: Any, *suffixes: str) -> None:
    deadline = time.monotonic() + 20
    while True:
        urls = kept_urls(page)
        if all(any(url.endswith(suffix) for url in urls) for suffix in suffixes):
            return
        if time.monotonic() > deadline:
            pytest.fail(f"the service worker kept {urls}, not all of {suffixes}")
        time.sleep(0.2)


def test_offline_reload_shows_the_kept_results_and_the_emergency_page(
    live_server: LiveServer, browser: Any
) -> None:
    context, watch = open_context(browser, **PHONE)
    page = context.new_page()
    spanish = translations("es").gettext
    page.goto(f"{live_server.url}/?lang=es&category=legal_aid")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    wait_until_kept(page, "/offline-last/map", "/offline-last/map/places", "/emergency?lang=es")
    names = page.locator("#results .name").all_inner_texts()
    assert names == ["Clínica Legal del Este"]
    assert page.locator("#offline-notice").is_hidden()

    context.set_offline(True)
    page.reload()
    notice = page.locator("#offline-notice")
    notice.wait_for(state="visible")
    expected = spanish(
        "You are offline. This page shows the last results you saw here, which may be out of date."
    )
    assert expected in notice.inner_text()
    assert page.locator("#results .name").all_inner_texts() == names
    page.locator(".puente-marker").first.wait_for(state="attached")  # the kept places, drawn
    assert page.locator("#places-notice").is_hidden()

    notice.get_by_role("link").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == spanish("Emergency and help numbers")
    assert page.locator('a[href="tel:911"]').count() == 1
    assert page.locator('a[href="tel:211"]').count() == 1
    assert "Clínica Legal del Este" in page.locator("main").inner_text()
    assert page.locator('a[href="tel:2145550100"]').count() == 1

    # A page never kept falls back to the emergency page in the language asked for.
    page.goto(f"{live_server.url}/report/{live_server.directory.resources['church']}?lang=es")
    assert page.locator("h1").inner_text() == spanish("Emergency and help numbers")
    context.close()
    assert watch.foreign == []
    assert [e for e in watch.console_errors if "ERR_INTERNET_DISCONNECTED" not in e] == []


@pytest.fixture(scope="module")
def tiled_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path = tmp_path_factory.mktemp("tiles") / "puente.db"
    settings = Settings(database_url=f"sqlite:///{path}", geocoder="offline", tile_url=TILE_URL)
    yield from serve_directory(settings)


def test_failing_tiles_leave_the_outlines_and_say_so(
    tiled_server: LiveServer, browser: Any
) -> None:
    context, watch = open_context(browser, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{tiled_server.url}/?lang=vi")
    notice = page.locator("#basemap-notice")
    notice.wait_for(state="visible")
    assert notice.inner_text().strip() == translations("vi").gettext(
        "The base map could not be loaded. The area outlines are shown instead."
    )
    outlines = page.locator("path.leaflet-interactive")
    outlines.first.wait_for(state="attached")
    assert outlines.count() > 0
    context.close()
    assert watch.foreign and all(url.startswith("https://tiles.invalid/") for url in watch.foreign)


def test_clusters_are_named_by_how_many_places_they_hold(
    live_server: LiveServer, desktop: tuple[Any, Watch]
) -> None:
    page, _ = desktop
    page.goto(f"{live_server.url}/?lang=es")
    page.locator(".puente-marker, .marker-cluster").first.wait_for(state="attached")
    zoom_to(page, 5)
    cluster = page.locator(".marker-cluster").first
    cluster.wait_for(state="attached")
    name = cluster.evaluate("node => node.textContent")  # the name a screen reader reads
    drawn = cluster.locator("[aria-hidden=true]").inner_text()
    found = re.fullmatch(r"(\d+) lugares(\d+)", name)
    assert found is not None, name
    assert found.group(1) == found.group(2) == drawn
    assert int(drawn) > 1


def test_enter_on_a_cluster_zooms_in_on_its_places_and_keeps_the_focus_on_the_map(
    live_server: LiveServer, desktop: tuple[Any, Watch]
) -> None:
    page, _ = desktop
    page.goto(f"{live_server.url}/?lang=en")
    page.locator(".puente-marker, .marker-cluster").first.wait_for(state="attached")
    zoom_to(page, 5)
    cluster = page.locator(".marker-cluster").first
    cluster.wait_for(state="attached")
    before = page.evaluate(f"{MAP}.getZoom()")
    cluster.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"(before) => {MAP}.getZoom() > before", arg=before)
    page.wait_for_function(
        "() => document.activeElement !== null"
        " && document.activeElement.classList.contains('leaflet-marker-icon')"
    )
