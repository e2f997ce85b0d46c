"""The map page in Chromium: filters, Spanish, near me, popups, print — and nothing leaves."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from tests.e2e.conftest import LiveServer, Watch, open_context
from tests.web.directory import XSS_NAME

pytestmark = pytest.mark.browser

PLACES_LAYER = "Object.values(window).find((v) => v instanceof Puente.PlacesLayer)"

DRAWN = """() => {
    const layers = Object.values(window).filter((v) => v instanceof Puente.PlacesLayer);
    if (layers.length !== 1) throw new Error("expected one places layer");
    return { ids: layers[0].ids(), clusters: layers[0].clusterCounts(), total: layers[0].total };
}"""


def drawn(page: Any) -> dict[str, Any]:
    """The single markers and clusters the map shows once its view's places are loaded."""
    page.wait_for_function(f"() => {{ const l = {PLACES_LAYER}; return l && !l.loading(); }}")
    result: dict[str, Any] = page.evaluate(DRAWN)
    return result


def api_ids(server: LiveServer, params: dict[str, str]) -> list[int]:
    """The API's answer for the page's filters: the page's language is a spoken one."""
    query: dict[str, str | list[str]] = {**params, "per_page": "100"}
    if "language" in params:
        query["language_support"] = ["staff", "interpreter"]
    response = httpx.get(f"{server.url}/api/v1/resources", params=query, timeout=10)
    response.raise_for_status()
    return [item["id"] for item in response.json()["items"]]


def listed_ids(page: Any) -> list[int]:
    return [
        int(v)
        for v in page.locator("#results > li").evaluate_all(
            "items => items.map((item) => item.dataset.id)"
        )
    ]


def open_popup(page: Any, server: LiveServer, resource_id: int) -> Any:
    """Zoom in on a place (where the API puts it) until the server sends it as a marker of
    its own, then open its popup as a tap does."""
    drawn(page)
    location = httpx.get(f"{server.url}/api/v1/resources/{resource_id}", timeout=10).json()[
        "location"
    ]
    page.evaluate(
        """([lat, lon]) => {
            const map = Object.values(window).find((v) => v instanceof L.Map);
            map.setView([lat, lon], map.getMaxZoom(), { animate: false });
        }""",
        [location["latitude"], location["longitude"]],
    )
    page.wait_for_function(
        f"""(id) => {{
            const marker = {PLACES_LAYER}.marker(id);
            if (!marker || !marker._icon) return false;
            marker._icon.click();
            return marker.isPopupOpen();
        }}""",
        arg=resource_id,
    )
    popup = page.locator(".leaflet-popup-content .puente-popup")
    popup.locator(".meta").wait_for()
    return popup


def test_language_and_area_show_exactly_the_api_results(
    live_server: LiveServer, desktop: tuple[Any, Watch], artifacts: Path
) -> None:
    page, watch = desktop
    page.goto(f"{live_server.url}/?lang=en")
    page.select_option("#f-language", "es")
    page.select_option("#f-area", "council_district:1")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")

    query = parse_qs(urlsplit(page.url).query)
    assert query == {"lang": ["en"], "language": ["es"], "area": ["council_district:1"]}
    expected = api_ids(live_server, {"language": "es", "area": "council_district:1"})
    assert len(expected) == 3
    assert listed_ids(page) == expected
    # What the map draws adds up to the list: its single markers and clusters' counts.
    shown = drawn(page)
    assert set(shown["ids"]) <= set(expected)
    assert len(shown["ids"]) + sum(shown["clusters"]) == shown["total"] == len(expected)
    assert page.locator("#result-count").inner_text().startswith("3 places found")
    page.screenshot(path=str(artifacts / "map-filtered-desktop.png"), full_page=True)
    assert all(urlsplit(url).hostname == "127.0.0.1" for url in watch.requests)


def test_switch_to_spanish(live_server: LiveServer, desktop: tuple[Any, Watch]) -> None:
    page, _ = desktop
    page.goto(f"{live_server.url}/?lang=en&category=legal_aid")
    with page.expect_navigation():
        page.click("nav.languages a[lang=es]")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert "category=legal_aid" in page.url
    assert page.locator("#result-count").inner_text().startswith("1 lugar encontrado")
    assert (page.locator("#f-language option[value=es]").text_content() or "").startswith("español")
    item = page.locator("#results > li").first
    assert "Ayuda legal de inmigración" in item.inner_text()

    clinic = live_server.directory.resources["clinic"]
    popup = open_popup(page, live_server, clinic)
    text = popup.inner_text()
    assert "Clínica Legal del Este" in text
    assert "Organización reconocida por el DOJ" in text
    assert "un proveedor de servicios legales" in text
    assert "español (con intérprete)" in text
    assert popup.locator(".directions a[href^='geo:']").count() == 1
    assert popup.locator(".act a[href^='geo:']").inner_text() == "Cómo llegar"
    assert popup.locator(".act a[href^='tel:']").inner_text() == "Llamar"
    assert popup.locator(".act a[href^='tel:']").get_attribute("href") == "tel:2145550100"
    assert popup.locator(f"a[href='/report/{clinic}']").inner_text() == "Reportar un problema"

    page.goto(f"{live_server.url}/?lang=es")
    centro = open_popup(page, live_server, live_server.directory.resources["centro"])
    assert "lun-vie 09:00-17:00" in centro.inner_text()


