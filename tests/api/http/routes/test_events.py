from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine

from api.db.models import Category, EventStatus, Support
from tests.api.formats.rows import Directory


def seed(engine: Engine) -> dict[str, int]:
    rows = Directory(engine)
    zip_a = rows.area("zip", "75201", south=32.7, west=-96.9)
    zip_b = rows.area("zip", "75217", south=32.9, west=-96.7)
    hall = rows.location(32.75, -96.85, name="Hall", areas=(zip_a,))
    clinic = rows.location(32.95, -96.65, name="Clinic", areas=(zip_b,))
    rows.resource("Hall venue", location_id=hall, category=Category.MEETING_VENUE)
    rows.resource(
        "Clinic", location_id=clinic, languages={"vi": Support.STAFF}, category=Category.LEGAL_AID
    )
    return {
        "past": rows.event("Last month", location_id=hall, starts_in=timedelta(days=-30)),
        "soon": rows.event("Tomorrow", location_id=hall, starts_in=timedelta(days=1)),
        "later": rows.event(
            "Next month", location_id=clinic, starts_in=timedelta(days=30), languages=("es",)
        ),
        "cancelled": rows.event(
            "Called off",
            location_id=hall,
            starts_in=timedelta(days=2),
            status=EventStatus.CANCELLED,
        ),
        "ongoing": rows.event(
            "Under way",
            location_id=clinic,
            starts_in=timedelta(minutes=-30),
            length=timedelta(hours=2),
        ),
    }


def titles(client: TestClient[Litestar], **params: str | list[str]) -> list[str]:
    response = client.get("/api/v1/events", params=params)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


def test_events_are_upcoming_by_default_soonest_first(
    client: TestClient[Litestar], engine: Engine
) -> None:
    seed(engine)
    response = client.get("/api/v1/events")
    body = response.json()
    assert [item["title"] for item in body["items"]] == [
        "Under way",
        "Tomorrow",
        "Called off",
        "Next month",
    ]
    assert body["total"] == 4
    assert body["items"][2]["status"] == "cancelled"
    assert response.headers["etag"]
    assert 'rel="first"' in response.headers["link"]


def test_from_and_to_choose_the_window(client: TestClient[Litestar], engine: Engine) -> None:
    seed(engine)
    now = datetime.now(UTC)
    since = (now - timedelta(days=40)).isoformat()
    until = (now + timedelta(days=3)).isoformat()
    assert titles(client, **{"from": since, "to": until}) == [
        "Last month",
        "Under way",
        "Tomorrow",
        "Called off",
    ]
    assert titles(client, **{"from": (now + timedelta(days=10)).date().isoformat()}) == [
        "Next month"
    ]


def test_venue_filters_apply(client: TestClient[Litestar], engine: Engine) -> None:
    seed(engine)
    assert titles(client, area="zip:75217") == ["Under way", "Next month"]
    assert titles(client, category="meeting_venue") == ["Tomorrow", "Called off"]
    assert titles(client, language="es") == ["Next month"]
    assert titles(client, language="Vietnamese") == ["Under way", "Next month"]
    assert titles(client, near="32.75,-96.85", radius_km="5") == ["Tomorrow", "Called off"]
    assert titles(client, address="Dallas, TX 75201", radius_km="10") == ["Tomorrow", "Called off"]
    assert titles(client, status="scheduled") == ["Under way", "Tomorrow", "Next month"]


def test_events_paginate(client: TestClient[Litestar], engine: Engine) -> None:
    seed(engine)
    body = client.get("/api/v1/events", params={"per_page": "3", "page": "2"}).json()
    assert [item["title"] for item in body["items"]] == ["Next month"]
    assert (body["total"], body["pages"], body["page"]) == (4, 2, 2)


def test_bad_dates_and_filters_are_problem_json(
    client: TestClient[Litestar], engine: Engine
) -> None:
    seed(engine)
    cases = [
        ({"from": "yesterday"}, {"from"}),
        ({"to": "2026-13-01"}, {"to"}),
        ({"from": "2026-03-02", "to": "2026-03-01T00:00:00-06:00"}, {"to"}),
        ({"area": "county:1", "per_page": "0"}, {"area", "per_page"}),
        ({"near": "32.7", "radius_km": "500"}, {"near", "radius_km"}),
    ]
    for params, names in cases:
        response = client.get("/api/v1/events", params=params)
        assert response.status_code == 400, params
        assert response.headers["content-type"].startswith("application/problem+json")
        assert {p["name"] for p in response.json()["invalid_params"]} == names, params


def test_events_answer_304_to_their_etag(client: TestClient[Litestar], engine: Engine) -> None:
    seed(engine)
    plain = {"Accept-Encoding": "identity"}
    tag = client.get("/api/v1/events", headers=plain).headers["etag"]
    again = client.get("/api/v1/events", headers={**plain, "If-None-Match": tag})
    assert again.status_code == 304


def test_gzipped_events_answer_304_to_their_etag(
    client: TestClient[Litestar], engine: Engine
) -> None:
    seed(engine)
    gzip = {"Accept-Encoding": "gzip"}
    first = client.get("/api/v1/events", headers=gzip)
    assert first.headers["content-encoding"] == "gzip"
    second = client.get("/api/v1/events", headers=gzip)
    assert second.headers["etag"] == first.headers["etag"]
    again = client.get("/api/v1/events", headers={**gzip, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("name", "value"),
    [("from", "9999-12-31T23:59:59"), ("to", "9999-12-31"), ("from", "0001-01-01")],
)
def test_dates_near_the_calendars_ends_are_refused_by_name(
    client: TestClient[Litestar], name: str, value: str
) -> None:
    response = client.get("/api/v1/events", params={name: value})
    assert response.status_code == 400, response.text
    assert [p["name"] for p in response.json()["invalid_params"]] == [name]
