"""The second factor in the console: an admin sets it up before anything else, signing in
asks for the code after the password, a code is taken once, wrong codes are limited like
wrong passwords, and ``puente staff reset-second-factor`` forgets it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.cli import cli
from api.db.models import StaffAccount
from api.directory.second_factor import enrolled
from api.directory.staff_accounts import find_account
from api.settings import Settings
from tests.conftest import settings_with
from tests.web.staff.console import enrol_second_factor, post_form, sign_in
from web.staff.signin import ACCOUNT_LIMIT


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The app seals second-factor secrets with a key of its own."""
    return settings_with(settings, second_factor_key="the key of these tests")


def test_an_admin_without_a_second_factor_sets_it_up_before_anything_else(
    client: TestClient[Litestar], accounts: dict[str, str], engine: Engine
) -> None:
    assert sign_in(client, accounts["admin"]).status_code == 303
    for path in ("/staff", "/staff/listings", "/staff/reports"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/staff/second-factor"
    page = client.get("/staff/second-factor")
    assert page.status_code == 200
    assert "Admins must sign in with a second factor" in page.text
    totp = enrol_second_factor(client)
    assert client.get("/staff", follow_redirects=False).status_code == 200
    page = client.get("/staff/second-factor").text
    assert "In use since" in page
    assert totp.secret not in page and "totp-secret" not in page  # never shown again
    with Session(engine) as session:
        account = find_account(session, accounts["admin"])
        assert account is not None and enrolled(account)
        assert account.totp_secret is not None and totp.secret not in account.totp_secret


def test_an_editor_may_go_without_but_may_set_one_up(
    editor: TestClient[Litestar],
) -> None:
    assert editor.get("/staff", follow_redirects=False).status_code == 200
    page = editor.get("/staff/second-factor")
    assert "Admins must" not in page.text
    enrol_second_factor(editor)


def test_a_wrong_code_does_not_set_it_up(
    client: TestClient[Litestar], accounts: dict[str, str], engine: Engine
) -> None:
    sign_in(client, accounts["admin"])
    page = client.get("/staff/second-factor")
    post_form(client, "/staff/second-factor/start", page.text)
    page = client.get("/staff/second-factor")
    wrong = post_form(client, "/staff/second-factor/confirm", page.text, code="12345x")
    assert wrong.status_code == 400  # type: ignore[attr-defined]
    assert "That code is not right" in wrong.text  # type: ignore[attr-defined]
    with Session(engine) as session:
        account = find_account(session, accounts["admin"])
        assert account is not None and not enrolled(account)
    assert client.get("/staff", follow_redirects=False).headers["location"] == (
        "/staff/second-factor"
    )


def test_sign_in_asks_for_the_code_after_the_password_and_takes_it_once(
    app: Litestar, client: TestClient[Litestar], accounts: dict[str, str]
) -> None:
    sign_in(client, accounts["admin"])
    totp = enrol_second_factor(client)
    with TestClient(app) as other:
        answer = sign_in(other, accounts["admin"])
        assert answer.status_code == 303
        assert answer.headers["location"] == "/staff/sign-in/code"
        # The password alone opens nothing.
        assert other.get("/staff", follow_redirects=False).headers["location"] == ("/staff/sign-in")
        page = other.get("/staff/sign-in/code")
        assert page.status_code == 200
        # The code of the enrolment was spent on it.
        spent = post_form(other, "/staff/sign-in/code", page.text, code=totp.spent)  # type: ignore[attr-defined]
        assert spent.status_code == 400  # type: ignore[attr-defined]
        assert "already used" in spent.text  # type: ignore[attr-defined]
        assert other.get("/staff", follow_redirects=False).status_code == 303
    # The enrolment ended every other session of the account, and this one began anew.
    assert client.get("/staff", follow_redirects=False).status_code == 200


def test_a_fresh_code_signs_in(
    app: Litestar, accounts: dict[str, str], engine: Engine, settings: Settings
) -> None:
    with TestClient(app) as first:
        sign_in(first, accounts["editor"])
        totp = enrol_second_factor(first)
    # Move the account's last step back, as if the enrolment were a minute ago.
    with Session(engine) as session:
        account = find_account(session, accounts["editor"])
        assert account is not None and account.totp_last_step is not None
        account.totp_last_step -= 2
        session.add(account)
        session.commit()
    with TestClient(app) as second:
        sign_in(second, accounts["editor"])
        page = second.get("/staff/sign-in/code")
        taken = post_form(second, "/staff/sign-in/code", page.text, code=totp.now())
        assert taken.status_code == 303  # type: ignore[attr-defined]
        assert taken.headers["location"] == "/staff"  # type: ignore[attr-defined]
        assert second.get("/staff", follow_redirects=False).status_code == 200


def test_wrong_codes_count_against_the_sign_in_limit(
    app: Litestar, client: TestClient[Litestar], accounts: dict[str, str], engine: Engine
) -> None:
    sign_in(client, accounts["editor"])
    totp = enrol_second_factor(client)
    with Session(engine) as session:
        account = find_account(session, accounts["editor"])
        assert account is not None and account.totp_last_step is not None
        account.totp_last_step -= 2
        session.add(account)
        session.commit()
    with TestClient(app) as other:
        sign_in(other, accounts["editor"])
        page = other.get("/staff/sign-in/code").text
        right = totp.now()
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        for _ in range(ACCOUNT_LIMIT):
            assert post_form(other, "/staff/sign-in/code", page, code=wrong).status_code == 400  # type: ignore[attr-defined]
        limited = post_form(other, "/staff/sign-in/code", page, code=right)
        assert limited.status_code == 429  # type: ignore[attr-defined]
        assert other.get("/staff", follow_redirects=False).status_code == 303
        # The password form is closed for the account too.
        assert sign_in(other, accounts["editor"]).status_code == 429


@pytest.mark.parametrize("path", ["/staff/sign-in/code", "/staff/second-factor/confirm"])
def test_the_code_forms_need_their_csrf_token(
    client: TestClient[Litestar], accounts: dict[str, str], path: str
) -> None:
    sign_in(client, accounts["admin"])
    answer = client.post(path, data={"code": "123456"}, follow_redirects=False)
    assert answer.status_code == 403


def test_reset_second_factor_command(
    client: TestClient[Litestar],
    accounts: dict[str, str],
    engine: Engine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sign_in(client, accounts["admin"])
    enrol_second_factor(client)
    monkeypatch.setenv("PUENTE_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    done = runner.invoke(cli, ["staff", "reset-second-factor", accounts["admin"]])
    assert done.exit_code == 0, done.output
    assert f"second factor reset for {accounts['admin']}" in done.output
    with Session(engine) as session:
        account = session.get(StaffAccount, find_account(session, accounts["admin"]).id)  # type: ignore[union-attr]
        assert account is not None and not enrolled(account) and account.totp_secret is None
    # Its sessions ended; signing in again sends the admin to set one up anew.
    assert client.get("/staff", follow_redirects=False).headers["location"] == "/staff/sign-in"
    assert sign_in(client, accounts["admin"]).headers["location"] == "/staff"
    assert client.get("/staff", follow_redirects=False).headers["location"] == (
        "/staff/second-factor"
    )
    missing = runner.invoke(cli, ["staff", "reset-second-factor", "nobody@example.org"])
    assert missing.exit_code == 1
