from __future__ import annotations

import re
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from api.db.models import (
    AuditEntry,
    Event,
    EventLanguage,
    Location,
    LocationArea,
    Organization,
    Resource,
    ResourceLanguage,
)
from api.geo.areas import upsert_area
from api.http.caching import etag_for
from tests.api.staff_keys import bearer, issue_key

PLACE = {
    "name": "Community hall",
    "address": "1 Elm St",
    "city": "Dallas",
    "state": "TX",
    "postal_code": "75201",
    "latitude": 32.7904,
    "longitude": -96.8044,
}


def square(latitude: float, longitude: float, half: float = 0.01) -> dict[str, Any]:
    ring = [
        [longitude - half, latitude - half],
        [longitude + half, latitude - half],
        [longitude + half, latitude + half],
        [longitude - half, latitude + half],
        [longitude - half, latitude - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def staff(engine: Engine, *scopes: str, name: str) -> dict[str, str]:
    return bearer(issue_key(engine, *scopes, name=name))


def audit(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).order_by(AuditEntry.id)))  # type: ignore[arg-type]


def count(engine: Engine, model: type[Any]) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def make_resource(client: TestClient[Litestar], headers: dict[str, str]) -> int:
    organization = client.post(
        "/api/v1/organizations",
        json={"name": "Ayuda Legal", "kind": "legal_services"},
        headers=headers,
    ).json()
    location = client.post("/api/v1/locations", json=PLACE, headers=headers).json()
    created = client.post(
        "/api/v1/resources",
        json={
            "name": "Immigration clinic",
            "category": "legal_aid",
            "location_id": location["id"],
            "organization_id": organization["id"],
            "languages": [{"code": "es"}, {"code": "Vietnamese", "support": "interpreter"}],
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def test_staff_create_each_kind_of_record_and_the_audit_names_them(
    client: TestClient[Litestar], engine: Engine
) -> None:
    headers = staff(engine, "resources:write", "events:write", name="ana")
    organization = client.post(
        "/api/v1/organizations",
        json={"name": "Ayuda Legal", "kind": "legal_services"},
        headers=headers,
    )
    assert organization.status_code == 201, organization.text
    assert organization.headers["location"] == f"/api/v1/organizations/{organization.json()['id']}"
    assert organization.headers["etag"] == etag_for(organization.content)

    location = client.post("/api/v1/locations", json=PLACE, headers=headers)
    assert location.status_code == 201 and location.json()["address"] == "1 Elm St"

    resource = client.post(
        "/api/v1/resources",
        json={
            "name": "Immigration clinic",
            "category": "legal_aid",
            "location_id": location.json()["id"],
            "organization_id": organization.json()["id"],
            "languages": [{"code": "es"}, {"code": "Vietnamese", "support": "interpreter"}],
        },
        headers=headers,
    )
    assert resource.status_code == 201, resource.text
    public = client.get(f"/api/v1/resources/{resource.json()['id']}")
    assert public.status_code == 200
    assert public.json()["name"] == "Immigration clinic"
    assert {(lang["code"], lang["support"]) for lang in public.json()["languages"]} == {
        ("es", "staff"),
        ("vi", "interpreter"),
    }
    # The read went out compressed, under its coding's own tag (``"<hash>-br"``).
    assert resource.headers["etag"] == re.sub(r'-[a-z]+"$', '"', public.headers["etag"])
    found = client.get("/api/v1/resources", params={"q": "immigration clinic"}).json()
    assert [item["id"] for item in found["items"]] == [resource.json()["id"]]

    event = client.post(
        "/api/v1/events",
        json={
            "title": "Know your rights",
            "location_id": location.json()["id"],
            "starts_at": "2030-03-01T18:00:00-06:00",
            "ends_at": "2030-03-01T19:30:00-06:00",
            "languages": ["es", "English"],
        },
        headers=headers,
    )
    assert event.status_code == 201, event.text
    assert event.json()["languages"] == ["en", "es"]

    entries = audit(engine)
    assert [(e.actor, e.action, e.entity) for e in entries] == [
        ("ana", "create", "organization"),
        ("ana", "create", "location"),
        ("ana", "create", "resource"),
        ("ana", "create", "event"),
    ]
    assert entries[2].before is None
    assert entries[2].after is not None and entries[2].after["name"] == "Immigration clinic"
    assert entries[2].after["languages"] == [
        {"code": "es", "support": "staff"},
        {"code": "vi", "support": "interpreter"},
    ]


def test_bad_fields_are_named_and_nothing_is_written(
    client: TestClient[Litestar], engine: Engine
) -> None:
    headers = staff(engine, "admin", name="ana")
    response = client.post(
        "/api/v1/resources",
        json={
            "name": "",
            "category": "bakery",
            "location_id": 0,
            "phone": "5" * 41,
            "languages": [{"code": "nonsense"}],
        },
        headers=headers,
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    names = {p["name"] for p in response.json()["invalid_params"]}
    assert {"name", "category", "location_id", "phone"} <= names
    assert any(n.startswith("languages") for n in names)

    location = client.post(
        "/api/v1/locations", json={**PLACE, "latitude": 123, "longitude": "east"}, headers=headers
    )
    assert location.status_code == 400
    assert {p["name"] for p in location.json()["invalid_params"]} >= {"latitude", "longitude"}

    missing_parent = client.post(
        "/api/v1/resources",
        json={"name": "X", "category": "legal_aid", "location_id": 99, "organization_id": 98},
        headers=headers,
    )
    assert missing_parent.status_code == 422
    assert {p["name"] for p in missing_parent.json()["invalid_params"]} == {
        "location_id",
        "organization_id",
    }
    assert count(engine, Resource) == 0 and count(engine, Location) == 0
    assert audit(engine) == []


def test_two_staff_edit_the_same_record_and_the_second_gets_412(
    client: TestClient[Litestar], engine: Engine
) -> None:
    ana = staff(engine, "resources:write", name="ana")
    ben = staff(engine, "resources:write", name="ben")
    resource_id = make_resource(client, ana)
    read_by_ana = client.get(f"/api/v1/resources/{resource_id}").headers["etag"]
    read_by_ben = client.get(f"/api/v1/resources/{resource_id}").headers["etag"]

    first = client.patch(
        f"/api/v1/resources/{resource_id}",
        json={"phone": "214-555-0100"},
        headers={**ana, "If-Match": read_by_ana},
    )
    assert first.status_code == 200, first.text
    second = client.patch(
        f"/api/v1/resources/{resource_id}",
        json={"phone": "214-555-0199", "name": "Renamed"},
        headers={**ben, "If-Match": read_by_ben},
    )
    assert second.status_code == 412
    assert second.headers["content-type"].startswith("application/problem+json")
    assert second.headers["etag"] == first.headers["etag"]

    now = client.get(f"/api/v1/resources/{resource_id}").json()
    assert now["phone"] == "214-555-0100" and now["name"] == "Immigration clinic"
    stale_delete = client.delete(
        f"/api/v1/resources/{resource_id}", headers={**ben, "If-Match": read_by_ben}
    )
    assert stale_delete.status_code == 412
    assert client.get(f"/api/v1/resources/{resource_id}").status_code == 200

    fresh = client.get(f"/api/v1/resources/{resource_id}").headers["etag"]
    retry = client.patch(
        f"/api/v1/resources/{resource_id}",
        json={"name": "Renamed"},
        headers={**ben, "If-Match": fresh},
    )
    assert retry.status_code == 200
    updates = [e for e in audit(engine) if e.action == "update"]
    assert [(e.actor, e.entity_id) for e in updates] == [("ana", resource_id), ("ben", resource_id)]
    assert updates[0].before is not None and updates[0].before["phone"] is None
    assert updates[0].after is not None and updates[0].after["phone"] == "214-555-0100"


def test_retiring_removes_a_record_from_public_results_but_not_from_the_audit(
    client: TestClient[Litestar], engine: Engine
) -> None:
    headers = staff(engine, "admin", name="ana")
    resource_id = make_resource(client, headers)
    assert client.get("/api/v1/resources").json()["total"] == 1
    etag = client.get(f"/api/v1/resources/{resource_id}").headers["etag"]
    gone = client.delete(f"/api/v1/resources/{resource_id}", headers={**headers, "If-Match": etag})
    assert gone.status_code == 204
    assert client.get(f"/api/v1/resources/{resource_id}").status_code == 404
    assert client.get("/api/v1/resources").json()["total"] == 0
    assert client.get("/api/v1/resources", params={"q": "clinic"}).json()["total"] == 0
    assert client.delete(f"/api/v1/resources/{resource_id}", headers=headers).status_code == 404
    with Session(engine) as session:
        row = session.get(Resource, resource_id)
        assert row is not None and row.retired_at is not None
    history = client.get(
        "/api/v1/audit", params={"entity": "resource", "entity_id": resource_id}, headers=headers
    ).json()
    assert [e["action"] for e in history["items"]] == ["delete", "create"]
    assert history["items"][0]["before"]["retired_at"] is None
    assert history["items"][0]["after"]["retired_at"] is not None


def test_a_moved_location_is_geocoded_again_and_retagged(
    client: TestClient[Litestar], engine: Engine
) -> None:
    with Session(engine) as session:
        upsert_area(
            session,
            kind="council_district",
            code="1",
            name="One",
            geometry=square(32.7904, -96.8044),
        )
        upsert_area(
            session,
            kind="council_district",
            code="7",
            name="Seven",
            geometry=square(32.7244, -96.6755),
        )
        session.commit()
    headers = staff(engine, "resources:write", name="ana")
    created = client.post("/api/v1/locations", json=PLACE, headers=headers)
    location_id = created.json()["id"]

    def tags() -> set[str]:
        with Session(engine) as session:
            from api.db.models import Area

            rows = session.exec(
                select(Area.code)
                .join(LocationArea, LocationArea.area_id == Area.id)  # type: ignore[arg-type]
                .where(LocationArea.location_id == location_id)
            ).all()
        return set(rows)

    assert "1" in tags()
    moved = client.patch(
        f"/api/v1/locations/{location_id}",
        json={"address": "9 Lake June Rd", "postal_code": "75217"},
        headers={**headers, "If-Match": created.headers["etag"]},
    )
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert (body["latitude"], body["longitude"]) == (32.7244, -96.6755)
    assert body["geocode_precision"] == "postal_code"
    assert "7" in tags() and "1" not in tags()

    placed = client.patch(
        f"/api/v1/locations/{location_id}",
        json={"latitude": 32.7904, "longitude": -96.8044},
        headers=headers,
    )
    assert placed.json()["geocode_precision"] == "provided"
    assert "1" in tags() and "7" not in tags()

    nowhere = client.patch(
        f"/api/v1/locations/{location_id}",
        json={"address": "Somewhere", "postal_code": "00000"},
        headers=headers,
    )
    assert nowhere.status_code == 422
    assert nowhere.json()["invalid_params"][0]["name"] == "address"
    with Session(engine) as session:
        location = session.get(Location, location_id)
        assert location is not None and location.postal_code == "75217"


def test_partial_updates_keep_the_rest_and_refuse_nulls_and_inverted_times(
    client: TestClient[Litestar], engine: Engine
) -> None:
    headers = staff(engine, "admin", name="ana")
    resource_id = make_resource(client, headers)
    refused = client.patch(f"/api/v1/resources/{resource_id}", json={"name": None}, headers=headers)
    assert refused.status_code == 422 and refused.json()["invalid_params"][0]["name"] == "name"
    languages = client.patch(
        f"/api/v1/resources/{resource_id}", json={"languages": [{"code": "ar"}]}, headers=headers
    )
    assert [lang["code"] for lang in languages.json()["languages"]] == ["ar"]
    assert languages.json()["name"] == "Immigration clinic"
    with Session(engine) as session:
        assert [r.code for r in session.exec(select(ResourceLanguage))] == ["ar"]

    location_id = client.get(f"/api/v1/resources/{resource_id}").json()["location"]["id"]
    event = client.post(
        "/api/v1/events",
        json={
            "title": "Meeting",
            "location_id": location_id,
            "starts_at": "2030-03-01T18:00:00-06:00",
            "ends_at": "2030-03-01T19:00:00-06:00",
            "languages": ["es"],
        },
        headers=headers,
    ).json()
    inverted = client.patch(
        f"/api/v1/events/{event['id']}",
        json={"ends_at": "2030-03-01T17:00:00-06:00"},
        headers=headers,
    )
    assert inverted.status_code == 422
    assert inverted.json()["invalid_params"][0]["name"] == "ends_at"
    cancelled = client.patch(
        f"/api/v1/events/{event['id']}", json={"status": "cancelled"}, headers=headers
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["languages"] == ["es"]
    with Session(engine) as session:
        assert [e.code for e in session.exec(select(EventLanguage))] == ["es"]
        stored = session.get(Event, event["id"])
        assert stored is not None and stored.ends_at is not None


def test_external_ids_stay_unique(client: TestClient[Litestar], engine: Engine) -> None:
    headers = staff(engine, "admin", name="ana")
    first = client.post(
        "/api/v1/organizations", json={"name": "A", "external_id": "org-1"}, headers=headers
    )
    assert first.status_code == 201
    second = client.post(
        "/api/v1/organizations", json={"name": "B", "external_id": "org-1"}, headers=headers
    )
    assert second.status_code == 409
    assert second.json()["invalid_params"][0]["name"] == "external_id"
    assert count(engine, Organization) == 1


def test_renaming_an_organization_updates_search(
    client: TestClient[Litestar], engine: Engine
) -> None:
    headers = staff(engine, "admin", name="ana")
    resource_id = make_resource(client, headers)
    organization_id = client.get(f"/api/v1/resources/{resource_id}").json()["organization"]["id"]
    read = client.get(f"/api/v1/organizations/{organization_id}", headers=headers)
    assert read.status_code == 200 and read.headers["etag"] == etag_for(read.content)
    renamed = client.patch(
        f"/api/v1/organizations/{organization_id}",
        json={"name": "Caridades Unidas"},
        headers={**headers, "If-Match": read.headers["etag"]},
    )
    assert renamed.status_code == 200
    hits = client.get("/api/v1/resources", params={"q": "caridades"}).json()
    assert [item["id"] for item in hits["items"]] == [resource_id]


def test_the_audit_filters_and_pages(client: TestClient[Litestar], engine: Engine) -> None:
    ana = staff(engine, "admin", name="ana")
    ben = staff(engine, "resources:write", name="ben")
    for index in range(3):
        client.post("/api/v1/organizations", json={"name": f"Org {index}"}, headers=ana)
    client.post("/api/v1/locations", json=PLACE, headers=ben)
    everything = client.get("/api/v1/audit", headers=ana).json()
    assert everything["total"] == 4
    assert everything["items"][0]["entity"] == "location"  # newest first
    by_ben = client.get("/api/v1/audit", params={"actor": "ben"}, headers=ana).json()
    assert [e["entity"] for e in by_ben["items"]] == ["location"]
    organizations = client.get(
        "/api/v1/audit", params={"entity": "organization", "per_page": 2, "page": 2}, headers=ana
    ).json()
    assert organizations["total"] == 3 and organizations["pages"] == 2
    assert [e["after"]["name"] for e in organizations["items"]] == ["Org 0"]
    since = everything["items"][0]["at"]
    recent = client.get("/api/v1/audit", params={"since": since}, headers=ana).json()
    assert [e["entity"] for e in recent["items"]] == ["location"]
    for params, name in (({"action": "explode"}, "action"), ({"per_page": 0}, "per_page")):
        bad = client.get("/api/v1/audit", params=params, headers=ana)
        assert bad.status_code == 400
        assert [p["name"] for p in bad.json()["invalid_params"]] == [name]
    assert client.get("/api/v1/audit", headers=ben).status_code == 403


def test_control_characters_are_refused_before_the_database_sees_them(
    client: TestClient[Litestar], engine: Engine
) -> None:
    headers = staff(engine, "admin", name="ana")
    response = client.post(
        "/api/v1/organizations", json={"name": "Bad\x00name", "phone": "ok"}, headers=headers
    )
    assert response.status_code == 422
    assert [p["name"] for p in response.json()["invalid_params"]] == ["name"]
    assert count(engine, Organization) == 0
