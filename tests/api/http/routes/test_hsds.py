"""The HSDS 3.1 API: every record of every endpoint valid against the official strict
schemas on the Dallas data, the spec's Page envelope, NDJSON streaming and the filters."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session

from api.app import create_app
from api.db.models import Category, Resource, ResourceStatus, Support
from api.formats import hsds
from api.search.text import reindex_resources
from api.settings import Settings
from seed.importer import import_paths
from tests.api.formats.hsds_schemas import problems
from tests.api.formats.rows import Directory
from tests.conftest import settings_with

DALLAS = Path(__file__).resolve().parents[4] / "seed" / "dallas"

ENDPOINTS = [
    ("/hsds/services", {}, "service_list"),
    ("/hsds/services", {"full": "true"}, "service"),
    ("/hsds/services", {"minimal": "true"}, "service_list"),
    ("/hsds/service_at_locations", {}, "service_at_location_list"),
    ("/hsds/service_at_locations", {"full": "true"}, "service_at_location"),
    ("/hsds/organizations", {}, "organization_list"),
    ("/hsds/organizations", {"full": "true"}, "organization"),
    ("/hsds/organizations", {"full": "true", "full_service": "true"}, "organization"),
    ("/hsds/taxonomies", {}, "taxonomy"),
    ("/hsds/taxonomy_terms", {}, "taxonomy_term"),
]
ONE = {
    "/hsds/services": "service",
    "/hsds/service_at_locations": "service_at_location",
    "/hsds/organizations": "organization",
    "/hsds/taxonomies": "taxonomy",
    "/hsds/taxonomy_terms": "taxonomy_term",
}


@pytest.fixture
def dallas(settings: Settings, engine: Engine) -> None:
    report = import_paths(engine, settings, [DALLAS])
    assert report.ok, [str(p) for p in report.problems]


@pytest.fixture
def small(engine: Engine) -> dict[str, int]:
    rows = Directory(engine)
    downtown = rows.area("zip", "75201", south=32.77, west=-96.81, size=0.02, name="ZIP 75201")
    far = rows.area("zip", "75217", south=32.69, west=-96.70, size=0.02, name="ZIP 75217")
    ayuda = rows.organization("Ayuda")
    here = rows.location(32.78, -96.80, areas=(downtown,), postal_code="75201", address="1 Main")
    hidden = rows.location(
        32.781,
        -96.801,
        areas=(downtown,),
        postal_code="75201",
        address="9 Secret",
        confidential=True,
    )
    there = rows.location(32.70, -96.69, areas=(far,), postal_code="75217", address="2 Elm")
    ids = {
        "clinic": rows.resource(
            "Clinica Legal",
            location_id=here,
            organization_id=ayuda,
            languages={"es": Support.STAFF},
            hours="Mo-Fr 09:00-17:00",
        ),
        "shelter": rows.resource(
            "Refugio", location_id=hidden, category=Category.COMMUNITY_PARTNER
        ),
        "closed": rows.resource(
            "Centro Cerrado", location_id=there, status=ResourceStatus.TEMPORARILY_CLOSED
        ),
        "gone": rows.resource("Oficina Antigua", location_id=there, retired=True),
    }
    with Session(engine) as session:
        reindex_resources(session)
        session.commit()
    return ids


def everything(client: TestClient[Litestar], path: str, params: dict[str, str]) -> list[dict]:
    body = client.get(path, params=params | {"per_page": "500"}).json()
    assert body["total_items"] == len(body["contents"])
    return list(body["contents"])


@pytest.mark.usefixtures("dallas")
def test_every_record_of_every_endpoint_validates_on_the_dallas_data(
    client: TestClient[Litestar], capsys: pytest.CaptureFixture[str]
) -> None:
    counts = []
    for path, params, schema in ENDPOINTS:
        records = everything(client, path, params)
        assert records, (path, params)
        invalid = {r["id"]: found for r in records if (found := problems(schema, r))}
        assert invalid == {}, (path, params)
        counts.append(f"{path}?{'&'.join(params)} ({schema}): {len(records)}/{len(records)}")
        if path in ONE and not params:
            for record in records:
                one = client.get(f"{path}/{record['id']}")
                assert one.status_code == 200, one.text
                assert problems(ONE[path], one.json()) == [], record["id"]
            counts.append(f"{path}/{{id}} ({ONE[path]}): {len(records)}/{len(records)}")
    with capsys.disabled():
        print("\nHSDS records valid / checked:", *counts, sep="\n  ")
    assert len(everything(client, "/hsds/services", {})) == 14


@pytest.mark.usefixtures("dallas")
def test_ndjson_streams_every_match_without_pages(client: TestClient[Litestar]) -> None:
    response = client.get("/hsds/services", params={"format": "ndjson", "full": "true"})
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert lines == everything(client, "/hsds/services", {"full": "true"})
    assert all(problems("service", line) == [] for line in lines)


@pytest.mark.usefixtures("dallas")
def test_the_page_envelope_counts_pages(client: TestClient[Litestar]) -> None:
    first = client.get("/hsds/services", params={"per_page": "5"}).json()
    last = client.get("/hsds/services", params={"per_page": "5", "page": "3"}).json()
    assert (first["total_items"], first["total_pages"], first["size"]) == (14, 3, 5)
    assert first["first_page"] and not first["last_page"] and not first["empty"]
    assert (last["size"], last["last_page"], last["first_page"]) == (4, True, False)
    beyond = client.get("/hsds/services", params={"per_page": "5", "page": "4"}).json()
    assert beyond["contents"] == [] and beyond["size"] == 0


def test_the_root_names_the_version_profile_and_openapi(settings: Settings) -> None:
    public = create_app(settings_with(settings, public_url="https://puente.example.org/"))
    with TestClient(public) as client:
        body = client.get("/hsds/", headers={"Host": "evil.test"}).json()
        assert client.get("/schema/openapi.json").status_code == 200
    assert body == {
        "version": "3.1",
        "profile": "https://docs.openreferral.org/en/latest/hsds/",
        "openapi_url": "https://puente.example.org/schema/openapi.json",
        "publisher": {"name": "Puente", "url": "https://puente.example.org/"},
    }


def test_without_a_public_url_the_root_never_follows_host(client: TestClient[Litestar]) -> None:
    body = client.get("/hsds/", headers={"Host": "evil.test"}).json()
    assert "evil.test" not in json.dumps(body)
    assert body == {
        "version": "3.1",
        "profile": "https://docs.openreferral.org/en/latest/hsds/",
        "publisher": {"name": "Puente"},
    }


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/hsds/", {"format": "xml"}),
        ("/hsds/services", {"updated_since": "2026-01-01T00:00:00Z"}),
        ("/hsds/service_at_locations", {"bbox": "-97,32,-96,33"}),
        ("/hsds/organizations", {"taxonomy_term_id": "x"}),
        ("/hsds/taxonomy_terms", {"q": "legal"}),
    ],
)
def test_an_unknown_parameter_under_hsds_is_a_400_naming_it(
    client: TestClient[Litestar], path: str, params: dict[str, str]
) -> None:
    answer = client.get(path, params=params)
    assert answer.status_code == 400
    [param] = answer.json()["invalid_params"]
    assert param["name"] == next(iter(params)) and param["in"] == "query"


def test_closed_and_retired_services_reach_a_partner(
    client: TestClient[Litestar], small: dict[str, int]
) -> None:
    statuses = {s["name"]: s["status"] for s in everything(client, "/hsds/services", {})}
    assert statuses == {
        "Clinica Legal": "active",
        "Refugio": "active",
        "Centro Cerrado": "temporarily closed",
        "Oficina Antigua": "defunct",
    }
    gone = hsds.hsds_id("resource", small["gone"])
    assert client.get(f"/hsds/services/{gone}").json()["status"] == "defunct"


def test_a_confidential_location_keeps_its_area_and_no_address(
    client: TestClient[Litestar], small: dict[str, int]
) -> None:
    at = client.get("/hsds/services/" + hsds.hsds_id("resource", small["shelter"])).json()[
        "service_at_locations"
    ][0]
    assert "addresses" not in at["location"] and "name" not in at["location"]
    assert (at["location"]["latitude"], at["location"]["longitude"]) == (32.78, -96.8)
    assert "ZIP 75201" in at["location"]["description"]
    stream = client.get("/hsds/service_at_locations", params={"format": "ndjson", "full": "1"})
    assert "9 Secret" not in stream.text and "32.781" not in stream.text


def test_modified_after_keeps_what_changed(
    client: TestClient[Litestar], engine: Engine, small: dict[str, int]
) -> None:
    later = datetime.now(UTC) + timedelta(days=1)
    with Session(engine) as session:
        session.execute(
            update(Resource).where(Resource.id == small["closed"]).values(updated_at=later)
        )
        session.commit()
    since = (later - timedelta(minutes=1)).isoformat()
    found = everything(client, "/hsds/services", {"modified_after": since})
    assert [s["name"] for s in found] == ["Centro Cerrado"]


def test_search_postcode_proximity_organization_and_terms(
    client: TestClient[Litestar], small: dict[str, int]
) -> None:
    def names(path: str, **params: str) -> list[str]:
        records = everything(client, path, params)
        return sorted(r.get("name") or r["service"]["name"] for r in records)

    assert names("/hsds/services", search="clinica") == ["Clinica Legal"]
    assert names("/hsds/service_at_locations", postcode="75217") == [
        "Centro Cerrado",
        "Oficina Antigua",
    ]
    assert names("/hsds/service_at_locations", postcode="75201", proximity="3000") == [
        "Clinica Legal",
        "Refugio",
    ]
    organization = everything(client, "/hsds/organizations", {})[0]["id"]
    assert names("/hsds/services", organization_id=organization) == ["Clinica Legal"]
    spanish = hsds.language_term("es")["id"]
    assert names("/hsds/services", taxonomy_term_id=spanish) == ["Clinica Legal"]
    terms = everything(client, "/hsds/taxonomy_terms", {})
    assert spanish in {t["id"] for t in terms}
    assert client.get(f"/hsds/taxonomy_terms/{spanish}").json()["name"] == "Spanish"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"postcode": "75217"},
        {"taxonomy_id": hsds.taxonomy(hsds.LANGUAGE_TAXONOMY)["id"]},
        {"taxonomy_term_id": hsds.category_term(Category.LEGAL_AID)["id"]},
        {"taxonomy_id": "not-a-taxonomy"},
    ],
)
def test_pages_of_one_are_the_whole_listing_in_order(
    client: TestClient[Litestar], small: dict[str, int], params: dict[str, str]
) -> None:
    whole = client.get("/hsds/services", params={**params, "format": "ndjson"}).text
    expected = [json.loads(line) for line in whole.splitlines()]
    pages = []
    for number in range(1, len(expected) + 2):
        body = client.get("/hsds/services", params={**params, "per_page": "1", "page": str(number)})
        assert body.json()["total_items"] == len(expected)
        pages += body.json()["contents"]
    assert pages == expected


@pytest.mark.parametrize(
    ("path", "params", "named"),
    [
        ("/hsds/services", {"modified_after": "yesterday"}, "modified_after"),
        ("/hsds/services", {"per_page": "0"}, "per_page"),
        ("/hsds/services", {"full": "maybe"}, "full"),
        ("/hsds/services", {"format": "xml"}, "format"),
        ("/hsds/service_at_locations", {"proximity": "500"}, "proximity"),
        ("/hsds/service_at_locations", {"postcode": "00000", "proximity": "500"}, "postcode"),
    ],
)
def test_bad_parameters_are_named(
    client: TestClient[Litestar], path: str, params: dict[str, str], named: str
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert named in {p["name"] for p in response.json()["invalid_params"]}


@pytest.mark.parametrize(
    "path", ["services", "organizations", "service_at_locations", "taxonomies", "taxonomy_terms"]
)
def test_an_unknown_id_is_a_404_problem(client: TestClient[Litestar], path: str) -> None:
    response = client.get(f"/hsds/{path}/{hsds.hsds_id('nothing', 1)}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
