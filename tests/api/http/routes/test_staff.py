"""Every staff endpoint x (no key, revoked key, wrong scope, right scope)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.app import create_app
from api.db.models import AuditEntry
from api.http.middleware.protection import Limits
from api.settings import Settings
from tests.api.directory_rows import add_resource
from tests.api.staff_keys import bearer, issue_key, revoked_key

EVENT = {"title": "Meeting", "starts_at": "2030-03-01T18:00:00-06:00"}
PLACE = {"name": "Hall", "latitude": 32.78, "longitude": -96.8}

# method, path (ids filled in from the fixture rows), body, scope it needs, wrong scope
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None, str, str]] = [
    ("POST", "/api/v1/organizations", {"name": "New org"}, "resources:write", "events:write"),
    ("GET", "/api/v1/organizations/{organization}", None, "resources:write", "events:write"),
    (
        "PATCH",
        "/api/v1/organizations/{organization}",
        {"phone": "1"},
        "resources:write",
        "events:write",
    ),
    ("DELETE", "/api/v1/organizations/{organization}", None, "resources:write", "events:write"),
    ("POST", "/api/v1/locations", PLACE, "resources:write", "reports:read"),
    ("GET", "/api/v1/locations/{location}", None, "resources:write", "reports:read"),
    (
        "PATCH",
        "/api/v1/locations/{location}",
        {"name": "Renamed"},
        "resources:write",
        "imports:write",
    ),
    ("DELETE", "/api/v1/locations/{location}", None, "resources:write", "imports:write"),
    (
        "POST",
        "/api/v1/resources",
        {"name": "R", "category": "legal_aid", "location_id": "{location}"},
        "resources:write",
        "events:write",
    ),
    ("PATCH", "/api/v1/resources/{resource}", {"fees": "Free"}, "resources:write", "events:write"),
    ("DELETE", "/api/v1/resources/{resource}", None, "resources:write", "reports:read"),
    (
        "POST",
        "/api/v1/events",
        {**EVENT, "location_id": "{location}"},
        "events:write",
        "resources:write",
    ),
    ("PATCH", "/api/v1/events/{event}", {"status": "cancelled"}, "events:write", "resources:write"),
    ("DELETE", "/api/v1/events/{event}", None, "events:write", "resources:write"),
    ("GET", "/api/v1/audit", None, "admin", "resources:write"),
    ("GET", "/api/v1/reports", None, "reports:read", "resources:write"),
    ("PATCH", "/api/v1/reports/{report}", {"resolved": True}, "reports:read", "events:write"),
]


def fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


def rows(client: TestClient[Litestar], engine: Engine) -> dict[str, int]:
    resource_id = add_resource(engine)
    headers = bearer(issue_key(engine, "admin", name="setup"))
    resource = client.get(f"/api/v1/resources/{resource_id}").json()
    event = client.post(
        "/api/v1/events", json={**EVENT, "location_id": resource["location"]["id"]}, headers=headers
    ).json()
    report = client.post(f"/api/v1/resources/{resource_id}/reports", json={"kind": "closed"}).json()
    return {
        "resource": resource_id,
        "organization": resource["organization"]["id"],
        "location": resource["location"]["id"],
        "event": event["id"],
        "report": report["id"],
    }


@pytest.mark.parametrize("key_kind", ["none", "revoked", "wrong", "right"])
@pytest.mark.parametrize(
    ("method", "path", "body", "scope", "wrong"),
    ENDPOINTS,
    ids=[f"{m} {p}" for m, p, *_ in ENDPOINTS],
)
def test_staff_endpoints_need_a_valid_key_with_the_right_scope(
    client: TestClient[Litestar],
    engine: Engine,
    backend: str,
    key_kind: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    scope: str,
    wrong: str,
) -> None:
    ids = rows(client, engine)
    with Session(engine) as session:
        audited = len(session.exec(select(AuditEntry)).all())
    headers = {
        "none": {},
        "revoked": bearer(revoked_key(engine, scope)),
        "wrong": bearer(issue_key(engine, wrong, name="wrong")),
        "right": bearer(issue_key(engine, scope, name="right")),
    }[key_kind]
    response = client.request(method, fill(path, ids), json=fill(body, ids), headers=headers)
    expected = {"none": 401, "revoked": 401, "wrong": 403}.get(key_kind)
    if expected is None:
        assert response.status_code in (200, 201, 204), response.text
        return
    assert response.status_code == expected, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    if expected == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")
    with Session(engine) as session:
        assert len(session.exec(select(AuditEntry)).all()) == audited


STAFF_PATHS = sorted({path for _, path, *_ in ENDPOINTS})


def test_options_on_a_staff_path_needs_no_key_and_spends_no_staff_budget(
    settings: Settings, engine: Engine
) -> None:
    app = create_app(settings, limits=Limits(staff=("minute", 3)))
    with TestClient(app) as client:
        ids = rows(client, engine)  # the setup key's one staff request
        headers = bearer(issue_key(engine, "resources:write", name="ana"))
        for path in STAFF_PATHS:
            answered = client.options(fill(path, ids))
            assert answered.status_code == 204, (path, answered.text)
            assert client.options(fill(path, ids), headers=headers).status_code == 204
        changed = client.patch(
            f"/api/v1/organizations/{ids['organization']}", json={"phone": "1"}, headers=headers
        )
        assert changed.status_code == 200, changed.text
