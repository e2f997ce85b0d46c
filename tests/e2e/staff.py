"""Signing in to the console in the browser, as the console's browser tests all do, a
signed-in page, and axe-core's serious and critical findings on a page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyotp

from tests.e2e.conftest import LiveServer, open_context
from tests.web.staff.console import PASSWORD

__all__ = ["SIZES", "axe_violations", "sign_in", "signed_in_page"]

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def sign_in(page: Any, server: LiveServer, email: str) -> None:
    """Sign in with the test password and wait for the dashboard. An admin the console asks
    to set up a second factor first does so, as a person with an authenticator app would."""
    page.goto(f"{server.url}/staff/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    dashboard = page.get_by_role("heading", name="What needs doing")
    set_up = page.get_by_role("button", name="Set up a second factor")
    dashboard.or_(set_up).wait_for()
    if set_up.count():
        set_up.click()
        page.locator("#totp-secret").wait_for()
        secret = page.locator("#totp-secret").inner_text().replace(" ", "")
        page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Confirm").click()
        page.get_by_text("Your second factor is set up.").wait_for()
        dashboard.wait_for()


@contextmanager
def signed_in_page(browser: Any, server: LiveServer, email: str) -> Iterator[Any]:
    """A desktop page signed in as ``email``; on leaving, nothing was loaded from a third
    party and the browser logged no error."""
    context, watch = open_context(browser, viewport=SIZES["desktop"])
    try:
        page = context.new_page()
        sign_in(page, server, email)
        yield page
    finally:
        context.close()
    assert watch.foreign == []
    assert watch.console_errors == []


def axe_violations(page: Any, source: str) -> list[dict[str, Any]]:
    """Run axe-core (its script's text in ``source``) on the page; the serious and critical
    violations it finds."""
    page.evaluate(source)
    result = page.evaluate("async () => await axe.run(document)")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
