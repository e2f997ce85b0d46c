from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine

from api.db.models import Category, ResourceStatus, Support
from tests.api.formats.rows import Directory


def seed(engine: Engine) -> None:
    rows = Directory(engine)
    district = rows.area("council_district", "2")
    inside = rows.location(32.75, -96.85, areas=(district,))
    outside = rows.location(33.5, -97.5)
    rows.resource(
        "Legal 1",
        location_id=inside,
        languages={"es": Support.STAFF, "vi": Support.INTERPRETER},
    )
    rows.resource("Legal 2", location_id=outside, languages={"es": Support.STAFF})
    rows.resource(
        "Venue",
        location_id=inside,
        category=Category.MEETING_VENUE,
        languages={"es": Support.MATERIALS, "en": Support.STAFF},
    )
    rows.resource(
        "Closed",
        location_id=inside,
        languages={"ar": Support.STAFF},
        status=ResourceStatus.INACTIVE,
    )


def facet(client: TestClient[Litestar], path: str, **params: str) -> dict[str, tuple[str, int]]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return {item["value"]: (item["name"], item["count"]) for item in body["items"]}


def test_languages_count_active_resources(client: TestClient[Litestar], engine: Engine) -> None:
    seed(engine)
    assert facet(client, "/api/v1/languages") == {
        "es": ("Spanish", 3),
        "vi": ("Vietnamese", 1),
        "en": ("English", 1),
    }


def test_languages_honour_the_other_filters(client: TestClient[Litestar], engine: Engine) -> None:
    seed(engine)
    assert facet(client, "/api/v1/languages", category="legal_aid") == {
        "es": ("Spanish", 2),
        "vi": ("Vietnamese", 1),
    }
    assert facet(client, "/api/v1/languages", area="council_district:2") == {
        "es": ("Spanish", 2),
        "vi": ("Vietnamese", 1),
        "en": ("English", 1),
    }
    assert facet(client, "/api/v1/languages", language_support="staff") == {
        "es": ("Spanish", 2),
        "en": ("English", 1),
    }


def test_language_names_in_another_ui_language(
    client: TestClient[Litestar], engine: Engine
) -> None:
    seed(engine)
    names = facet(client, "/api/v1/languages", lang="es")
    assert names["es"] == ("español", 3)
    assert names["vi"] == ("vietnamita", 1)


def test_categories_honour_the_other_filters(client: TestClient[Litestar], engine: Engine) -> None:
    seed(engine)
    assert facet(client, "/api/v1/categories") == {
        "legal_aid": ("legal_aid", 2),
        "meeting_venue": ("meeting_venue", 1),
    }
    assert facet(client, "/api/v1/categories", language="vi") == {"legal_aid": ("legal_aid", 1)}
    assert facet(client, "/api/v1/categories", category="meeting_venue") == {
        "legal_aid": ("legal_aid", 2),
        "meeting_venue": ("meeting_venue", 1),
    }


def test_facet_errors_name_the_parameter(client: TestClient[Litestar], engine: Engine) -> None:
    seed(engine)
    for path, params, names in [
        ("/api/v1/languages", {"category": "bakery"}, {"category"}),
        ("/api/v1/languages", {"lang": "zz-not-a-locale"}, {"lang"}),
        ("/api/v1/categories", {"language": "xx"}, {"language"}),
    ]:
        response = client.get(path, params=params)
        assert response.status_code == 400, (path, params)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert {p["name"] for p in response.json()["invalid_params"]} == names


def test_facets_carry_an_etag(client: TestClient[Litestar], engine: Engine) -> None:
    seed(engine)
    first = client.get("/api/v1/languages")
    assert first.headers["cache-control"].startswith("public")
    again = client.get("/api/v1/languages", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
