"""``GET /api/v1/resources`` and ``/api/v1/resources/{id}`` over HTTP, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.geo.distance import great_circle_km
from api.settings import Settings
from tests.api.search_data import NOW, Directory
from tests.conftest import settings_with

DALLAS = (32.7767, -96.797)


@pytest.fixture
def listed(engine: Engine) -> list[int]:
    """Seven resources due south of downtown, 1 km apart; two share a place."""
    ids = []
    with Directory(engine) as directory:
        directory.area("zip", "75217", center=(32.71, -96.68))
        charities = directory.organization(
            "Catholic Charities", website="https://example.org", doj_recognized=True
        )
        places = [directory.location(DALLAS[0] - n / 111.2, DALLAS[1]) for n in range(6)]
        for n, place in enumerate([*places, places[2]]):
            resource = directory.resource(
                f"Place {n}",
                location=place,
                organization=charities,
                languages=["es"] if n % 2 == 0 else ["vi"],
                verified_at=NOW - timedelta(days=3),
            )
            ids.append(resource.id or 0)
        directory.commit()
    return ids


def problem(response: Any, status: int = 400) -> dict[str, str]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return {param["name"]: param["reason"] for param in response.json()["invalid_params"]}


def test_a_resource_in_json(client: TestClient[Litestar], listed: list[int]) -> None:
    response = client.get("/api/v1/resources", params={"near": "32.7767,-96.797"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "total", "page", "per_page", "pages"}
    first = body["items"][0]
    for key in [
        "id",
        "external_id",
        "name",
        "category",
        "description",
        "organization",
        "location",
        "distance_km",
        "languages",
        "phone",
        "website",
        "hours",
        "open_now",
        "fees",
        "verified_at",
        "source_url",
        "status",
        "next_event",
        "updated_at",
    ]:
        assert key in first
    assert first["organization"] == {
        "id": 1,
        "name": "Catholic Charities",
        "website": "https://example.org",
        "kind": "nonprofit",
        "doj_recognized": True,
    }
    assert {
        "name",
        "address",
        "city",
        "state",
        "postal_code",
        "latitude",
        "longitude",
        "precision",
        "areas",
    } <= set(first["location"])
    assert first["languages"] == [{"code": "es", "name": "Spanish", "support": "staff"}]
    assert first["distance_km"] == 0.0


def test_ranked_by_distance_with_ties_by_id(
    client: TestClient[Litestar], listed: list[int]
) -> None:
    response = client.get("/api/v1/resources", params={"near": "32.7767,-96.797"})
    items = response.json()["items"]
    assert [item["id"] for item in items] == [
        listed[0],
        listed[1],
        listed[2],
        listed[6],
        listed[3],
        listed[4],
        listed[5],
    ]
    expected = [
        round(great_circle_km(*DALLAS, i["location"]["latitude"], i["location"]["longitude"]), 2)
        for i in items
    ]
    assert [item["distance_km"] for item in items] == expected


def test_repeated_parameters_mean_any_and_filters_combine(
    client: TestClient[Litestar], listed: list[int]
) -> None:
    spanish = client.get("/api/v1/resources", params={"language": "Spanish"}).json()
    either = client.get("/api/v1/resources", params={"language": ["español", "vi"]}).json()
    near_and_spanish = client.get(
        "/api/v1/resources", params={"language": "es", "near": "32.7767,-96.797", "radius_km": 2.5}
    ).json()
    assert spanish["total"] == 4
    assert either["total"] == 7
    assert [item["name"] for item in near_and_spanish["items"]] == [
        "Place 0",
        "Place 2",
        "Place 6",
    ]


def test_link_header_pages_through_keeping_the_filters(
    client: TestClient[Litestar], listed: list[int]
) -> None:
    response = client.get(
        "/api/v1/resources", params={"language": "es", "per_page": 1, "page": 2, "q": "place"}
    )
    body = response.json()
    assert (body["total"], body["page"], body["per_page"], body["pages"]) == (4, 2, 1, 4)
    links = {
        part.split(";")[1].strip(): part.split(";")[0].strip()[1:-1]
        for part in response.headers["link"].split(",")
    }
    base = "/api/v1/resources?language=es&per_page=1&q=place&page="
    assert links == {
        'rel="first"': base + "1",
        'rel="prev"': base + "1",
        'rel="next"': base + "3",
        'rel="last"': base + "4",
    }
    last = client.get(links['rel="last"']).json()
    assert last["page"] == 4 and len(last["items"]) == 1


def test_a_page_beyond_the_last(client: TestClient[Litestar], listed: list[int]) -> None:
    response = client.get("/api/v1/resources", params={"page": 9, "per_page": 5})
    assert response.status_code == 200
    assert response.json()["items"] == []
    assert response.json()["total"] == 7
    assert 'page=2>; rel="prev"' in response.headers["link"]
    assert 'rel="next"' not in response.headers["link"]


BAD_PARAMETERS = [
    ({"language": "elvish"}, "language", "unknown language 'elvish'"),
    ({"area": "ward:3"}, "area", "unknown area kind 'ward'"),
    ({"area": "zip:99999"}, "area", "no zip area with code '99999'"),
    ({"area": "75217"}, "area", "expected kind:code"),
    ({"near": "32.7"}, "near", "expected latitude,longitude"),
    ({"near": "north,south"}, "near", "expected latitude,longitude"),
    ({"near": "91,0"}, "near", "latitude 91 is outside"),
    ({"near": "0,181"}, "near", "longitude 181 is outside"),
    ({"near": "32.7,-96.8", "radius_km": "0"}, "radius_km", "greater than 0"),
    ({"near": "32.7,-96.8", "radius_km": "200.5"}, "radius_km", "at most 200"),
    ({"near": "32.7,-96.8", "radius_km": "far"}, "radius_km", "expected a distance"),
    ({"radius_km": "5"}, "radius_km", "needs a point"),
    ({"per_page": "0"}, "per_page", "from 1 to 100"),
    ({"per_page": "101"}, "per_page", "from 1 to 100"),
    ({"page": "0"}, "page", "whole number"),
    ({"sort": "rating"}, "sort", "distance, name, verified"),
    ({"sort": "distance"}, "sort", "needs near or address"),
    ({"category": "bakery"}, "category", "unknown value 'bakery'"),
    ({"status": "open"}, "status", "unknown value 'open'"),
    ({"open_now": "maybe"}, "open_now", "true or false"),
    ({"verified_within_days": "-1"}, "verified_within_days", "whole number"),
    ({"q": "!!!"}, "q", "at least one word"),
    ({"near": "32.7,-96.8", "address": "Dallas 75201"}, "address", "not both"),
]


def test_each_bad_parameter_is_named(client: TestClient[Litestar], listed: list[int]) -> None:
    for params, name, reason in BAD_PARAMETERS:
        named = problem(client.get("/api/v1/resources", params=params))
        assert reason in named[name], (params, named)


def test_every_bad_parameter_is_named_at_once(
    client: TestClient[Litestar], listed: list[int]
) -> None:
    named = problem(
        client.get(
            "/api/v1/resources",
            params={"language": "xx", "per_page": "0", "near": "1", "sort": "up"},
        )
    )
    assert set(named) == {"language", "per_page", "near", "sort"}


def test_an_address_is_geocoded(client: TestClient[Litestar], listed: list[int]) -> None:
    response = client.get("/api/v1/resources", params={"address": "Dallas, TX 75201"})
    assert response.status_code == 200
    items = response.json()["items"]
    assert all(item["distance_km"] is not None for item in items)
    assert [item["distance_km"] for item in items] == sorted(i["distance_km"] for i in items)


def test_an_address_with_no_match_is_422(client: TestClient[Litestar], listed: list[int]) -> None:
    named = problem(
        client.get("/api/v1/resources", params={"address": "nowhere in particular"}), 422
    )
    assert "found no place" in named["address"]


@pytest.fixture
def unreachable_geocoder(settings: Settings) -> Iterator[TestClient[Litestar]]:
    settings = settings_with(
        settings,
        geocoder="photon",
        geocoder_domain="127.0.0.1:9",
        geocoder_scheme="http",
        geocoder_min_delay_s=0.0,
        geocoder_timeout_s=2.0,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_geocoder_that_cannot_answer_is_503(
    unreachable_geocoder: TestClient[Litestar],
) -> None:
    response = unreachable_geocoder.get(
        "/api/v1/resources", params={"address": "1500 Marilla St, Dallas"}
    )
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "could not be looked up" in response.json()["detail"]


def test_one_resource(client: TestClient[Litestar], listed: list[int]) -> None:
    response = client.get(f"/api/v1/resources/{listed[3]}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == listed[3]
    assert body["name"] == "Place 3"
    assert body["events"] == []
    assert body["distance_km"] is None


def test_an_unknown_resource_is_404(client: TestClient[Litestar], listed: list[int]) -> None:
    named = problem(client.get("/api/v1/resources/424242"), 404)
    assert "resource_id" in named


def test_openapi_documents_every_parameter(client: TestClient[Litestar]) -> None:
    schema = client.get("/schema/openapi.json").json()
    parameters = schema["paths"]["/api/v1/resources"]["get"]["parameters"]
    documented = {p["name"]: p for p in parameters}
    for name in [
        "category",
        "language",
        "language_support",
        "area",
        "near",
        "address",
        "radius_km",
        "q",
        "open_now",
        "verified_within_days",
        "status",
        "sort",
        "page",
        "per_page",
    ]:
        assert documented[name]["description"]
        assert documented[name].get("examples") or documented[name].get("example")
