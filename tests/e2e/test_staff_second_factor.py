"""The console's second factor and the editor's newer parts in Debian's Chromium: an admin
sets up TOTP and signs in with a code (computed here with pyotp), a new organization typed
into the editor, a point placed by hand, a retired listing restored, and axe-core on each
new page at desktop and phone sizes. Screenshots go to ``test-artifacts/staff-*.png``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest

from api.db.engine import create_database_engine
from tests.clients import node_module
from tests.e2e.conftest import LiveServer, open_context
from tests.e2e.staff import SIZES, axe_violations, signed_in_page
from tests.web.staff.console import PASSWORD, add_account

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def console(live_server: LiveServer) -> LiveServer:
    engine = create_database_engine(live_server.settings.sqlalchemy_url)
    try:
        add_account(engine, email="ana@example.org", name="Ana Editor", role="editor")
        for size in ("flow", *SIZES):
            add_account(engine, email=f"alma-{size}@example.org", name=f"Alma {size}", role="admin")
    finally:
        engine.dispose()
    return live_server


def _password(page: Any, server: LiveServer, email: str) -> None:
    page.goto(f"{server.url}/staff/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def editor_page(browser: Any, console: LiveServer) -> Iterator[Any]:
    with signed_in_page(browser, console, "ana@example.org") as page:
        yield page


def test_an_admin_sets_up_totp_then_signs_in_with_a_code(
    browser: Any, console: LiveServer, artifacts: Path
) -> None:
    first, watch = open_context(browser, viewport=SIZES["desktop"])
    try:
        page = first.new_page()
        _password(page, console, "alma-flow@example.org")
        page.get_by_text("Admins must sign in with a second factor").wait_for()
        page.get_by_role("button", name="Set up a second factor").wait_for()
        page.get_by_role("button", name="Set up a second factor").click()
        page.locator("#totp-secret").wait_for()
        page.screenshot(path=str(artifacts / "staff-second-factor-enrol.png"), full_page=True)
        secret = page.locator("#totp-secret").inner_text().replace(" ", "")
        totp = pyotp.TOTP(secret)
        page.get_by_label("Code from the app").fill(totp.now())
        page.get_by_role("button", name="Confirm").click()
        page.get_by_text("Your second factor is set up.").wait_for()
    finally:
        first.close()
    assert watch.foreign == [] and watch.console_errors == []

    second, watch = open_context(browser, viewport=SIZES["desktop"])
    try:
        page = second.new_page()
        _password(page, console, "alma-flow@example.org")
        page.get_by_label("Code").wait_for()
        page.screenshot(path=str(artifacts / "staff-sign-in-code.png"), full_page=True)
        # The next step's code: the one the set-up took is spent.
        page.get_by_label("Code").fill(totp.at(time.time() + 30))
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("heading", name="What needs doing").wait_for()
    finally:
        second.close()
    assert watch.foreign == [] and watch.console_errors == []


def test_a_new_organization_from_the_editor(
    editor_page: Any, console: LiveServer, artifacts: Path
) -> None:
    page = editor_page
    resource_id = console.directory.resources["police"]
    page.goto(f"{console.url}/staff/listings/{resource_id}")
    page.get_by_label("Or a new organization (its name)").fill("Comité Vecinal del Noreste")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.", exact=False).wait_for()
    shown = page.request.get(f"{console.url}/api/v1/resources/{resource_id}").json()
    assert shown["organization"]["name"] == "Comité Vecinal del Noreste"
    assert page.get_by_label("Organization", exact=True).locator("option:checked").inner_text() == (
        "Comité Vecinal del Noreste"
    )


def test_a_point_placed_by_hand_shows_on_the_public_api(
    editor_page: Any, console: LiveServer, artifacts: Path
) -> None:
    page = editor_page
    resource_id = console.directory.resources["clinic"]
    page.goto(f"{console.url}/staff/listings/{resource_id}")
    assert page.locator(".preview-map .leaflet-container").count() == 1
    page.get_by_label("Latitude").fill("32.7555")
    page.get_by_label("Longitude").fill("-96.7111")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.", exact=False).wait_for()
    page.screenshot(path=str(artifacts / "staff-editor-point.png"), full_page=True)
    where = page.request.get(f"{console.url}/api/v1/resources/{resource_id}").json()["location"]
    assert (where["latitude"], where["longitude"]) == (32.7555, -96.7111)


def test_restore_a_retired_listing(editor_page: Any, console: LiveServer, artifacts: Path) -> None:
    page = editor_page
    resource_id = console.directory.resources["church"]
    api = f"{console.url}/api/v1/resources/{resource_id}"
    page.goto(f"{console.url}/staff/listings/{resource_id}")
    page.get_by_label("Why (kept in the history)").fill("Closed for repairs")
    page.get_by_role("button", name="Retire this listing").click()
    page.get_by_text("Retired:", exact=False).wait_for()
    assert page.request.get(api).status == 404
    page.goto(f"{console.url}/staff/listings/{resource_id}")
    page.get_by_text("Why: Closed for repairs").wait_for()
    page.screenshot(path=str(artifacts / "staff-retired.png"), full_page=True)
    page.get_by_label("Why it is back (kept in the history)").fill("Repairs are done")
    page.get_by_role("button", name="Restore this listing").click()
    page.get_by_text("Restored: it shows to the public again.").wait_for()
    assert page.request.get(api).status == 200
    page.goto(f"{console.url}/list")
    assert page.get_by_text("Iglesia San Juan").count() >= 1


@pytest.mark.parametrize("size", sorted(SIZES))
def test_axe_finds_no_serious_violation_on_the_new_pages(
    browser: Any, console: LiveServer, artifacts: Path, size: str
) -> None:
    source = (node_module("axe-core") / "axe.min.js").read_text()
    found: dict[str, list[dict[str, Any]]] = {}
    context, watch = open_context(browser, viewport=SIZES[size], bypass_csp=True)
    try:
        page = context.new_page()
        _password(page, console, f"alma-{size}@example.org")
        page.get_by_role("button", name="Set up a second factor").click()
        page.locator("#totp-secret").wait_for()
        found["second-factor"] = axe_violations(page, source)
        secret = page.locator("#totp-secret").inner_text().replace(" ", "")
        page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Confirm").click()
        page.get_by_role("heading", name="What needs doing").wait_for()
        resource_id = console.directory.resources["centro"]
        page.goto(f"{console.url}/staff/listings/{resource_id}")
        found["editor"] = axe_violations(page, source)
        page.get_by_role("button", name="Preview the address on the map").click()
        page.get_by_text("Yellow: where the typed address is", exact=False).wait_for()
        found["editor-preview"] = axe_violations(page, source)
        page.screenshot(path=str(artifacts / f"staff-editor-preview-{size}.png"), full_page=True)
        page.get_by_role("button", name="Add a row").click()
        found["editor-hours"] = axe_violations(page, source)
        page.goto(f"{console.url}/staff/second-factor")
        found["second-factor-in-use"] = axe_violations(page, source)
        retired = console.directory.resources["xss"]
        page.goto(f"{console.url}/staff/listings/{retired}")
        page.get_by_label("Why (kept in the history)").fill("Duplicate")
        page.get_by_role("button", name="Retire this listing").click()
        page.goto(f"{console.url}/staff/listings/{retired}")
        page.get_by_role("button", name="Restore this listing").wait_for()
        found["retired"] = axe_violations(page, source)
        page.screenshot(path=str(artifacts / f"staff-retired-{size}.png"), full_page=True)
        page.get_by_label("Why it is back (kept in the history)").fill("Not a duplicate")
        page.get_by_role("button", name="Restore this listing").click()
        page.get_by_text("Restored: it shows to the public again.").wait_for()
    finally:
        context.close()
    other, _ = open_context(browser, viewport=SIZES[size], bypass_csp=True)
    try:
        page = other.new_page()
        _password(page, console, f"alma-{size}@example.org")
        page.get_by_label("Code").wait_for()
        found["sign-in-code"] = axe_violations(page, source)
        page.screenshot(path=str(artifacts / f"staff-sign-in-code-{size}.png"), full_page=True)
    finally:
        other.close()
    summary = {
        name: [(v["id"], v["impact"], len(v["nodes"])) for v in violations]
        for name, violations in found.items()
    }
    assert all(not violations for violations in found.values()), summary
    assert watch.foreign == []
