"""The staff console in Debian's Chromium against the app on 127.0.0.1: sign in, find a
listing, fix its phone and see it in public, a conflict between two editors, verify a due
listing, resolve a report, read the history, and axe-core on every console page.

"Fix a phone number" is timed from the sign-in page to the saved notice, and its clicks are
counted; both go to ``test-artifacts/staff-fix-phone.json`` (measured, never asserted).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session

from api.db.engine import create_database_engine
from api.db.models import ProblemReport, Resource
from tests.clients import node_module
from tests.e2e.conftest import LiveServer, open_context
from tests.e2e.staff import SIZES, axe_violations, sign_in, signed_in_page
from tests.web.staff.console import PASSWORD, add_account

pytestmark = pytest.mark.browser

NEW_PHONE = "(214) 555-0142"


@pytest.fixture(scope="module")
def console(live_server: LiveServer) -> LiveServer:
    engine = create_database_engine(live_server.settings.sqlalchemy_url)
    try:
        add_account(engine, email="ana@example.org", name="Ana Editor", role="editor")
        add_account(engine, email="beto@example.org", name="Beto Editor", role="editor")
        with Session(engine) as session:
            session.execute(
                update(Resource)
                .where(Resource.id == live_server.directory.resources["church"])  # type: ignore[arg-type]
                .values(verified_at=datetime.now(UTC) - timedelta(days=365))
            )
            session.add(
                ProblemReport(
                    resource_id=live_server.directory.resources["police"],
                    kind="wrong_hours",
                    message="Closed on Fridays now",
                )
            )
            session.commit()
    finally:
        engine.dispose()
    return live_server


@pytest.fixture
def signed_in(browser: Any, console: LiveServer) -> Iterator[Any]:
    with signed_in_page(browser, console, "ana@example.org") as page:
        yield page


def test_fix_a_phone_number(desktop: tuple[Any, Any], console: LiveServer, artifacts: Path) -> None:
    page, _watch = desktop
    resource_id = console.directory.resources["centro"]
    page.goto(f"{console.url}/staff/sign-in")
    started = time.monotonic()
    clicks = 0
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    clicks += 1
    page.get_by_role("link", name="Listings", exact=True).click()
    clicks += 1
    page.get_by_label("Name, organization, phone or description").fill("Centro")
    page.get_by_role("button", name="Search").click()
    clicks += 1
    page.get_by_role("link", name="Centro Comunitario Norte").click()
    clicks += 1
    page.get_by_label("Phone").fill(NEW_PHONE)
    page.get_by_role("button", name="Save").click()
    clicks += 1
    page.get_by_text("Saved. The public map and API show it now.").wait_for()
    seconds = time.monotonic() - started
    page.screenshot(path=str(artifacts / "staff-editor-saved.png"), full_page=True)
    (artifacts / "staff-fix-phone.json").write_text(
        json.dumps({"clicks": clicks, "seconds": round(seconds, 2), "typed_fields": 4}) + "\n"
    )
    answer = page.request.get(f"{console.url}/api/v1/resources/{resource_id}")
    assert answer.json()["phone"] == NEW_PHONE
    page.goto(f"{console.url}/")
    assert page.get_by_text(NEW_PHONE).count() >= 1

    page.goto(f"{console.url}/staff/listings/{resource_id}")
    page.get_by_role("link", name="History").click()
    page.get_by_role("heading", name="History of Centro Comunitario Norte").wait_for()
    assert page.locator("ins", has_text=NEW_PHONE).count() == 1
    assert page.locator("del", has_text="(214) 555-0100").count() >= 1
    assert page.get_by_text("Ana Editor").count() >= 1
    page.screenshot(path=str(artifacts / "staff-history.png"), full_page=True)


def test_the_second_of_two_editors_gets_the_conflict_page(
    browser: Any, console: LiveServer, artifacts: Path
) -> None:
    resource_id = console.directory.resources["clinic"]
    first, _ = open_context(browser, viewport=SIZES["desktop"])
    second, _ = open_context(browser, viewport=SIZES["desktop"])
    try:
        ana, beto = first.new_page(), second.new_page()
        sign_in(ana, console, "ana@example.org")
        sign_in(beto, console, "beto@example.org")
        for page in (ana, beto):
            page.goto(f"{console.url}/staff/listings/{resource_id}")
        ana.get_by_label("Fees").fill("Free consultations")
        ana.get_by_role("button", name="Save").click()
        ana.get_by_text("Saved.", exact=False).wait_for()
        beto.get_by_label("Phone").fill("(214) 555-0999")
        beto.get_by_role("button", name="Save").click()
        beto.get_by_role(
            "heading", name="Someone changed this listing while you were editing it"
        ).wait_for()
        beto.screenshot(path=str(artifacts / "staff-conflict.png"), full_page=True)
        saved = beto.request.get(f"{console.url}/api/v1/resources/{resource_id}").json()
        assert saved["fees"] == "Free consultations"
        assert saved["phone"] != "(214) 555-0999"
        beto.get_by_role("button", name="Apply my changes").click()
        beto.get_by_text("Saved.", exact=False).wait_for()
        again = beto.request.get(f"{console.url}/api/v1/resources/{resource_id}").json()
        assert again["phone"] == "(214) 555-0999"
    finally:
        first.close()
        second.close()


def test_verify_a_due_listing(signed_in: Any, console: LiveServer, artifacts: Path) -> None:
    page = signed_in
    page.get_by_role("link", name="listings due for verification").click()
    row = page.locator("tr", has_text="Iglesia San Juan")
    assert row.count() == 1
    page.screenshot(path=str(artifacts / "staff-due.png"), full_page=True)
    page.get_by_role("button", name="Verify Iglesia San Juan").click()
    page.get_by_text("Verified.").wait_for()
    assert page.locator("tr", has_text="Iglesia San Juan").count() == 0


def test_resolve_a_problem_report(signed_in: Any, console: LiveServer, artifacts: Path) -> None:
    page = signed_in
    page.get_by_role("link", name="Problem reports", exact=True).click()
    page.get_by_text("Closed on Fridays now").wait_for()
    page.screenshot(path=str(artifacts / "staff-reports.png"), full_page=True)
    page.get_by_label("Fixed").check()
    page.get_by_label("Note").fill("Hours updated")
    page.get_by_role("button", name="Resolve").click()
    page.get_by_text("The report is resolved.").wait_for()
    assert page.get_by_text("No open reports.").count() == 1


@pytest.mark.parametrize("size", sorted(SIZES))
def test_axe_finds_no_serious_violation_on_console_pages(
    browser: Any, console: LiveServer, artifacts: Path, size: str
) -> None:
    source = (node_module("axe-core") / "axe.min.js").read_text()
    resource_id = console.directory.resources["clinic"]
    # The pages are checked as served; only axe's own injected script needs the CSP waived.
    context, watch = open_context(browser, viewport=SIZES[size], bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(f"{console.url}/staff/sign-in")
        found = {"sign-in": axe_violations(page, source)}
        sign_in(page, console, "ana@example.org")
        for name, path in {
            "dashboard": "/staff",
            "listings": "/staff/listings?state=due",
            "editor": f"/staff/listings/{resource_id}",
            "history": f"/staff/listings/{resource_id}/history",
            "reports": "/staff/reports",
        }.items():
            page.goto(console.url + path)
            found[name] = axe_violations(page, source)
            page.screenshot(path=str(artifacts / f"staff-{name}-{size}.png"), full_page=True)
        page.goto(f"{console.url}/staff/listings/{resource_id}")
        page.get_by_label("Phone").fill("not checked here")
        page.evaluate(
            "() => { const v = document.querySelector('input[name=version]'); v.value = 'stale'; }"
        )
        page.get_by_role("button", name="Save").click()
        page.get_by_role("button", name="Apply my changes").wait_for()
        found["conflict"] = axe_violations(page, source)
        summary = {
            name: [(v["id"], v["impact"], len(v["nodes"])) for v in violations]
            for name, violations in found.items()
        }
        assert all(not violations for violations in found.values()), summary
    finally:
        context.close()
    assert watch.foreign == []
