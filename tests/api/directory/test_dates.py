"""A number where a date and time is expected is refused, like every field that cannot be
read, with a 400 problem naming the field; it is not taken as seconds since 1970."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine

from tests.api.staff_keys import bearer, issue_key

PLACE = {
    "address": "1 Elm St",
    "city": "Dallas",
    "state": "TX",
    "latitude": 32.79,
    "longitude": -96.8,
}
NUMBERS: list[Any] = [0, 1700000000, 1.5, "0", " 1700000000 ", "-1e3"]


def named(response: Any, field: str) -> bool:
    body = response.json()
    return field in response.text and any(
        field in str(param.get("name", "")) for param in body.get("invalid_params") or [body]
    )


@pytest.fixture
def staff(engine: Engine) -> dict[str, str]:
    return bearer(issue_key(engine, "resources:write", "events:write"))


@pytest.fixture
def location_id(client: TestClient[Litestar], staff: dict[str, str]) -> int:
    created = client.post("/api/v1/locations", json=PLACE, headers=staff)
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def resource(location_id: int, **fields: Any) -> dict[str, Any]:
    return {"name": "Clinic", "category": "legal_aid", "location_id": location_id, **fields}


@pytest.mark.parametrize("number", NUMBERS)
def test_verified_at_as_a_number_is_refused(
    client: TestClient[Litestar], staff: dict[str, str], location_id: int, number: Any
) -> None:
    response = client.post(
        "/api/v1/resources", json=resource(location_id, verified_at=number), headers=staff
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert named(response, "verified_at") and "not a number" in response.text

    created = client.post("/api/v1/resources", json=resource(location_id), headers=staff)
    assert created.status_code == 201
    url = f"/api/v1/resources/{created.json()['id']}"
    changed = client.patch(
        url, json={"verified_at": number}, headers={**staff, "If-Match": created.headers["etag"]}
    )
    assert changed.status_code == 400, changed.text
    assert named(changed, "verified_at")
    assert client.get(url).json()["verified_at"] is None


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
def test_event_times_as_numbers_are_refused(
    client: TestClient[Litestar], staff: dict[str, str], location_id: int, field: str
) -> None:
    event = {
        "title": "Know your rights",
        "location_id": location_id,
        "starts_at": "2030-03-01T18:00:00-06:00",
        "ends_at": "2030-03-01T19:30:00-06:00",
    }
    response = client.post("/api/v1/events", json={**event, field: 0}, headers=staff)
    assert response.status_code == 400, response.text
    assert named(response, field)
    assert (
        client.get("/api/v1/events", params={"from": "1970-01-01T00:00:00Z"}).json()["total"] == 0
    )

    created = client.post("/api/v1/events", json=event, headers=staff)
    assert created.status_code == 201, created.text
    changed = client.patch(
        f"/api/v1/events/{created.json()['id']}",
        json={field: 0},
        headers={**staff, "If-Match": created.headers["etag"]},
    )
    assert changed.status_code == 400, changed.text
    assert named(changed, field)


def test_iso_times_are_still_taken(
    client: TestClient[Litestar], staff: dict[str, str], location_id: int
) -> None:
    response = client.post(
        "/api/v1/resources",
        json=resource(location_id, verified_at="2025-01-10T09:00:00-06:00"),
        headers=staff,
    )
    assert response.status_code == 201, response.text
    assert response.json()["verified_at"].startswith("2025-01-10T15:00:00")
