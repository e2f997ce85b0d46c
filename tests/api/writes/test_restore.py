"""Restoring a retired resource through the writer: back in search at once, audited as a
restore with its reason, refused while retired parents or without a reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.errors import NotFound, Unprocessable
from api.settings import Settings
from api.writes import Writer
from tests.api.writes.test_writes import make_resource, staff


def _writer(session: Session, settings: Settings) -> Writer:
    return Writer(session=session, settings=settings, actor="Ana Editor", now=datetime.now(UTC))


def test_a_restored_resource_is_searchable_again_and_audited(
    client: TestClient[Litestar], engine: Engine, settings: Settings
) -> None:
    headers = staff(engine, "admin", name="ana")
    resource_id = make_resource(client, headers)
    assert client.delete(f"/api/v1/resources/{resource_id}", headers=headers).status_code == 204
    with Session(engine) as session:
        with pytest.raises(Unprocessable):
            _writer(session, settings).resources.restore(resource_id, reason=" ")
        session.rollback()
        _writer(session, settings).resources.restore(resource_id, reason="Open again")
        session.commit()
        with pytest.raises(NotFound):  # not retired any more
            _writer(session, settings).resources.restore(resource_id, reason="again")
        session.rollback()
    assert client.get(f"/api/v1/resources/{resource_id}").status_code == 200
    assert client.get("/api/v1/resources", params={"q": "clinic"}).json()["total"] == 1
    history = client.get(
        "/api/v1/audit", params={"entity": "resource", "entity_id": resource_id}, headers=headers
    ).json()
    assert [e["action"] for e in history["items"]] == ["restore", "delete", "create"]
    restore = history["items"][0]
    assert restore["actor"] == "Ana Editor"
    assert restore["before"]["retired_at"] is not None
    assert restore["after"]["retired_at"] is None and restore["after"]["reason"] == "Open again"
    assert (
        client.get("/api/v1/audit", params={"action": "restore"}, headers=headers).json()["total"]
        == 1
    )


def test_a_resource_at_a_retired_location_stays_retired(
    client: TestClient[Litestar], engine: Engine, settings: Settings
) -> None:
    headers = staff(engine, "admin", name="ana")
    resource_id = make_resource(client, headers)
    location_id = client.get(f"/api/v1/resources/{resource_id}").json()["location"]["id"]
    assert client.delete(f"/api/v1/resources/{resource_id}", headers=headers).status_code == 204
    assert client.delete(f"/api/v1/locations/{location_id}", headers=headers).status_code == 204
    with Session(engine) as session, pytest.raises(Unprocessable) as refused:
        _writer(session, settings).resources.restore(resource_id, reason="Open again")
    assert refused.value.params[0]["name"] == "location_id"
    assert client.get(f"/api/v1/resources/{resource_id}").status_code == 404
