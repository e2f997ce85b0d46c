"""Each request's database session ends with its response: committed on success, rolled back
otherwise, always closed; a write is only answered as done once its commit succeeded."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from advanced_alchemy.extensions.litestar import SQLAlchemySyncConfig
from litestar import Litestar
from litestar.datastructures import State
from litestar.testing import TestClient
from sqlalchemy import Engine, func
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from api.db.models import Organization
from api.http.sessions import request_session_ender
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


@pytest.mark.anyio
async def test_ending_a_session_needs_no_worker_thread(engine: Engine) -> None:
    """Under load every worker thread can be waiting for a pooled connection; the hook that
    gives connections back must not wait for a worker thread itself."""
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=1))
    release = threading.Event()
    busy = loop.run_in_executor(None, release.wait, 10)  # the only worker thread, taken
    config = SQLAlchemySyncConfig(engine_instance=engine, session_scope_key="test_session")
    state = State({config.session_maker_app_state_key: config.create_session_maker()})
    scope: Any = {"type": "http"}
    session = config.provide_session(state, scope)  # kept in the scope, as for a request
    session.execute(select(func.count()).select_from(Organization)).one()
    end_session = request_session_ender(config.session_scope_key)  # made unique per process
    try:
        start = {"type": "http.response.start", "status": 200, "headers": []}
        await asyncio.wait_for(end_session(start, scope), timeout=3)
        assert engine.pool.checkedout() == 0
    finally:
        release.set()
        await busy
