"""Staff accounts: argon2 hashes, roles onto scopes, deactivation, ``puente staff``."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import Session

from api.cli import cli
from api.db.models import StaffAccount, StaffRole
from api.directory.keys import Scope
from api.directory.staff_accounts import (
    ROLE_SCOPES,
    check_password,
    create_account,
    deactivate_account,
    find_account,
    set_password,
    staff_of,
)
from api.settings import Settings

PASSWORD = "correct horse battery staple"


def test_only_an_argon2_hash_is_stored(engine: Engine) -> None:
    with Session(engine) as session:
        account = create_account(
            session, email=" Ana@Example.org ", name="Ana", role="editor", password=PASSWORD
        )
        session.commit()
        assert account.email == "ana@example.org"
        assert account.password_hash.startswith("$argon2id$")
        assert PASSWORD not in account.password_hash
        found = check_password(session, "ANA@example.org", PASSWORD)
        assert found is not None
        assert found.name == "Ana"
        assert check_password(session, "ana@example.org", PASSWORD + "x") is None
        assert find_account(session, "ana@example.org").last_sign_in_at is not None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "not-an-email"}, "is not an email address"),
        ({"role": "owner"}, "unknown role 'owner': expected one of editor, reviewer, admin"),
        ({"password": "short"}, "at least 12 characters"),
        ({"name": " "}, "the name must have 1 to 100 characters"),
    ],
)
def test_bad_accounts_are_refused_with_the_reason(
    engine: Engine, fields: dict[str, str], message: str
) -> None:
    values = {"email": "b@example.org", "name": "Bea", "role": "reviewer", "password": PASSWORD}
    with Session(engine) as session, pytest.raises(ValueError, match=message):
        create_account(session, **(values | fields))


def test_an_email_or_name_is_used_once(engine: Engine) -> None:
    with Session(engine) as session:
        create_account(session, email="c@example.org", name="Cy", role="admin", password=PASSWORD)
        with pytest.raises(ValueError, match="already exists"):
            create_account(
                session, email="c@example.org", name="Other", role="admin", password=PASSWORD
            )
        with pytest.raises(ValueError, match="named 'Cy' already exists"):
            create_account(
                session, email="d@example.org", name="Cy", role="admin", password=PASSWORD
            )


def test_roles_map_onto_the_api_scopes() -> None:
    editor = ROLE_SCOPES[StaffRole.EDITOR]
    assert Scope.RESOURCES_WRITE in editor and Scope.REPORTS_READ in editor
    assert ROLE_SCOPES[StaffRole.REVIEWER] == {Scope.REPORTS_READ}
    admin = staff_of(
        StaffAccount(email="a@x.org", name="A", role=StaffRole.ADMIN, password_hash="")
    )
    assert all(admin.allows(scope) for scope in Scope)


def test_deactivated_accounts_and_old_passwords_no_longer_sign_in(engine: Engine) -> None:
    with Session(engine) as session:
        create_account(session, email="e@example.org", name="Eve", role="editor", password=PASSWORD)
        set_password(session, "e@example.org", "a brand new passphrase")
        assert check_password(session, "e@example.org", PASSWORD) is None
        assert check_password(session, "e@example.org", "a brand new passphrase") is not None
        deactivate_account(session, "e@example.org")
        assert check_password(session, "e@example.org", "a brand new passphrase") is None
        with pytest.raises(LookupError, match=r"no account for nobody@example\.org"):
            deactivate_account(session, "nobody@example.org")


def test_the_staff_commands(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUENTE_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    created = runner.invoke(
        cli,
        ["staff", "create", "--email", "f@example.org", "--name", "Flor", "--role", "reviewer"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert created.exit_code == 0, created.output
    assert "created reviewer account f@example.org (Flor)" in created.output
    listed = runner.invoke(cli, ["staff", "list"])
    assert "f@example.org\tFlor\treviewer\tactive\tlast sign-in -" in listed.output
    assert PASSWORD not in listed.output
    again = runner.invoke(
        cli,
        ["staff", "create", "--email", "f@example.org", "--name", "X", "--role", "editor"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert again.exit_code == 2
    assert "already exists" in again.output
    renewed = runner.invoke(
        cli, ["staff", "set-password", "f@example.org"], input="another passphrase\n" * 2
    )
    assert renewed.exit_code == 0, renewed.output
    gone = runner.invoke(cli, ["staff", "deactivate", "f@example.org"])
    assert gone.exit_code == 0
    assert "\tdeactivated\t" in runner.invoke(cli, ["staff", "list"]).output
    missing = runner.invoke(cli, ["staff", "deactivate", "nobody@example.org"])
    assert missing.exit_code == 1
    assert "no account for nobody@example.org" in missing.output