def test_near_me_orders_the_list_by_distance(
    live_server: LiveServer, browser: Any, artifacts: Path
) -> None:
    context, watch = open_context(
        browser,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": 32.761234, "longitude": -96.721987},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/?lang=en")
    page.screenshot(path=str(artifacts / "map-phone.png"), full_page=True)
    page.click("details.filter-box > summary")  # folded on a phone, under the map
    with page.expect_navigation():
        page.click("#near-me")
    query = parse_qs(urlsplit(page.url).query)
    # Rounded to two decimals in the browser, before the request.
    assert query["near"] == ["32.76,-96.72"]
    assert "address" not in query and "radius_km" not in query
    expected = api_ids(live_server, {"near": "32.76,-96.72"})
    assert listed_ids(page) == expected
    distances = [
        float(text.split()[0]) for text in page.locator("#results .distance").all_inner_texts()
    ]
    assert distances == sorted(distances) and len(distances) == len(expected)
    assert page.locator("#result-count").inner_text().endswith("nearest first")
    page.screenshot(path=str(artifacts / "map-near-me-phone.png"), full_page=True)
    context.close()
    assert watch.foreign == []
    assert watch.console_errors == []
    assert not any("32.761234" in url or "-96.721987" in url for url in watch.requests)


def test_the_xss_payload_is_shown_as_text(
    live_server: LiveServer, desktop: tuple[Any, Watch]
) -> None:
    page, watch = desktop
    page.goto(f"{live_server.url}/?lang=en")
    xss = live_server.directory.resources["xss"]
    popup = open_popup(page, live_server, xss)
    assert popup.locator("h3.name").inner_text() == XSS_NAME
    assert f"Run by: {XSS_NAME}" in popup.inner_text()
    assert popup.locator("img").count() == 0
    assert page.locator(f"#r-{xss} .name").inner_text() == XSS_NAME
    assert page.locator("#results img").count() == 0
    assert page.locator(f"#r-{xss} a[href^='javascript:']").count() == 0
    title = page.evaluate(f"(id) => {PLACES_LAYER}.marker(id).options.title", xss)
    assert title == XSS_NAME
    page.wait_for_timeout(300)
    assert watch.dialogs == []


def test_a_confidential_place_shows_no_address(
    live_server: LiveServer, desktop: tuple[Any, Watch]
) -> None:
    page, _ = desktop
    page.goto(f"{live_server.url}/?lang=en")
    popup = open_popup(page, live_server, live_server.directory.resources["shelter"])
    text = popup.inner_text()
    assert "The address is kept private." in text
    assert "Main St" not in text
    assert popup.locator("a[href^='geo:']").count() == 0
    assert popup.locator(".act a[href^='tel:']").count() == 1


def test_the_meeting_has_an_add_to_calendar_link(
    live_server: LiveServer, desktop: tuple[Any, Watch]
) -> None:
    page, _ = desktop
    page.goto(f"{live_server.url}/?lang=en")
    popup = open_popup(page, live_server, live_server.directory.resources["police"])
    text = popup.inner_text()
    assert "law enforcement (police)" in text
    assert "Community meeting with the police" in text
    resource = live_server.directory.resources["police"]
    event = live_server.directory.events["police"]
    link = popup.locator("a", has_text="Add to calendar")
    assert link.get_attribute("href") == f"/calendar/{resource}/{event}"
    calendar = httpx.get(f"{live_server.url}/calendar/{resource}/{event}", timeout=10)
    assert calendar.headers["content-type"].startswith("text/calendar")
    assert "SUMMARY:Community meeting with the police" in calendar.text


def test_printable_list(
    live_server: LiveServer, desktop: tuple[Any, Watch], artifacts: Path
) -> None:
    page, _ = desktop
    params = {"lang": "es", "language": "vi"}
    page.goto(f"{live_server.url}/list?{urlencode(params)}")
    assert listed_ids(page) == api_ids(live_server, {"language": "vi"})
    assert page.locator(".folium-map").count() == 0
    page.emulate_media(media="print")
    assert page.locator("details.filter-box").is_hidden()
    size = page.locator("#results h2").first.evaluate("h => getComputedStyle(h).fontSize")
    assert float(size.removesuffix("px")) >= 18
    page.screenshot(path=str(artifacts / "list-print.png"), full_page=True)


def test_nothing_matches_offers_a_wider_search(
    live_server: LiveServer, desktop: tuple[Any, Watch]
) -> None:
    page, _ = desktop
    page.goto(f"{live_server.url}/?lang=en&language=vi&area=zip:75201")
    assert page.locator("#result-count").inner_text() == "Nothing matches this search."
    with page.expect_navigation():
        page.click(".wider a:has-text('Any area')")
    assert listed_ids(page) == api_ids(live_server, {"language": "vi"})
