"""``Idempotency-Key``: a retried POST is answered from the first answer, never written twice."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, func, select, text
from sqlmodel import Session

import api.http.idempotency
from api.db.engine import WRITING
from api.db.models import IdempotentAnswer, ProblemReport, Resource, utcnow
from api.directory.keys import authenticate
from api.writes.idempotency import Claim
from tests.api.directory_rows import add_resource
from tests.api.staff_keys import bearer, issue_key


def count(engine: Engine, model: type[Any]) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def new_resource(engine: Engine) -> dict[str, Any]:
    add_resource(engine)
    with Session(engine) as session:
        location_id = session.scalars(select(Resource.location_id)).one()
    return {"name": "Clinic", "category": "legal_aid", "location_id": location_id}


def test_the_same_post_twice_with_one_key_makes_one_resource(
    client: TestClient[Litestar], engine: Engine
) -> None:
    body = new_resource(engine)
    headers = {**bearer(issue_key(engine, "resources:write")), "Idempotency-Key": "k-1"}
    first = client.post("/api/v1/resources", json=body, headers=headers)
    again = client.post("/api/v1/resources", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert again.status_code == 201, again.text
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"] == first.headers["content-type"] == "application/json"
    assert "idempotent-replayed" not in first.headers
    assert count(engine, Resource) == 2  # the fixture's and one new


def test_without_a_key_each_post_writes(client: TestClient[Litestar], engine: Engine) -> None:
    body = new_resource(engine)
    headers = bearer(issue_key(engine, "resources:write"))
    for _ in range(2):
        assert client.post("/api/v1/resources", json=body, headers=headers).status_code == 201
    assert count(engine, Resource) == 3


def test_the_same_key_with_another_body_is_a_422_naming_the_header(
    client: TestClient[Litestar], engine: Engine
) -> None:
    body = new_resource(engine)
    headers = {**bearer(issue_key(engine, "resources:write")), "Idempotency-Key": "k-2"}
    assert client.post("/api/v1/resources", json=body, headers=headers).status_code == 201
    other = client.post("/api/v1/resources", json={**body, "name": "Other"}, headers=headers)
    assert other.status_code == 422, other.text
    assert other.headers["content-type"].startswith("application/problem+json")
    assert [p["name"] for p in other.json()["invalid_params"]] == ["Idempotency-Key"]
    assert count(engine, Resource) == 2


def test_keys_are_per_actor_and_per_route(client: TestClient[Litestar], engine: Engine) -> None:
    body = new_resource(engine)
    ana = {**bearer(issue_key(engine, "resources:write", name="ana")), "Idempotency-Key": "k"}
    ben = {**bearer(issue_key(engine, "resources:write", name="ben")), "Idempotency-Key": "k"}
    assert client.post("/api/v1/resources", json=body, headers=ana).status_code == 201
    assert client.post("/api/v1/resources", json=body, headers=ben).status_code == 201
    organization = client.post("/api/v1/organizations", json={"name": "Org"}, headers=ana)
    assert organization.status_code == 201
    assert count(engine, Resource) == 3


def test_an_expired_key_can_be_used_again(
    client: TestClient[Litestar], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = new_resource(engine)
    headers = {**bearer(issue_key(engine, "resources:write")), "Idempotency-Key": "k-3"}
    assert client.post("/api/v1/resources", json=body, headers=headers).status_code == 201
    later = utcnow() + timedelta(hours=24, seconds=1)
    monkeypatch.setattr(api.http.idempotency, "utcnow", lambda: later)
    again = client.post("/api/v1/resources", json={**body, "name": "New"}, headers=headers)
    assert again.status_code == 201, again.text
    assert "idempotent-replayed" not in again.headers
    assert count(engine, Resource) == 3
    assert count(engine, IdempotentAnswer) == 1  # the expired answer is gone


def test_a_problem_report_retried_with_a_key_is_filed_once(
    client: TestClient[Litestar], engine: Engine
) -> None:
    resource_id = add_resource(engine)
    path = f"/api/v1/resources/{resource_id}/reports"
    headers = {"Idempotency-Key": "report-1"}
    first = client.post(path, json={"kind": "closed"}, headers=headers)
    again = client.post(path, json={"kind": "closed"}, headers=headers)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    assert set(first.json()) == {"id", "resource_id", "kind", "created_at"}
    assert count(engine, ProblemReport) == 1


def test_a_failed_write_keeps_no_answer(client: TestClient[Litestar], engine: Engine) -> None:
    headers = {**bearer(issue_key(engine, "resources:write")), "Idempotency-Key": "k-4"}
    body = {"name": "R", "category": "legal_aid", "location_id": 999}
    assert client.post("/api/v1/resources", json=body, headers=headers).status_code == 422
    assert count(engine, IdempotentAnswer) == 0
    fixed = new_resource(engine)
    assert client.post("/api/v1/resources", json=fixed, headers=headers).status_code == 201


@pytest.mark.parametrize("key", ["", "x" * 256, "with space", "café".encode()])
def test_a_malformed_key_is_a_400_naming_the_header(
    client: TestClient[Litestar], engine: Engine, key: str | bytes
) -> None:
    headers: dict[str, Any] = {
        **bearer(issue_key(engine, "resources:write")),
        "Idempotency-Key": key,
    }
    response = client.post("/api/v1/organizations", json={"name": "Org"}, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["invalid_params"][0]["name"] == "Idempotency-Key"
    assert response.json()["invalid_params"][0]["in"] == "header"


def test_a_request_still_in_flight_with_the_same_key_is_a_409(
    client: TestClient[Litestar], engine: Engine, backend: str
) -> None:
    """The first request waits for the database (held by another writer here); a second with
    its key is refused at once, and once the first is answered, a retry gets its answer."""
    key = issue_key(engine, "resources:write")
    assert authenticate(engine, key) is not None  # noted as used: no write in the guard
    headers = {**bearer(key), "Idempotency-Key": "k-5"}
    body = {"name": "Org"}
    holder = engine.connect().execution_options(**WRITING)  # SQLite: BEGIN IMMEDIATE
    holder.begin()
    if backend == "postgresql":
        holder.execute(text("LOCK TABLE organization IN EXCLUSIVE MODE"))
    answers: list[int] = []
    first = threading.Thread(
        target=lambda: answers.append(
            client.post("/api/v1/organizations", json=body, headers=headers).status_code
        )
    )
    try:
        first.start()
        time.sleep(1.0)
        second = client.post("/api/v1/organizations", json=body, headers=headers)
    finally:
        holder.rollback()
        holder.close()
    first.join(timeout=30)
    assert second.status_code == 409, second.text
    assert [p["name"] for p in second.json()["invalid_params"]] == ["Idempotency-Key"]
    assert answers == [201]
    retried = client.post("/api/v1/organizations", json=body, headers=headers)
    assert retried.status_code == 201
    assert retried.headers["idempotent-replayed"] == "true"


@pytest.mark.parametrize(
    "backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_on_postgresql_a_key_in_flight_in_another_process_is_a_409(
    client: TestClient[Litestar], engine: Engine
) -> None:
    """Another server process answering the key holds its advisory lock."""
    headers = {**bearer(issue_key(engine, "admin", name="ana")), "Idempotency-Key": "k-6"}
    claim = Claim.of(
        key="k-6", actor="ana", route="POST /api/v1/organizations", query=b"", body=b""
    )
    with engine.connect() as other_process:
        other_process.execute(text("SELECT pg_advisory_lock(:id)"), {"id": claim.lock_id})
        busy = client.post("/api/v1/organizations", json={"name": "Org"}, headers=headers)
        other_process.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": claim.lock_id})
    assert busy.status_code == 409, busy.text
    done = client.post("/api/v1/organizations", json={"name": "Org"}, headers=headers)
    assert done.status_code == 201


def test_the_document_lists_the_header_on_every_post_and_no_other_method(
    client: TestClient[Litestar],
) -> None:
    document = client.get("/schema/openapi.json").json()
    posts = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            expected = method == "post" and path != "/api/v1/imports"
            assert ("Idempotency-Key" in names) is expected, (method, path)
            if expected:
                posts += 1
                assert {"409", "422"} <= set(operation["responses"]), (method, path)
    assert posts == 5
