"""The console's part-2 pages in Debian's Chromium against the app on 127.0.0.1: a meeting
made in the console found in the ``.ics`` feed, the coverage-gap map against the API, an
admin's API key working and then revoked, an import with its preview, and axe-core on each
of these pages at desktop and phone sizes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from api.db.engine import create_database_engine
from tests.clients import node_module
from tests.e2e.conftest import LiveServer, open_context
from tests.e2e.staff import SIZES, axe_violations, sign_in, signed_in_page
from tests.web.staff.console import add_account

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def console(live_server: LiveServer) -> LiveServer:
    engine = create_database_engine(live_server.settings.sqlalchemy_url)
    try:
        add_account(engine, email="ana@example.org", name="Ana Editor", role="editor")
        # One admin per test: each sets up its second factor at its first sign-in.
        for admin in ("keys", "import", *(f"axe-{size}" for size in SIZES)):
            email = f"alma-{admin}@example.org"
            add_account(engine, email=email, name=f"Alma {admin}", role="admin")
    finally:
        engine.dispose()
    return live_server


@pytest.fixture
def editor_page(browser: Any, console: LiveServer) -> Iterator[Any]:
    with signed_in_page(browser, console, "ana@example.org") as page:
        yield page


def test_a_meeting_made_in_the_console_is_in_the_ics_feed(
    editor_page: Any, console: LiveServer, artifacts: Path
) -> None:
    page = editor_page
    zone = ZoneInfo(console.settings.timezone)
    day = (datetime.now(zone) + timedelta(days=12)).date()
    page.get_by_role("link", name="Meetings", exact=True).click()
    page.get_by_role("link", name="New meeting").click()
    page.get_by_label("Title").fill("Charla: sus derechos")
    page.get_by_label("Venue").select_option(label="Centro Comunitario Norte, 100 Main St, Dallas")
    page.get_by_label("Host").select_option(label="Vecinos Unidos")
    page.get_by_label("Day").fill(day.isoformat())
    page.get_by_label("Starts (local time)").fill("18:30")
    page.get_by_label("Ends (local time, optional)").fill("20:00")
    page.get_by_label("Languages (codes or names, separated by commas)").fill("Spanish, vi")
    page.get_by_role("button", name="Save meeting").click()
    page.get_by_text("Saved. The public map, API and calendar show it now.").wait_for()
    page.screenshot(path=str(artifacts / "staff-meeting.png"), full_page=True)

    feed = page.request.get(f"{console.url}/api/v1/events.ics")
    assert feed.status == 200
    calendar = icalendar.Calendar.from_ical(feed.body())
    found = [c for c in calendar.walk("VEVENT") if str(c.get("summary")) == "Charla: sus derechos"]
    assert len(found) == 1
    starts = found[0].decoded("dtstart").astimezone(zone)
    ends = found[0].decoded("dtend").astimezone(zone)
    assert (starts.date(), starts.strftime("%H:%M"), ends.strftime("%H:%M")) == (
        day,
        "18:30",
        "20:00",
    )
    assert "Centro Comunitario Norte" in str(found[0].get("location"))

    page.get_by_role("button", name="Cancel the meeting").click()
    page.get_by_text("Cancelled: the calendar and the map say so now.").wait_for()
    calendar = icalendar.Calendar.from_ical(
        page.request.get(f"{console.url}/api/v1/events.ics").body()
    )
    statuses = [
        str(c.get("status"))
        for c in calendar.walk("VEVENT")
        if str(c.get("summary")) == "Charla: sus derechos"
    ]
    assert statuses == ["CANCELLED"]


def test_the_coverage_map_for_spanish_shows_the_apis_count_per_district(
    editor_page: Any, console: LiveServer, artifacts: Path
) -> None:
    page = editor_page
    page.get_by_role("link", name="Coverage", exact=True).click()
    page.get_by_label("Areas").select_option("council_district")
    page.get_by_label("Language", exact=True).select_option("es")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("heading", name="Coverage by area").wait_for()
    # Leaflet drew one shape per district.
    page.locator(".coverage-map path.leaflet-interactive").first.wait_for()
    assert page.locator(".coverage-map path.leaflet-interactive").count() == 2
    page.screenshot(path=str(artifacts / "staff-coverage-es.png"), full_page=True)
    rows = page.locator("tbody tr")
    shown = {}
    for index in range(rows.count()):
        cells = rows.nth(index).locator("td")
        count = cells.nth(2).inner_text()
        shown[cells.nth(1).inner_text()] = 0 if count == "none" else int(count)
    assert set(shown) == {"1", "2"}
    for code, count in shown.items():
        answer = page.request.get(
            f"{console.url}/api/v1/resources",
            params={"area": f"council_district:{code}", "language": "es", "per_page": 1},
        )
        assert answer.json()["total"] == count
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "kind,code,name,language,category,listings"

    # Vietnamese: nobody in district 1, which the table and the map pick out.
    page.get_by_label("Language", exact=True).select_option("vi")
    page.get_by_role("button", name="Show").click()
    page.get_by_text("1 area has none.").wait_for()
    assert page.locator("tr.none", has_text="District 1").count() == 1
    dashed = page.locator('.coverage-map path.leaflet-interactive[stroke-dasharray="6 4"]')
    assert dashed.count() == 1
    page.screenshot(path=str(artifacts / "staff-coverage.png"), full_page=True)


def test_an_admin_creates_a_key_that_works_until_revoked(
    browser: Any, console: LiveServer, artifacts: Path
) -> None:
    context, watch = open_context(browser, viewport=SIZES["desktop"])
    try:
        page = context.new_page()
        sign_in(page, console, "alma-keys@example.org")
        page.get_by_role("link", name="API keys", exact=True).click()
        page.get_by_label("Program name").fill("Dallas 211")
        page.get_by_label("reports:read").check()
        page.get_by_role("button", name="Create the key").click()
        key = page.get_by_label("Key", exact=True).input_value()
        assert key.startswith("puente_")
        page.screenshot(path=str(artifacts / "staff-keys.png"), full_page=True)
        route = f"{console.url}/api/v1/reports"
        with_key = {"Authorization": f"Bearer {key}"}
        assert page.request.get(route, headers=with_key).status == 200
        page.goto(f"{console.url}/staff/keys")
        row = page.locator("tr", has_text="Dallas 211")
        assert "never" not in row.inner_text()  # its use is listed
        assert key not in page.content()
        page.get_by_role("button", name="Revoke the key of Dallas 211").click()
        page.get_by_text("Revoked: the key no longer works.").wait_for()
        assert page.request.get(route, headers=with_key).status == 401
    finally:
        context.close()
    assert watch.foreign == []
    assert watch.console_errors == []


def test_import_with_a_preview(
    browser: Any, console: LiveServer, artifacts: Path, tmp_path: Path
) -> None:
    header = (
        "external_id,category,name,organization,address,city,state,postal_code,"
        "latitude,longitude,languages\n"
    )
    good = (
        "e2e-import-1,legal_aid,Clínica del Preview,Ayuda Legal,10 Elm St,Dallas,TX,75201,"
        "32.79,-96.79,es\n"
    )
    bad = (
        "e2e-import-2,legal_aid,Fila Mala,Ayuda Legal,11 Elm St,Dallas,TX,75201,132.79,-96.79,es\n"
    )
    upload = tmp_path / "listings.csv"
    context, watch = open_context(browser, viewport=SIZES["desktop"])
    try:
        page = context.new_page()
        sign_in(page, console, "alma-import@example.org")
        page.get_by_role("link", name="Import", exact=True).click()
        upload.write_text(header + good + bad, encoding="utf-8")
        page.get_by_label(
            "Files (CSV, JSON, GeoJSON, HSDS), as puente import reads them"
        ).set_input_files(str(upload))
        page.get_by_role("button", name="Preview", exact=True).click()
        # The upload answers at once with the dry run's page, which reloads itself until
        # the preview is ready.
        page.wait_for_url(re.compile(r"/staff/imports/[\w-]+$"))
        page.get_by_text("listings.csv:3: latitude: 132.79:").wait_for()
        page.get_by_role("heading", name="Problems in listings.csv (1)").wait_for()
        assert page.get_by_role("button", name="Import what was previewed").count() == 0
        upload.write_text(header + good, encoding="utf-8")
        page.get_by_label(
            "Files (CSV, JSON, GeoJSON, HSDS), as puente import reads them"
        ).set_input_files(str(upload))
        page.get_by_role("button", name="Preview", exact=True).click()
        page.get_by_role("heading", name="Preview: nothing is written yet").wait_for()
        page.screenshot(path=str(artifacts / "staff-import-preview.png"), full_page=True)
        page.get_by_role("button", name="Import what was previewed").click()
        page.get_by_text("Imported. The public map and API show it now.").wait_for()
        page.goto(f"{console.url}/?q=Preview")
        assert page.get_by_text("Clínica del Preview").count() >= 1
        page.goto(f"{console.url}/staff/imports")
        page.get_by_label(
            "Files (CSV, JSON, GeoJSON, HSDS), as puente import reads them"
        ).set_input_files(str(upload))
        page.get_by_role("button", name="Preview", exact=True).click()
        page.get_by_role("heading", name="Preview: nothing is written yet").wait_for()
        per_file = page.locator("table.per-file tr", has_text="listings.csv").locator("td")
        assert per_file.nth(3).inner_text() == "1"  # unchanged
        assert (
            page.locator("table.rows tr", has_text="e2e-import-1").locator("td").nth(2).inner_text()
            == "unchanged"
        )
        # One field changed: the row is an update, and says what changes, old -> new.
        upload.write_text(header + good.replace(",es\n", ",es;vi\n"), encoding="utf-8")
        page.get_by_label(
            "Files (CSV, JSON, GeoJSON, HSDS), as puente import reads them"
        ).set_input_files(str(upload))
        page.get_by_role("button", name="Preview", exact=True).click()
        page.get_by_role("heading", name="Preview: nothing is written yet").wait_for()
        per_file = page.locator("table.per-file tr", has_text="listings.csv").locator("td")
        assert per_file.nth(2).inner_text() == "1"  # to update
        row = page.locator("table.rows tr", has_text="e2e-import-1")
        assert row.locator("td").nth(2).inner_text() == "to update"
        change = row.locator("ul.changes li")
        assert change.count() == 1
        assert change.inner_text() == "languages: es:staff → es:staff; vi:staff"
        page.screenshot(path=str(artifacts / "staff-import-diff.png"), full_page=True)
    finally:
        context.close()
    assert watch.foreign == []
    # The preview with a problem is answered 422, which Chromium logs; nothing else may be.
    assert watch.console_errors == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    ]


PAGES = {
    "meetings": "/staff/meetings",
    "meeting-new": "/staff/meetings/new",
    "coverage": "/staff/coverage?kind=zip&language=vi",
    "team": "/staff/team",
    "keys": "/staff/keys",
    "imports": "/staff/imports",
}


@pytest.mark.parametrize("size", sorted(SIZES))
def test_axe_finds_no_serious_violation_on_the_planning_pages(
    browser: Any, console: LiveServer, artifacts: Path, size: str, tmp_path: Path
) -> None:
    source = (node_module("axe-core") / "axe.min.js").read_text()
    # The pages are checked as served; only axe's own injected script needs the CSP waived.
    context, watch = open_context(browser, viewport=SIZES[size], bypass_csp=True)
    try:
        page = context.new_page()
        sign_in(page, console, f"alma-axe-{size}@example.org")
        found = {}
        pages = {**PAGES, "meeting": f"/staff/meetings/{console.directory.events['police']}"}
        for name, path in pages.items():
            page.goto(console.url + path)
            found[name] = axe_violations(page, source)
            page.screenshot(path=str(artifacts / f"staff-{name}-{size}.png"), full_page=True)
        # An invitation made on the staff page, opened as the invitee would.
        page.goto(f"{console.url}/staff/team")
        page.get_by_label("Email").fill(f"invitee-{size}@example.org")
        page.get_by_label("Name (shown in the history)").fill(f"Invitee {size}")
        page.get_by_role("button", name="Make an invitation link").click()
        found["team-link"] = axe_violations(page, source)
        link = page.get_by_label("Link", exact=True).input_value()
        invitee, invitee_watch = open_context(browser, viewport=SIZES[size], bypass_csp=True)
        try:
            other = invitee.new_page()
            other.goto(link)
            other.get_by_role("heading", name="Set up your account").wait_for()
            found["invitation"] = axe_violations(other, source)
            other.screenshot(path=str(artifacts / f"staff-invitation-{size}.png"), full_page=True)
        finally:
            invitee.close()
        assert invitee_watch.console_errors == []
        # The preview of an upload: per-file counts and its rows.
        upload = tmp_path / "listings.csv"
        upload.write_text(
            "external_id,category,name,organization,address,city,state,postal_code,"
            f"latitude,longitude,languages\naxe-{size},legal_aid,Axe {size},Ayuda Legal,"
            "10 Elm St,Dallas,TX,75201,32.79,-96.79,es\n",
            encoding="utf-8",
        )
        page.goto(f"{console.url}/staff/imports")
        page.get_by_label(
            "Files (CSV, JSON, GeoJSON, HSDS), as puente import reads them"
        ).set_input_files(str(upload))
        page.get_by_role("button", name="Preview", exact=True).click()
        page.get_by_role("heading", name="Preview: nothing is written yet").wait_for()
        found["import-preview"] = axe_violations(page, source)
        page.screenshot(path=str(artifacts / f"staff-import-preview-{size}.png"), full_page=True)
        summary = {
            name: [(v["id"], v["impact"], len(v["nodes"])) for v in violations]
            for name, violations in found.items()
        }
        assert all(not violations for violations in found.values()), summary
    finally:
        context.close()
    assert watch.foreign == []
    assert watch.console_errors == []
