from __future__ import annotations

from datetime import UTC, datetime

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.db.models import AuditEntry, Organization, OrganizationKind
from api.directory.audit import record, snapshot
from tests.api.staff_keys import bearer, issue_key


def test_an_entry_keeps_before_and_after_as_json(engine: Engine) -> None:
    with Session(engine) as session:
        organization = Organization(name="Old", kind=OrganizationKind.FAITH)
        session.add(organization)
        session.flush()
        before = snapshot(organization)
        organization.name = "New"
        organization.retired_at = datetime(2026, 1, 2, tzinfo=UTC)
        record(
            session,
            actor="staff-key",
            action="update",
            entity="organization",
            entity_id=organization.id,
            before=before,
            after=snapshot(organization),
        )
        session.commit()
    with Session(engine) as session:
        entry = session.exec(select(AuditEntry)).one()
    assert entry.actor == "staff-key"
    assert entry.before is not None and entry.before["name"] == "Old"
    assert entry.after is not None and entry.after["name"] == "New"
    assert entry.after["kind"] == "faith"
    assert entry.after["retired_at"] == "2026-01-02T00:00:00+00:00"
    assert entry.at.tzinfo is not None


def test_audit_filters_are_bounded_and_checked(
    client: TestClient[Litestar], engine: Engine
) -> None:
    headers = bearer(issue_key(engine, "admin"))
    for name, value in (("entity", "x" * 41), ("actor", "x" * 101), ("action", "rename")):
        response = client.get("/api/v1/audit", params={name: value}, headers=headers)
        assert response.status_code == 400, (name, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert name in response.text
    fine = client.get("/api/v1/audit", params={"entity": "resource"}, headers=headers)
    assert fine.status_code == 200
