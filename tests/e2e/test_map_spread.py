"""Places that share a point, in Chromium: from zoom 16 on, where each place is drawn by
itself, they fan out round the point, each a marker of its own with its own tap box, its
name and kind of help, and its own popup."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.db.models import Category, Resource
from api.settings import Settings
from tests.e2e.conftest import LiveServer, Watch, open_context, serve_directory
from tests.web.directory import Directory

pytestmark = pytest.mark.browser

MAP = "window[document.querySelector('.folium-map').id]"
PLACES = "Object.values(window).find((v) => v instanceof Puente.PlacesLayer)"
SHARED = ("Centro Comunitario Norte", "Asesoría Migratoria Norte", "Consulado Móvil")


def _share_the_centro(engine: Engine, directory: Directory) -> None:
    """Two more services at the community centre's address: three places, one point."""
    with Session(engine) as session:
        centro = session.exec(
            select(Resource).where(Resource.id == directory.resources["centro"])
        ).one()
        for key, name, category in (
            ("advice", SHARED[1], Category.LEGAL_AID),
            ("consulate", SHARED[2], Category.CONSULATE),
        ):
            resource = Resource(
                category=category,
                name=name,
                organization_id=centro.organization_id,
                location_id=centro.location_id,
                phone="(214) 555-0101",
            )
            session.add(resource)
            session.flush()
            assert resource.id is not None
            directory.resources[key] = resource.id
        session.commit()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path = tmp_path_factory.mktemp("shared") / "puente.db"
    settings = Settings(database_url=f"sqlite:///{path}", geocoder="offline", tile_url=None)
    yield from serve_directory(settings, add=_share_the_centro)


def markers_at(page: Any, zoom: int, ids: list[int]) -> list[dict[str, Any]]:
    """Centre on the shared point at ``zoom``, wait for the view's places, and give each
    marker's on-screen box and name."""
    page.evaluate(f"([zoom]) => {MAP}.setView([32.79, -96.8], zoom, {{animate: false}})", [zoom])
    page.wait_for_function(
        f"""(ids) => {{
            const layer = {PLACES};
            const shown = (id) => layer.marker(id) && layer.marker(id)._icon;
            return !layer.loading() && ids.every(shown);
        }}""",
        arg=ids,
    )
    boxes: list[dict[str, Any]] = page.evaluate(
        f"""(ids) => ids.map((id) => {{
            const icon = {PLACES}.marker(id)._icon;
            const box = icon.getBoundingClientRect();
            return {{ id, x: box.x + box.width / 2, y: box.y + box.height / 2,
                      width: box.width, height: box.height,
                      label: icon.getAttribute("aria-label") }};
        }})""",
        ids,
    )
    return boxes


def test_places_at_one_point_fan_out_and_each_opens_its_popup(
    shared_server: LiveServer, desktop: tuple[Any, Watch], artifacts: Path
) -> None:
    page, _ = desktop
    resources = shared_server.directory.resources
    ids = [resources["centro"], resources["advice"], resources["consulate"]]
    page.goto(f"{shared_server.url}/?lang=es")
    page.locator(".puente-marker, .marker-cluster").first.wait_for(state="attached")
    for zoom in (16, 18):
        boxes = markers_at(page, zoom, ids)
        for a, b in combinations(boxes, 2):
            apart = ((a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2) ** 0.5
            assert apart >= 44, (zoom, a, b)
        true_point = page.evaluate(
            f"() => {{ const p = {MAP}.latLngToContainerPoint([32.79, -96.8]);"
            f" const box = {MAP}.getContainer().getBoundingClientRect();"
            " return [p.x + box.x, p.y + box.y]; }"
        )
        for box in boxes:  # round the point, not far off
            away = ((box["x"] - true_point[0]) ** 2 + (box["y"] - true_point[1]) ** 2) ** 0.5
            assert 20 <= away <= 60, (zoom, box, true_point)
    page.screenshot(path=str(artifacts / "map-shared-point.png"))
    labels = sorted(box["label"] for box in boxes)
    assert labels == sorted(
        [
            "Centro Comunitario Norte (Lugar de reuniones comunitarias)",
            "Asesoría Migratoria Norte (Ayuda legal de inmigración)",
            "Consulado Móvil (Consulado)",
        ]
    ), labels

    # A tap at each marker's centre reaches that marker and opens its own popup.
    for box, name in zip(sorted(boxes, key=lambda b: ids.index(b["id"])), SHARED, strict=True):
        page.mouse.click(box["x"], box["y"])
        heading = page.locator(".leaflet-popup-content .puente-popup h3.name")
        heading.wait_for()
        assert heading.inner_text() == name
        popup = page.locator(".leaflet-popup-content .puente-popup")
        assert popup.get_attribute("data-id") == str(box["id"])
        popup.locator(".meta").wait_for()
        page.keyboard.press("Escape")
        heading.wait_for(state="detached")

    # Tab reaches each of them too.
    page.evaluate(f"() => {MAP}.getContainer().focus()")
    reached: set[str] = set()
    for _ in range(len(ids) + 3):
        page.keyboard.press("Tab")
        label = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
        if label:
            reached.add(label)
    assert set(labels) <= reached


def test_a_finger_reaches_each_place_at_the_point_on_a_phone(
    shared_server: LiveServer, browser: Any
) -> None:
    context, watch = open_context(
        browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    resources = shared_server.directory.resources
    ids = [resources["centro"], resources["advice"], resources["consulate"]]
    page.goto(f"{shared_server.url}/?lang=es")
    page.locator(".puente-marker, .marker-cluster").first.wait_for(state="attached")
    boxes = markers_at(page, 17, ids)
    for box in boxes:
        page.touchscreen.tap(box["x"], box["y"])
        popup = page.locator(".leaflet-popup-content .puente-popup")
        popup.wait_for()
        assert popup.get_attribute("data-id") == str(box["id"])
        page.evaluate(f"() => {MAP}.closePopup()")
        popup.wait_for(state="detached")
        assert markers_at(page, 17, ids) == boxes  # the popup's pan is undone by the re-centre
    context.close()
    assert watch.foreign == []
    assert watch.console_errors == []


def test_a_place_alone_is_drawn_at_its_point(
    shared_server: LiveServer, desktop: tuple[Any, Watch]
) -> None:
    page, _ = desktop
    clinic = shared_server.directory.resources["clinic"]
    page.goto(f"{shared_server.url}/?lang=en")
    page.locator(".puente-marker, .marker-cluster").first.wait_for(state="attached")
    page.evaluate(f"() => {MAP}.setView([32.76, -96.72], 17, {{animate: false}})")
    page.wait_for_function(
        f"(id) => {{ const l = {PLACES}, m = l.marker(id); return !l.loading() && m && m._icon; }}",
        arg=clinic,
    )
    offset = page.evaluate(
        f"""(id) => {{
            const marker = {PLACES}.marker(id);
            const icon = marker._icon.getBoundingClientRect();
            const box = {MAP}.getContainer().getBoundingClientRect();
            const p = {MAP}.latLngToContainerPoint(marker.getLatLng());
            return [icon.x + icon.width / 2 - box.x - p.x, icon.y + icon.height / 2 - box.y - p.y,
                    marker._icon.querySelectorAll(".puente-leg").length];
        }}""",
        clinic,
    )
    assert abs(offset[0]) < 1 and abs(offset[1]) < 1 and offset[2] == 0
