"""Signing in and out: redirects, cookie flags, a new session id, ending sessions, idle
expiry, rate limits on failed attempts, roles."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session

from api.app import create_app
from api.db.models import StaffSession
from api.directory.staff_accounts import deactivate_account
from api.settings import Settings
from tests.api.http.middleware.test_protection import redis_url
from tests.web.directory import Directory
from tests.web.staff.console import PASSWORD, csrf_token, sign_in
from web.staff.sessions import COOKIE
from web.staff.signin import ACCOUNT_LIMIT

PAGES = [
    "/staff",
    "/staff/listings",
    "/staff/reports",
    "/staff/listings/1",
    "/staff/listings/1/history",
]


@pytest.mark.parametrize("path", PAGES)
def test_a_stranger_is_sent_to_sign_in_with_nothing_in_the_redirect(
    client: TestClient[Litestar], path: str
) -> None:
    answer = client.get(path + "?q=secret", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/staff/sign-in"
    assert "secret" not in answer.text


def _session_cookie(answer: object) -> str:
    cookies = [c for c in answer.headers.get_list("set-cookie") if c.startswith(COOKIE + "=")]  # type: ignore[attr-defined]
    assert len(cookies) == 1, cookies
    return cookies[0]


def test_the_session_cookie_is_httponly_strict_and_scoped_to_the_console(
    client: TestClient[Litestar], accounts: dict[str, str]
) -> None:
    cookie = _session_cookie(sign_in(client, accounts["editor"]))
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags
    assert "samesite=strict" in flags
    assert "path=/staff" in flags
    assert "secure" not in flags


def test_the_cookies_are_secure_when_the_public_url_is_https(
    settings: Settings, accounts: dict[str, str]
) -> None:
    https = replace(settings)
    # PUENTE_PUBLIC_URL: read by the console if the settings carry it.
    object.__setattr__(https, "public_url", "https://puente.example.org")
    with TestClient(create_app(https), base_url="https://testserver") as client:
        page = client.get("/staff/sign-in")
        csrf = [c for c in page.headers.get_list("set-cookie") if "csrf" in c]
        assert csrf
        assert all("secure" in c.lower().split("; ") for c in csrf)
        answer = client.post(
            "/staff/sign-in",
            data={
                "email": accounts["editor"],
                "password": PASSWORD,
                "_csrf_token": csrf_token(page.text),
            },
            follow_redirects=False,
        )
        assert "secure" in [p.strip().lower() for p in _session_cookie(answer).split(";")]


def test_signing_in_begins_a_new_session_id(
    app: Litestar, client: TestClient[Litestar], accounts: dict[str, str]
) -> None:
    first = sign_in(client, accounts["reviewer"])
    before = _session_cookie(first).split(";")[0].split("=", 1)[1]
    second = sign_in(client, accounts["editor"])
    after = _session_cookie(second).split(";")[0].split("=", 1)[1]
    assert after != before
    assert client.get("/staff", follow_redirects=False).status_code == 200
    # The id from before is gone from the store, so it can no longer be used.
    with TestClient(app, cookies={COOKIE: before}) as other:
        assert other.get("/staff", follow_redirects=False).status_code == 303
    with TestClient(app, cookies={COOKIE: after}) as same:
        assert same.get("/staff", follow_redirects=False).status_code == 200


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    client: TestClient[Litestar], accounts: dict[str, str]
) -> None:
    wrong = sign_in(client, accounts["editor"], password="not the password at all")
    unknown = sign_in(client, "nobody@example.org")
    assert wrong.status_code == unknown.status_code == 400
    assert "do not match an active account" in wrong.text
    assert "do not match an active account" in unknown.text
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session_everywhere(
    app: Litestar, accounts: dict[str, str], directory: Directory
) -> None:
    with TestClient(app) as laptop, TestClient(app) as phone:
        assert sign_in(laptop, accounts["editor"]).status_code == 303
        assert sign_in(phone, accounts["editor"]).status_code == 303
        stolen = laptop.cookies.get(COOKIE)
        page = laptop.get("/staff")
        out = laptop.post(
            "/staff/sign-out", data={"_csrf_token": csrf_token(page.text)}, follow_redirects=False
        )
        assert out.status_code == 303
        assert laptop.get("/staff", follow_redirects=False).status_code == 303
        assert phone.get("/staff", follow_redirects=False).status_code == 303
        laptop.cookies.set(COOKIE, stolen or "", path="/staff")
        assert laptop.get("/staff", follow_redirects=False).status_code == 303


def test_a_deactivated_account_loses_its_session_at_once(
    editor: TestClient[Litestar], accounts: dict[str, str], engine: Engine
) -> None:
    assert editor.get("/staff", follow_redirects=False).status_code == 200
    with Session(engine) as session:
        deactivate_account(session, accounts["editor"])
        session.commit()
    assert editor.get("/staff", follow_redirects=False).status_code == 303
    assert sign_in(editor, accounts["editor"]).status_code == 400


def test_an_idle_session_expires(editor: TestClient[Litestar], engine: Engine) -> None:
    assert editor.get("/staff", follow_redirects=False).status_code == 200
    with Session(engine) as session:
        session.execute(
            update(StaffSession).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        session.commit()
    assert editor.get("/staff", follow_redirects=False).status_code == 303


def test_use_renews_the_session(editor: TestClient[Litestar], engine: Engine) -> None:
    with Session(engine) as session:
        soon = datetime.now(UTC) + timedelta(seconds=60)
        session.execute(update(StaffSession).values(expires_at=soon))
        session.commit()
    assert editor.get("/staff", follow_redirects=False).status_code == 200
    key = editor.cookies.get(COOKIE)
    with Session(engine) as session:
        row = session.query(StaffSession).filter(StaffSession.key == key).one()
        assert row.expires_at is not None
        assert row.expires_at > soon


def test_failed_attempts_are_limited_per_account(
    client: TestClient[Litestar], accounts: dict[str, str]
) -> None:
    for _ in range(ACCOUNT_LIMIT):
        assert sign_in(client, accounts["editor"], password="guess guess guess").status_code == 400
    limited = sign_in(client, accounts["editor"])
    assert limited.status_code == 429
    assert "Too many attempts" in limited.text
    # Another account from the same client is not locked by these failures.
    assert sign_in(client, accounts["reviewer"]).status_code == 303


def test_failed_attempts_are_limited_per_client(
    client: TestClient[Litestar], accounts: dict[str, str]
) -> None:
    from web.staff.signin import CLIENT_LIMIT

    for number in range(CLIENT_LIMIT):
        sign_in(client, f"someone{number}@example.org")
    assert sign_in(client, accounts["editor"]).status_code == 429


def test_a_reviewer_may_not_save_a_listing(
    client: TestClient[Litestar], accounts: dict[str, str], directory: Directory
) -> None:
    assert sign_in(client, accounts["reviewer"]).status_code == 303
    resource_id = directory.resources["centro"]
    page = client.get(f"/staff/listings/{resource_id}")
    assert page.status_code == 200
    assert f'action="/staff/listings/{resource_id}/save"' not in page.text
    answer = client.post(
        f"/staff/listings/{resource_id}/save",
        data={"_csrf_token": csrf_token(page.text), "phone": "(214) 555-0199"},
    )
    assert answer.status_code == 403
    assert "Your role may not do this" in answer.text


def test_sessions_live_in_redis_when_it_is_configured(
    settings: Settings, accounts: dict[str, str], engine: Engine
) -> None:
    with_redis = replace(settings, redis_url=redis_url())
    with TestClient(create_app(with_redis)) as client:
        assert sign_in(client, accounts["editor"]).status_code == 303
        assert client.get("/staff", follow_redirects=False).status_code == 200
    with Session(engine) as session:
        assert session.query(StaffSession).count() == 0
