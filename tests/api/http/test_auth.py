from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.cli import cli
from api.db.models import ApiKey
from api.directory.keys import (
    KEY_PREFIX,
    LAST_USED_RESOLUTION,
    Scope,
    authenticate,
    create_key,
    hash_key,
    parse_scopes,
)
from api.settings import Settings
from tests.api.staff_keys import bearer, issue_key, revoked_key


def run(settings: Settings, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env={"PUENTE_DATABASE_URL": settings.database_url})
    return result.exit_code, result.stdout, result.stderr


def test_keys_create_prints_the_key_once_and_stores_only_its_hash(
    settings: Settings, engine: Engine
) -> None:
    code, out, err = run(
        settings,
        "keys",
        "create",
        "--name",
        "ana",
        "--scope",
        "resources:write",
        "--scope",
        "reports:read",
    )
    assert code == 0, err
    key = out.strip()
    assert key.startswith(KEY_PREFIX) and len(key) >= 40
    with Session(engine) as session:
        row = session.exec(select(ApiKey)).one()
    assert row.name == "ana"
    assert row.scopes == "reports:read resources:write"
    assert row.key_hash == hash_key(key) and key not in (row.key_hash, row.prefix)
    assert key.startswith(row.prefix)

    code, out, _ = run(settings, "keys", "list")
    assert code == 0
    assert "ana" in out and "resources:write" in out and "active" in out
    assert key not in out and row.key_hash not in out


def test_keys_create_refuses_unknown_scopes_and_duplicate_names(settings: Settings) -> None:
    code, _, err = run(settings, "keys", "create", "--name", "x", "--scope", "everything")
    assert code == 2
    assert "unknown scope 'everything'" in err and "resources:write" in err
    assert run(settings, "keys", "create", "--name", "x", "--scope", "admin")[0] == 0
    code, _, err = run(settings, "keys", "create", "--name", "x", "--scope", "admin")
    assert code == 2 and "already exists" in err


def test_keys_revoke_stops_the_key(settings: Settings, engine: Engine) -> None:
    _, out, _ = run(settings, "keys", "create", "--name", "old", "--scope", "admin")
    key = out.strip()
    assert authenticate(engine, key) is not None
    code, out, _ = run(settings, "keys", "revoke", "old")
    assert code == 0 and "revoked" in out
    assert authenticate(engine, key) is None
    assert "revoked" in run(settings, "keys", "list")[1]
    code, _, err = run(settings, "keys", "revoke", "nobody")
    assert code == 1 and "no key named 'nobody'" in err


def test_a_key_that_differs_in_one_character_is_refused(engine: Engine) -> None:
    key = issue_key(engine, "admin")
    last = key[-1]
    forged = key[:-1] + ("A" if last != "A" else "B")
    assert authenticate(engine, forged) is None
    assert authenticate(engine, "") is None
    assert authenticate(engine, "not-a-puente-key") is None
    staff = authenticate(engine, key)
    assert staff is not None and staff.name == "admin-key"


def test_last_used_is_recorded_at_most_once_a_minute(engine: Engine) -> None:
    key = issue_key(engine, "reports:read")
    with Session(engine) as session:
        assert session.exec(select(ApiKey)).one().last_used_at is None
    assert authenticate(engine, key) is not None
    with Session(engine) as session:
        first = session.exec(select(ApiKey)).one().last_used_at
    assert first is not None
    authenticate(engine, key, now=first + timedelta(seconds=5))
    with Session(engine) as session:
        assert session.exec(select(ApiKey)).one().last_used_at == first
    later = first + LAST_USED_RESOLUTION
    authenticate(engine, key, now=later)
    with Session(engine) as session:
        assert session.exec(select(ApiKey)).one().last_used_at == later


def test_admin_implies_every_scope() -> None:
    assert parse_scopes(["admin"]) == {Scope.ADMIN}
    assert parse_scopes(["resources:write events:write"]) == {
        Scope.RESOURCES_WRITE,
        Scope.EVENTS_WRITE,
    }


def test_create_key_needs_a_scope(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(ValueError, match="at least one scope"):
        create_key(session, name="empty", scopes=[])


@pytest.mark.parametrize(
    ("key_kind", "status"),
    [("none", 401), ("malformed", 401), ("revoked", 401), ("wrong", 403), ("right", 200)],
)
def test_staff_reads_need_a_valid_key_with_the_scope(
    client: TestClient[Litestar], engine: Engine, key_kind: str, status: int
) -> None:
    headers = {
        "none": {},
        "malformed": {"Authorization": "Basic dXNlcjpwYXNz"},
        "revoked": bearer(revoked_key(engine, "admin")),
        "wrong": bearer(issue_key(engine, "resources:write")),
        "right": bearer(issue_key(engine, "admin")),
    }[key_kind]
    for path in ("/api/v1/audit", "/api/v1/reports"):
        response = client.get(path, headers=headers)
        assert response.status_code == status, (path, response.text)
        if status != 200:
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["status"] == status
        if status == 401:
            assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_staff_answer_is_never_served_to_a_request_without_a_key(
    client: TestClient[Litestar], engine: Engine
) -> None:
    key = issue_key(engine, "admin")
    assert client.get("/api/v1/audit", headers=bearer(key)).status_code == 200
    assert client.get("/api/v1/audit").status_code == 401
    assert client.get("/api/v1/reports").status_code == 401


def test_the_openapi_document_declares_bearer_auth_on_staff_endpoints(
    client: TestClient[Litestar],
) -> None:
    document = client.get("/schema/openapi.json").json()
    assert document["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"
    assert document["paths"]["/api/v1/audit"]["get"]["security"] == [{"BearerAuth": []}]
