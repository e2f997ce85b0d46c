"""Bad input that once reached a 500 gets a 4xx problem naming what was wrong."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine

from api.http.json_depth import MAX_JSON_DEPTH, json_depth
from tests.api.directory_rows import add_resource
from tests.api.staff_keys import bearer, issue_key


def nested(levels: int) -> bytes:
    return b'{"kind": "closed", "message": ' + b"[" * levels + b"]" * levels + b"}"


def assert_names(response: object, name: str, where: str, status: int = 400) -> None:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    params = response.json()["invalid_params"]  # type: ignore[attr-defined]
    assert [(p["name"], p["in"]) for p in params] == [(name, where)], params


def test_json_depth_counts_brackets_outside_strings() -> None:
    assert json_depth(b'{"a": [1, {"b": "[[[[{{"}]}') == 3
    assert json_depth(b'"\\"[[["') == 0
    assert json_depth(b"[" * 40 + b"]" * 40) == 40


@pytest.mark.parametrize("levels", [1_000, 20_000])
def test_json_nested_deep_is_a_400_on_the_public_report_route(
    client: TestClient[Litestar], engine: Engine, levels: int
) -> None:
    resource_id = add_resource(engine)
    response = client.post(
        f"/api/v1/resources/{resource_id}/reports",
        content=nested(levels),
        headers={"Content-Type": "application/json"},
    )
    assert_names(response, "body", "body")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/organizations"),
        ("POST", "/api/v1/resources"),
        ("POST", "/api/v1/events"),
        ("PATCH", "/api/v1/resources/{id}"),
        ("PATCH", "/api/v1/reports/1"),
    ],
)
def test_json_nested_deep_is_a_400_on_staff_writes(
    client: TestClient[Litestar], engine: Engine, method: str, path: str
) -> None:
    resource_id = add_resource(engine)
    response = client.request(
        method,
        path.format(id=resource_id),
        content=nested(1_000),
        headers={**bearer(issue_key(engine, "admin")), "Content-Type": "application/json"},
    )
    assert_names(response, "body", "body")


def test_json_as_deep_as_allowed_is_read(client: TestClient[Litestar], engine: Engine) -> None:
    resource_id = add_resource(engine)
    body = b'{"kind": "closed", "message": ' + b"[" * (MAX_JSON_DEPTH - 1)
    body += b"]" * (MAX_JSON_DEPTH - 1) + b"}"
    response = client.post(
        f"/api/v1/resources/{resource_id}/reports",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    # Read, then refused for what it says (a message is text), not for its depth.
    assert response.status_code == 400, response.text
    assert "nested" not in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/resources?area=zip:75%0001",
        "/api/v1/events?area=zip:75%0001",
        "/api/v1/languages?area=zip:75%0001",
        "/api/v1/categories?area=zip:75%0001",
        "/api/v1/resources.geojson?area=zip:75%0001",
        "/api/v1/resources.csv?area=zip:75%0001",
        "/api/v1/events.ics?area=zip:75%0001",
        "/?area=zip:75%0001",
        "/list?area=zip:75%0001",
        "/hsds/services?area=zip:75%0001",
    ],
)
def test_a_nul_byte_in_a_query_parameter_is_a_400_naming_it(
    client: TestClient[Litestar], engine: Engine, path: str
) -> None:
    add_resource(engine)
    assert_names(client.get(path), "area", "query")


def test_a_nul_byte_in_a_path_parameter_is_a_400_naming_it(
    client: TestClient[Litestar], engine: Engine
) -> None:
    add_resource(engine)
    assert_names(client.get("/api/v1/areas/zip/75%0001"), "code", "path")
    assert_names(client.get("/api/v1/areas/zi%00p/75201"), "kind", "path")


def test_a_nul_byte_in_a_staff_query_is_a_400_naming_it(
    client: TestClient[Litestar], engine: Engine
) -> None:
    headers = bearer(issue_key(engine, "admin"))
    assert_names(client.get("/api/v1/audit?actor=a%00b", headers=headers), "actor", "query")


def test_a_nul_byte_in_a_parameter_name_is_named(client: TestClient[Litestar]) -> None:
    assert_names(client.get("/api/v1/resources?ar%00ea=1"), "ar%00ea", "query")
