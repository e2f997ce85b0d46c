"""Signing in to the console from a test client, and reading the forms it answers with."""

from __future__ import annotations

import html
import re
from typing import Any

import pyotp
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.directory.staff_accounts import create_account

__all__ = [
    "PASSWORD",
    "add_account",
    "csrf_token",
    "enrol_second_factor",
    "form_values",
    "post_form",
    "sign_in",
    "sign_in_as_admin",
]

PASSWORD = "a long enough passphrase"


def add_account(engine: Engine, *, email: str, name: str, role: str) -> None:
    with Session(engine) as session:
        create_account(session, email=email, name=name, role=role, password=PASSWORD)
        session.commit()


def csrf_token(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token field"
    return found.group(1)


def sign_in(client: TestClient[Litestar], email: str, password: str = PASSWORD) -> Any:
    page = client.get("/staff/sign-in")
    return client.post(
        "/staff/sign-in",
        data={"email": email, "password": password, "_csrf_token": csrf_token(page.text)},
        follow_redirects=False,
    )


def enrol_second_factor(client: TestClient[Litestar]) -> pyotp.TOTP:
    """Set up a second factor for the signed-in member; the authenticator it feeds (its
    ``spent`` attribute is the code the set-up took)."""
    page = client.get("/staff/second-factor")
    started = post_form(client, "/staff/second-factor/start", page.text)
    assert started.status_code == 303
    page = client.get("/staff/second-factor")
    found = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.text)
    assert found, "the page shows no key"
    secret = found.group(1).replace(" ", "")
    assert "otpauth://totp/Puente:" in html.unescape(page.text)
    assert "<svg" in page.text  # the QR code, drawn inline
    totp = pyotp.TOTP(secret)
    totp.spent = totp.now()  # type: ignore[attr-defined]
    confirmed = post_form(client, "/staff/second-factor/confirm", page.text, code=totp.spent)  # type: ignore[attr-defined]
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == "/staff"
    return totp


def sign_in_as_admin(client: TestClient[Litestar], email: str) -> TestClient[Litestar]:
    """Sign in as an admin, who must set up a second factor before anything else."""
    assert sign_in(client, email).status_code == 303
    enrol_second_factor(client)
    return client


def post_form(client: TestClient[Litestar], path: str, page: str, **fields: str) -> Any:
    return client.post(
        path, data={**fields, "_csrf_token": csrf_token(page)}, follow_redirects=False
    )


def form_values(html: str, action: str) -> dict[str, str]:
    """The fields of the form posting to ``action`` as a browser would send them unchanged."""
    start = html.index(f'action="{action}"')
    end = html.index("</form>", start)
    form = html[start:end]
    values: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) in ("checkbox", "radio") and " checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        values[name.group(1)] = _unescape(value.group(1)) if value else "on"
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        values[name] = _unescape(body)
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]* selected', body) or re.search(
            r'<option value="([^"]*)"', body
        )
        values[name] = _unescape(chosen.group(1)) if chosen else ""
    return values


def _unescape(text: str) -> str:
    return html.unescape(text)
