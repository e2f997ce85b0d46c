"""An unknown query parameter on any API route is a 400 problem naming it."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from api.http.strict_query import unknown_parameters


def api_operations(app: Litestar) -> list[tuple[str, str]]:
    """Every method and path under ``/api/``, path parameters filled in."""
    return [
        (method, re.sub(r"\{\w+:\w+\}", "1", route.path))
        for route in app.routes
        if isinstance(route, HTTPRoute) and route.path.startswith("/api/")
        for method in sorted(route.methods - {"OPTIONS"})
    ]


def test_every_api_route_names_the_parameter_it_does_not_take(
    app: Litestar, client: TestClient[Litestar]
) -> None:
    operations = api_operations(app)
    assert ("GET", "/api/v1/resources") in operations and ("POST", "/api/v1/imports") in operations
    for method, path in operations:
        answer = client.request(method, path, params={"within": "1,2,3,4"})
        assert answer.status_code == 400, (method, path)
        if method == "HEAD":
            continue
        assert answer.headers["content-type"].startswith("application/problem+json")
        [param] = answer.json()["invalid_params"]
        assert param["name"] == "within" and param["in"] == "query", (method, path)


@pytest.mark.parametrize(
    ("path", "params", "unknown"),
    [
        ("/api/v1/resources", {"within": "1,2,3,4", "category": "legal_aid"}, ["within"]),
        ("/api/v1/events", {"modified_after": "2026-01-01"}, ["modified_after"]),
        ("/api/v1/resources.geojson", {"format": "ndjson"}, ["format"]),
        (
            "/api/v1/events.ics",
            {"include_retired": "x", "Category": "y"},
            ["include_retired", "Category"],
        ),
    ],
)
def test_the_problem_names_each_unknown_parameter_once(
    client: TestClient[Litestar], path: str, params: dict[str, str], unknown: list[str]
) -> None:
    answer = client.get(path, params=[*params.items(), *params.items()])
    assert answer.status_code == 400
    assert [p["name"] for p in answer.json()["invalid_params"]] == unknown
    assert all(name in answer.json()["detail"] for name in unknown)


def test_known_parameters_and_the_map_pages_are_untouched(client: TestClient[Litestar]) -> None:
    assert client.get("/api/v1/resources", params={"category": "legal_aid", "page": "1"}).is_success
    assert client.get("/api/v1/events.ics", params={"from": "2026-01-01"}).is_success
    assert client.get("/api/v1/languages", params={"lang": "es"}).is_success
    assert client.get("/list", params={"utm_source": "flyer"}).is_success


def test_the_reason_lists_what_the_route_takes() -> None:
    [param] = unknown_parameters(["page", "bbox"], frozenset({"page", "q"}))
    assert param == {
        "name": "bbox",
        "in": "query",
        "reason": "not a parameter of this endpoint; it takes page, q",
    }
    [bare] = unknown_parameters(["x"], frozenset())
    assert bare["reason"].endswith("it takes no query parameters")
