"""The resident pages in Chromium: a report sent by clicking, every language, phone, keyboard.

axe-core (npm, ``node_modules/axe-core``) is run inside each page; no serious or critical
violation is allowed on the map, the list or the report form in any language. Phone
screenshots are saved under ``test-artifacts/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session

from api.db.engine import create_database_engine
from api.db.models import ProblemReport
from tests.clients import node_module
from tests.e2e.conftest import LiveServer, Watch, open_context
from web.i18n import available_locales, translations, ui_locale
from web.report import FAILURE_MESSAGES

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PAGES = ("/", "/list", "/report/{id}")


def stored_reports(server: LiveServer) -> list[tuple[int, str, str | None]]:
    engine = create_database_engine(server.settings.sqlalchemy_url)
    try:
        with Session(engine) as session:
            rows = session.scalars(select(ProblemReport).order_by(ProblemReport.id)).all()
            return [(row.resource_id, row.kind, row.message) for row in rows]
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def axe_source() -> str:
    return (node_module("axe-core") / "axe.min.js").read_text(encoding="utf-8")


def axe_problems(page: Any, source: str) -> list[str]:
    page.evaluate(source)
    result = page.evaluate(
        """async () => {
            const found = await axe.run(document, { resultTypes: ["violations"] });
            return found.violations
                .filter((v) => v.impact === "serious" || v.impact === "critical")
                .map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", "));
        }"""
    )
    return list(result)


def test_a_report_is_sent_by_clicking_in_spanish(
    live_server: LiveServer, desktop: tuple[Any, Watch]
) -> None:
    page, _ = desktop
    church = live_server.directory.resources["church"]
    before = stored_reports(live_server)
    page.goto(f"{live_server.url}/report/{church}?lang=es")
    assert page.locator("h1").inner_text() == "Reportar un problema"
    page.get_by_label("El horario está mal").check()
    page.get_by_label("¿Qué debería decir? (opcional)").fill("Abre a las 10")
    with page.expect_navigation():
        page.get_by_role("button", name="Enviar").click()
    assert page.locator("[role=status]").inner_text() == "Gracias. El personal revisará este lugar."
    assert page.locator("html").get_attribute("lang") == "es"
    assert stored_reports(live_server) == [*before, (church, "wrong_hours", "Abre a las 10")]


def failing_page(browser: Any) -> tuple[Any, Any, Watch]:
    """A page whose one console error may be the failure status it was answered with."""
    context, watch = open_context(browser, viewport={"width": 1280, "height": 800})
    return context, context.new_page(), watch


def only_the_status_was_logged(watch: Watch, status: int) -> bool:
    return watch.foreign == [] and all(f"status of {status}" in e for e in watch.console_errors)


def test_a_report_without_a_kind_shows_the_form_again_in_korean(
    live_server: LiveServer, browser: Any
) -> None:
    context, page, watch = failing_page(browser)
    church = live_server.directory.resources["church"]
    before = stored_reports(live_server)
    page.goto(f"{live_server.url}/report/{church}?lang=ko")
    page.evaluate("document.querySelector('form.report').noValidate = true")
    with page.expect_navigation():
        page.get_by_role("button", name=translations("ko").gettext("Send")).click()
    assert page.locator(".errors[role=alert]").inner_text() == "무엇이 잘못되었는지 선택해 주세요."
    assert stored_reports(live_server) == before
    context.close()
    assert only_the_status_was_logged(watch, 400)


def test_a_post_from_another_page_is_refused_with_a_translated_page(
    live_server: LiveServer, browser: Any
) -> None:
    context, page, watch = failing_page(browser)
    church = live_server.directory.resources["church"]
    before = stored_reports(live_server)
    # A page that is not the site's own (about:blank: an opaque origin) posting the form.
    page.set_content(
        f'<form method="post" action="{live_server.url}/report/{church}/send?lang=vi">'
        '<input type="hidden" name="kind" value="closed"><button>go</button></form>'
    )
    with page.expect_navigation():
        page.click("button")
    assert page.locator("h1").inner_text() == "Báo cáo chưa được gửi"
    assert page.locator("[role=alert]").inner_text() == translations("vi").gettext(
        FAILURE_MESSAGES[403]
    )
    assert page.locator("html").get_attribute("lang") == "vi"
    assert stored_reports(live_server) == before
    context.close()
    assert only_the_status_was_logged(watch, 403)


@pytest.mark.parametrize("code", available_locales())
def test_every_language_renders_with_its_direction_and_passes_axe(
    live_server: LiveServer, browser: Any, axe_source: str, code: str
) -> None:
    context, watch = open_context(browser, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    church = live_server.directory.resources["church"]
    problems: dict[str, list[str]] = {}
    for path in PAGES:
        page.goto(f"{live_server.url}{path.format(id=church)}?lang={code}")
        html = page.locator("html")
        assert html.get_attribute("lang") == code
        assert html.get_attribute("dir") == ui_locale(code).direction
        current = page.locator("nav.languages [aria-current]")
        assert current.inner_text() == ui_locale(code).name[:1].upper() + ui_locale(code).name[1:]
        if found := axe_problems(page, axe_source):
            problems[path] = found
    context.close()
    assert problems == {}
    assert watch.foreign == [] and watch.console_errors == []


def test_arabic_is_laid_out_right_to_left(live_server: LiveServer, browser: Any) -> None:
    context, _ = open_context(browser, **PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/list?lang=ar")
    first = page.locator("#results > li").first
    assert first.evaluate("li => getComputedStyle(li).direction") == "rtl"
    border = first.evaluate("li => getComputedStyle(li).borderRightWidth")
    assert float(border.removesuffix("px")) >= 3  # the category stripe on the start side
    context.close()


@pytest.mark.parametrize("code", ["es", "vi", "ar"])
def test_on_a_phone_the_count_and_first_result_show_under_the_map(
    live_server: LiveServer, browser: Any, artifacts: Path, code: str
) -> None:
    context, watch = open_context(browser, **PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/?lang={code}")
    page.wait_for_selector(".leaflet-marker-icon")
    count = page.locator("#result-count").bounding_box()
    first = page.locator("#results > li h2").first.bounding_box()
    assert count is not None and first is not None
    assert count["y"] + count["height"] <= 844
    assert first["y"] + first["height"] <= 844
    own = page.locator("nav.languages [aria-current]").bounding_box()
    assert own is not None and own["x"] >= 0 and own["x"] + own["width"] <= 390
    page.screenshot(path=str(artifacts / f"phone-{code}.png"))
    context.close()
    assert watch.foreign == [] and watch.console_errors == []


TAP_TARGETS = """() => Array.from(document.querySelectorAll(
        "a[href], button, select, input:not([type=hidden]), summary, .leaflet-marker-icon"))
    .filter((node) => node.getClientRects().length
        && getComputedStyle(node).visibility !== "hidden")
    .map((node) => [node.outerHTML.slice(0, 80), node.getBoundingClientRect().height])
    .filter(([, height]) => Math.round(height) < 44)"""


def test_on_a_phone_every_tap_target_is_44_px_and_nothing_scrolls_sideways(
    live_server: LiveServer, browser: Any
) -> None:
    context, _ = open_context(browser, **PHONE)
    page = context.new_page()
    for path in ("/?lang=es", "/list?lang=es", "/?lang=vi&near=32.76,-96.72"):
        page.goto(f"{live_server.url}{path}")
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        small = page.evaluate(TAP_TARGETS)
        assert small == [], (path, small)
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/?lang=vi", "/list?lang=ar", "/list?lang=am"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
    context.close()


def test_each_place_has_call_and_directions_buttons(
    live_server: LiveServer, desktop: tuple[Any, Watch]
) -> None:
    page, _ = desktop
    page.goto(f"{live_server.url}/list?lang=es")
    clinic = page.locator(f"#r-{live_server.directory.resources['clinic']}")
    assert (
        clinic.get_by_role("link", name="Llamar: Clínica Legal del Este").get_attribute("href")
        == "tel:2145550100"
    )
    directions = clinic.get_by_role("link", name="Cómo llegar: Clínica Legal del Este")
    assert (directions.get_attribute("href") or "").startswith("geo:32.760000,-96.720000")


def _luminance(rgb: str) -> float:
    channels = [int(part) / 255 for part in rgb.split("(")[1].split(")")[0].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_the_keyboard_skips_to_the_results_with_a_visible_ring(
    live_server: LiveServer, desktop: tuple[Any, Watch]
) -> None:
    page, _ = desktop
    page.goto(f"{live_server.url}/?lang=es")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert skip.inner_text() == "Ir a los resultados"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "result-count"
    page.keyboard.press("Tab")
    ring = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }"
    )
    assert ring[0] == "solid" and float(ring[1].removesuffix("px")) >= 3
    ratio = (1.05) / (_luminance(ring[2]) + 0.05)  # against the white page
    assert ratio >= 3, ring


def test_outlines_are_out_of_the_tab_order_and_controls_speak_the_language(
    live_server: LiveServer, desktop: tuple[Any, Watch]
) -> None:
    page, _ = desktop
    page.goto(f"{live_server.url}/?lang=es")
    outlines = page.locator("path.leaflet-interactive")
    assert outlines.count() > 0
    assert set(outlines.evaluate_all("paths => paths.map((p) => p.tabIndex)")) == {-1}
    assert page.locator(".leaflet-control-zoom-in").get_attribute("aria-label") == "Acercar"
    assert page.locator(".leaflet-control-zoom-out").get_attribute("aria-label") == "Alejar"


def test_escape_closes_a_popup_and_the_focus_returns_to_its_marker(
    live_server: LiveServer, desktop: tuple[Any, Watch]
) -> None:
    page, _ = desktop
    page.goto(f"{live_server.url}/?lang=es&category=legal_aid")
    icon = page.locator(".leaflet-marker-icon").first
    icon.wait_for()
    assert icon.get_attribute("aria-label") == "Clínica Legal del Este (Ayuda legal de inmigración)"
    icon.focus()
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup-content .puente-popup .meta").wait_for()
    assert page.evaluate("document.activeElement.closest('.leaflet-popup') !== null")
    assert page.locator(".leaflet-popup-close-button").get_attribute("aria-label") == "Cerrar"
    page.keyboard.press("Escape")
    page.locator(".leaflet-popup").wait_for(state="detached")
    assert page.evaluate("document.activeElement.classList.contains('leaflet-marker-icon')")


def test_reduced_motion_is_honoured(live_server: LiveServer, browser: Any) -> None:
    context, _ = open_context(browser, reduced_motion="reduce")
    page = context.new_page()
    page.goto(f"{live_server.url}/?lang=en")
    duration = page.evaluate(
        "() => getComputedStyle(document.querySelector('.leaflet-container')).transitionDuration"
    )
    assert float(duration.removesuffix("s")) < 0.001
    context.close()


def test_an_unknown_language_is_said_so(
    live_server: LiveServer, desktop: tuple[Any, Watch]
) -> None:
    page, _ = desktop
    page.goto(f"{live_server.url}/?lang=xx")
    notes = page.locator(".language-notice p")
    assert notes.evaluate_all("ps => ps.map((p) => [p.lang, p.textContent])") == [
        ["en", "This page is not available in the language “xx”."],
        ["es", "Esta página no está disponible en el idioma “xx”."],
    ]


def test_print_states_the_search_and_prints_link_addresses(
    live_server: LiveServer, desktop: tuple[Any, Watch]
) -> None:
    page, _ = desktop
    page.goto(f"{live_server.url}/list?lang=es&language=es&address=75217")
    page.emulate_media(media="print")
    summary = page.locator("p.summary").inner_text()
    assert summary.startswith("Búsqueda:")
    assert "Idioma: español" in summary and "Cerca de 75217" in summary
    text = page.locator("#results").inner_text()
    assert "· ·" not in text and not text.rstrip().endswith("·")
    after = page.locator("#results .meta a[href^='http']").first.evaluate(
        "a => getComputedStyle(a, '::after').content"
    )
    assert "http" in after
