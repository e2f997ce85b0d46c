"""Each request's database session ends with its response: committed on success, rolled back
otherwise, always closed; a write is only answered as done once its commit succeeded."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, func
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from api.models import Organization
from tests.api.staff_keys import bearer, issue_key


def organizations(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Organization)).one()


def test_a_write_whose_commit_fails_is_an_error_and_keeps_nothing(
    client: TestClient[Litestar], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = bearer(issue_key(engine, "resources:write", name="ana"))
    # The key's first use records when it was used (its own commit); do that beforehand.
    assert client.get("/api/v1/organizations/999", headers=headers).status_code == 404

    def failing_commit(self: Session) -> None:
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(Session, "commit", failing_commit)
    answer = client.post("/api/v1/organizations", json={"name": "Ayuda"}, headers=headers)
    monkeypatch.undo()

    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert organizations(engine) == 0


def test_a_write_is_kept_and_sessions_are_returned_to_the_pool(
    client: TestClient[Litestar], app: Litestar, engine: Engine
) -> None:
    headers = bearer(issue_key(engine, "resources:write", name="ana"))
    created = client.post("/api/v1/organizations", json={"name": "Ayuda"}, headers=headers)
    assert created.status_code == 201
    refused = client.post("/api/v1/organizations", json={"name": ""}, headers=headers)
    assert refused.status_code == 400
    app_engine: Any = app.state["engine"]

    def browse() -> int:
        for _ in range(3):
            assert client.get("/api/v1/resources").status_code == 200  # a miss, then hits
            assert client.get("/api/v1/resources/999").status_code == 404
            assert client.get("/health").status_code == 200
        return int(app_engine.pool.checkedout())

    held = browse()
    assert held <= 1  # at most the response cache's own connection for the version
    assert browse() == held
    assert organizations(engine) == 1
