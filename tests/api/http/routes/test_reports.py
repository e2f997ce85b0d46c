from __future__ import annotations

from datetime import UTC, datetime

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, inspect
from sqlmodel import Session, select

from api.db.models import ProblemReport, Resource
from tests.api.directory_rows import add_resource
from tests.api.staff_keys import bearer, issue_key


def test_anyone_can_report_a_listing_and_nothing_about_them_is_kept(
    client: TestClient[Litestar], engine: Engine
) -> None:
    resource_id = add_resource(engine)
    response = client.post(
        f"/api/v1/resources/{resource_id}/reports",
        json={"kind": "wrong_phone", "message": "  The number is disconnected.  "},
        headers={"User-Agent": "Phone Browser 1.0", "X-Forwarded-For": "203.0.113.9"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["resource_id"] == resource_id and body["kind"] == "wrong_phone"
    assert "message" not in body
    with Session(engine) as session:
        report = session.exec(select(ProblemReport)).one()
    assert report.message == "The number is disconnected."
    columns = {c["name"] for c in inspect(engine).get_columns("problem_report")}
    # What the resident sent, and how staff resolved it: nothing about who reported.
    assert columns == {
        "id",
        "resource_id",
        "kind",
        "message",
        "created_at",
        "resolved_at",
        "resolution",
        "resolved_by",
        "resolution_note",
    }
    stored = " ".join(str(getattr(report, column)) for column in columns)
    assert "203.0.113.9" not in stored and "Phone Browser" not in stored


def test_a_report_needs_a_known_kind_and_a_short_note(
    client: TestClient[Litestar], engine: Engine
) -> None:
    resource_id = add_resource(engine)
    url = f"/api/v1/resources/{resource_id}/reports"
    for body, field in (
        ({"kind": "it is bad"}, "kind"),
        ({}, "kind"),
        ({"kind": "other", "message": "x" * 2001}, "message"),
        ({"kind": "other", "email": "me@example.org"}, "email"),
    ):
        response = client.post(url, json=body)
        assert response.status_code == 400, body
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in [p["name"] for p in response.json()["invalid_params"]], response.text
    with Session(engine) as session:
        assert session.exec(select(ProblemReport)).all() == []


def test_reports_on_unknown_or_retired_resources_are_404(
    client: TestClient[Litestar], engine: Engine
) -> None:
    assert client.post("/api/v1/resources/999/reports", json={"kind": "closed"}).status_code == 404
    resource_id = add_resource(engine)
    with Session(engine) as session:
        resource = session.get(Resource, resource_id)
        assert resource is not None
        resource.retired_at = datetime.now(UTC)
        session.add(resource)
        session.commit()
    response = client.post(f"/api/v1/resources/{resource_id}/reports", json={"kind": "closed"})
    assert response.status_code == 404
    assert response.json()["title"] == "Unknown resource"


def test_staff_list_reports_and_mark_them_resolved(
    client: TestClient[Litestar], engine: Engine
) -> None:
    first = add_resource(engine, name="First")
    second = add_resource(engine, name="Second")
    for resource_id, kind in ((first, "closed"), (second, "wrong_hours"), (first, "other")):
        assert (
            client.post(f"/api/v1/resources/{resource_id}/reports", json={"kind": kind}).status_code
            == 201
        )
    staff = bearer(issue_key(engine, "reports:read"))
    listing = client.get("/api/v1/reports", headers=staff).json()
    assert listing["total"] == 3
    assert [r["kind"] for r in listing["items"]] == ["other", "wrong_hours", "closed"]
    only_first = client.get(f"/api/v1/reports?resource_id={first}", headers=staff).json()
    assert {r["resource_id"] for r in only_first["items"]} == {first}

    report_id = listing["items"][0]["id"]
    resolved = client.patch(f"/api/v1/reports/{report_id}", json={"resolved": True}, headers=staff)
    assert resolved.status_code == 200 and resolved.json()["resolved_at"] is not None
    open_ones = client.get("/api/v1/reports?resolved=false", headers=staff).json()
    assert report_id not in [r["id"] for r in open_ones["items"]] and open_ones["total"] == 2
    done = client.get("/api/v1/reports?resolved=true", headers=staff).json()
    assert [r["id"] for r in done["items"]] == [report_id]

    reopened = client.patch(f"/api/v1/reports/{report_id}", json={"resolved": False}, headers=staff)
    assert reopened.json()["resolved_at"] is None
    assert (
        client.patch("/api/v1/reports/999", json={"resolved": True}, headers=staff).status_code
        == 404
    )
    page = client.get("/api/v1/reports?per_page=2&page=2", headers=staff).json()
    assert page["pages"] == 2 and len(page["items"]) == 1


def test_marking_reports_needs_the_reports_scope(
    client: TestClient[Litestar], engine: Engine
) -> None:
    resource_id = add_resource(engine)
    client.post(f"/api/v1/resources/{resource_id}/reports", json={"kind": "closed"})
    for headers, status in (
        ({}, 401),
        (bearer(issue_key(engine, "events:write")), 403),
    ):
        response = client.patch("/api/v1/reports/1", json={"resolved": True}, headers=headers)
        assert response.status_code == status
    with Session(engine) as session:
        assert session.exec(select(ProblemReport)).one().resolved_at is None
