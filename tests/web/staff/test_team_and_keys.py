"""The admin pages: staff with their roles, invitation links, role changes and deactivation,
and API keys (shown once, revoked keys stop working); none of it for other roles."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.cli import cli
from api.db.models import ApiKey, AuditEntry, StaffAccount
from api.settings import Settings
from tests.web.staff.console import PASSWORD, csrf_token, form_values, sign_in, sign_in_as_admin


def _admin(client: TestClient[Litestar], accounts: dict[str, str]) -> TestClient[Litestar]:
    return sign_in_as_admin(client, accounts["admin"])


def test_only_admins_see_the_admin_pages(
    client: TestClient[Litestar], accounts: dict[str, str]
) -> None:
    assert sign_in(client, accounts["editor"]).status_code == 303
    for path in ("/staff/team", "/staff/keys"):
        assert client.get(path).status_code == 403
    token = csrf_token(client.get("/staff").text)
    refused = client.post(
        "/staff/keys", data={"name": "p", "scope": "reports:read", "_csrf_token": token}
    )
    assert refused.status_code == 403
    assert 'href="/staff/keys"' not in client.get("/staff").text


def test_invite_then_the_invitee_sets_a_password_and_signs_in(
    app: Litestar, client: TestClient[Litestar], accounts: dict[str, str], engine: Engine
) -> None:
    admin = _admin(client, accounts)
    page = admin.get("/staff/team")
    assert page.status_code == 200
    assert "Alma Admin" in page.text and "never" in page.text
    form = form_values(page.text, "/staff/team/invite")
    made = admin.post(
        "/staff/team/invite",
        data={**form, "email": "nueva@example.org", "name": "Nueva Persona", "role": "reviewer"},
    )
    assert made.status_code == 200
    link = re.search(r'id="invitation-link" readonly value="([^"]+)"', made.text)
    assert link, made.text
    path = link.group(1).removeprefix("http://testserver.local")
    assert path.startswith("/staff/invitations/")
    assert link.group(1) not in admin.get("/staff/team").text  # shown once
    with TestClient(app) as invitee:
        answer = invitee.get(path)
        assert answer.status_code == 200
        assert "Nueva Persona" in answer.text
        fields = form_values(answer.text, path)
        differ = invitee.post(path, data={**fields, "password": PASSWORD, "password_again": "x"})
        assert differ.status_code == 400
        done = invitee.post(path, data={**fields, "password": PASSWORD, "password_again": PASSWORD})
        assert done.status_code == 200
        assert "Your account is ready." in done.text
        again = invitee.post(
            path, data={**fields, "password": PASSWORD, "password_again": PASSWORD}
        )
        assert again.status_code == 404
        assert sign_in(invitee, "nueva@example.org").status_code == 303
    with Session(engine) as session:
        account = session.exec(
            select(StaffAccount).where(StaffAccount.name == "Nueva Persona")
        ).one()
        assert account.role == "reviewer"
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.entity.in_(["staff_invitation", "staff_account"]))
        ).all()  # type: ignore[attr-defined]
        assert {e.actor for e in entries} == {"Alma Admin", "Nueva Persona"}
        assert all("password_hash" not in (e.after or {}) for e in entries)


def test_change_a_role_and_deactivate(
    app: Litestar, client: TestClient[Litestar], accounts: dict[str, str], engine: Engine
) -> None:
    admin = _admin(client, accounts)
    with Session(engine) as session:
        rita = session.exec(select(StaffAccount).where(StaffAccount.name == "Rita Reviewer")).one()
    with TestClient(app) as reviewer:
        assert sign_in(reviewer, accounts["reviewer"]).status_code == 303
        assert reviewer.get("/staff/meetings/new").status_code == 403
        page = admin.get("/staff/team")
        form = form_values(page.text, f"/staff/team/{rita.id}/role")
        changed = admin.post(f"/staff/team/{rita.id}/role", data={**form, "role": "editor"})
        assert "The role is changed; it applies at once." in changed.text
        assert reviewer.get("/staff/meetings/new").status_code == 200
        page = admin.get("/staff/team")
        form = form_values(page.text, f"/staff/team/{rita.id}/deactivate")
        admin.post(f"/staff/team/{rita.id}/deactivate", data=form)
        gone = reviewer.get("/staff", follow_redirects=False)
        assert gone.status_code == 303
        assert sign_in(reviewer, accounts["reviewer"]).status_code == 400


def test_the_last_admin_cannot_demote_themselves(
    client: TestClient[Litestar], accounts: dict[str, str], engine: Engine
) -> None:
    admin = _admin(client, accounts)
    with Session(engine) as session:
        alma = session.exec(select(StaffAccount).where(StaffAccount.name == "Alma Admin")).one()
    page = admin.get("/staff/team")
    form = form_values(page.text, f"/staff/team/{alma.id}/role")
    refused = admin.post(f"/staff/team/{alma.id}/role", data={**form, "role": "editor"})
    assert refused.status_code == 400
    assert "the last active admin keeps the admin role" in refused.text


def test_a_key_is_shown_once_works_and_stops_when_revoked(
    client: TestClient[Litestar], accounts: dict[str, str], engine: Engine
) -> None:
    admin = _admin(client, accounts)
    page = admin.get("/staff/keys")
    token = csrf_token(page.text)
    made = admin.post(
        "/staff/keys",
        data={
            "name": "Partner 211",
            "scope": ["reports:read", "events:write"],
            "_csrf_token": token,
        },
    )
    assert made.status_code == 200
    found = re.search(r'id="new-key" readonly value="(puente_[^"]+)"', made.text)
    assert found
    key = found.group(1)
    assert key not in admin.get("/staff/keys").text
    with Session(engine) as session:
        row = session.exec(select(ApiKey).where(ApiKey.name == "Partner 211")).one()
        assert row.scopes == "events:write reports:read"
        assert key not in row.key_hash
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/reports", headers=headers).status_code == 200
    listed = admin.get("/staff/keys")
    assert "Partner 211" in listed.text
    form = form_values(listed.text, f"/staff/keys/{row.id}/revoke")
    revoked = admin.post(f"/staff/keys/{row.id}/revoke", data=form)
    assert "Revoked: the key no longer works." in revoked.text
    assert client.get("/api/v1/reports", headers=headers).status_code == 401


def test_a_key_needs_a_scope_and_a_free_name(
    client: TestClient[Litestar], accounts: dict[str, str]
) -> None:
    admin = _admin(client, accounts)
    token = csrf_token(admin.get("/staff/keys").text)
    none = admin.post("/staff/keys", data={"name": "P", "_csrf_token": token})
    assert none.status_code == 400
    assert "Choose at least one scope." in none.text
    admin_scope = admin.post(
        "/staff/keys", data={"name": "P", "scope": "admin", "_csrf_token": token}
    )
    assert admin_scope.status_code == 400
    assert (
        admin.post(
            "/staff/keys", data={"name": "P", "scope": "reports:read", "_csrf_token": token}
        ).status_code
        == 200
    )
    taken = admin.post(
        "/staff/keys", data={"name": "P", "scope": "reports:read", "_csrf_token": token}
    )
    assert taken.status_code == 400
    assert "already exists" in taken.text


def test_puente_staff_invite_prints_a_working_link(
    client: TestClient[Litestar], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUENTE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PUENTE_PUBLIC_URL", "https://puente.example.org")
    answer = CliRunner().invoke(
        cli, ["staff", "invite", "--email", "g@example.org", "--name", "Gil", "--role", "admin"]
    )
    assert answer.exit_code == 0, answer.output
    link = answer.output.strip().splitlines()[-1]
    assert link.startswith("https://puente.example.org/staff/invitations/")
    path = link.removeprefix("https://puente.example.org")
    page = client.get(path)
    assert page.status_code == 200
    fields = form_values(page.text, path)
    done = client.post(path, data={**fields, "password": PASSWORD, "password_again": PASSWORD})
    assert "Your account is ready." in done.text
    assert sign_in(client, "g@example.org").status_code == 303
    taken = CliRunner().invoke(
        cli, ["staff", "invite", "--email", "g@example.org", "--name", "Gil", "--role", "admin"]
    )
    assert taken.exit_code == 2
    assert "already exists" in taken.output


def test_the_new_forms_are_refused_without_their_csrf_token(
    client: TestClient[Litestar], accounts: dict[str, str], engine: Engine
) -> None:
    admin = _admin(client, accounts)
    for path, data in (
        ("/staff/keys", {"name": "No token", "scope": "reports:read"}),
        ("/staff/team/invite", {"email": "n@example.org", "name": "N", "role": "editor"}),
        ("/staff/meetings", {"title": "No token"}),
    ):
        assert admin.post(path, data=data).status_code == 403, path
    with Session(engine) as session:
        assert session.exec(select(ApiKey)).all() == []


def test_the_admin_pages_refuse_in_the_page_language(
    client: TestClient[Litestar], accounts: dict[str, str], engine: Engine
) -> None:
    admin = _admin(client, accounts)
    spanish = {"Accept-Language": "es"}
    with Session(engine) as session:
        alma = session.exec(select(StaffAccount).where(StaffAccount.name == "Alma Admin")).one()
    page = admin.get("/staff/team", headers=spanish)
    form = form_values(page.text, f"/staff/team/{alma.id}/role")
    demoted = admin.post(
        f"/staff/team/{alma.id}/role", data={**form, "role": "editor"}, headers=spanish
    )
    assert demoted.status_code == 400
    assert "la última cuenta de administración activa conserva el rol" in demoted.text
    assert "the last active admin" not in demoted.text
    token = csrf_token(page.text)
    invited = admin.post(
        "/staff/team/invite",
        data={"email": "not-an-email", "name": "X", "role": "editor", "_csrf_token": token},
        headers=spanish,
    )
    assert invited.status_code == 400
    assert "no es una dirección de correo electrónico" in invited.text
    taken = admin.post(
        "/staff/team/invite",
        data={"email": accounts["editor"], "name": "X", "role": "editor", "_csrf_token": token},
        headers=spanish,
    )
    assert f"ya existe una cuenta para {accounts['editor']}" in taken.text
    key = {"name": "Socio", "scope": "reports:read", "_csrf_token": token}
    assert admin.post("/staff/keys", data=key, headers=spanish).status_code == 200
    again = admin.post("/staff/keys", data=key, headers=spanish)
    assert again.status_code == 400
    assert "ya existe una clave llamada &#39;Socio&#39;" in again.text
