"""The OpenAPI document says what the server does, and outside linters find no error in it."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from openapi_spec_validator import validate
from sqlalchemy import Engine

from tests.api.formats.rows import Directory
from tests.api.http.served import served
from tests.api.staff_keys import bearer, issue_key
from tests.clients import node_module, node_program

METHODS = ("get", "post", "patch", "put", "delete")
TOGETHER = {"radius_km": "near", "proximity": "postcode"}
"""A parameter whose example only makes sense with another's (``radius_km`` needs a point,
HSDS's ``proximity`` the ``postcode`` it is measured from)."""


@pytest.fixture
def document(client: TestClient[Litestar]) -> dict[str, Any]:
    answer = client.get("/schema/openapi.json")
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, item[method])
        for path, item in document["paths"].items()
        for method in METHODS
        if method in item
    ]


def test_openapi_spec_validator_accepts_the_document(document: dict[str, Any]) -> None:
    validate(document)


def test_redocly_recommended_rules_find_no_error(app: Litestar) -> None:
    redocly = node_module("@redocly/cli") / "bin" / "cli.js"
    with served(app) as base:
        done = subprocess.run(
            [
                node_program(),
                str(redocly),
                "lint",
                f"{base}/schema/openapi.json",
                "--extends=recommended",
                "--format=json",
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
    report = json.loads(done.stdout)
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    assert errors == [], json.dumps(errors, indent=1)[:3000]
    assert done.returncode == 0, done.stderr


def test_every_error_is_documented_as_problem_json(document: dict[str, Any]) -> None:
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"status", "title", "detail"}
    checked = 0
    for method, path, operation in operations(document):
        if path.startswith("/api/"):
            assert "400" in operation["responses"], (method, path)
        for code, response in operation["responses"].items():
            if code[0] in "45":
                checked += 1
                assert response["content"] == {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }, (method, path, code)
    assert checked > 30


def test_the_documented_problem_is_what_the_server_sends(
    client: TestClient[Litestar], document: dict[str, Any]
) -> None:
    problem = client.get("/api/v1/resources", params={"page": "zero", "bbox": "1"})
    assert problem.headers["content-type"].startswith("application/problem+json")
    body = problem.json()
    schema = document["components"]["schemas"]["Problem"]
    assert set(schema["required"]) <= body.keys() <= schema["properties"].keys()
    for param in body["invalid_params"]:
        assert set(schema["properties"]["invalid_params"]["items"]["required"]) <= param.keys()


def test_parameters_are_typed_and_arrays_have_array_examples(document: dict[str, Any]) -> None:
    params = {p["name"]: p for p in document["paths"]["/api/v1/resources"]["get"]["parameters"]}
    assert params["page"]["schema"]["type"] == "integer"
    assert params["per_page"]["schema"]["type"] == "integer"
    assert params["radius_km"]["schema"]["type"] == "number"
    assert params["open_now"]["schema"]["type"] == "boolean"
    for method, path, operation in operations(document):
        for param in operation.get("parameters", []):
            if "array" in json.dumps(param["schema"].get("oneOf", param["schema"])):
                for example in param.get("examples", {}).values():
                    assert isinstance(example["value"], list), (method, path, param["name"])


def as_query(value: object) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in values]


def test_every_query_example_is_accepted_by_its_endpoint(
    client: TestClient[Litestar], document: dict[str, Any], engine: Engine
) -> None:
    rows = Directory(engine)  # the areas the examples name
    rows.area("council_district", "2")
    rows.area("zip", "75217")
    rows.area("zip", "75201")  # HSDS postcode example
    headers = bearer(issue_key(engine, "admin"))
    tried = 0
    for method, path, operation in operations(document):
        if method != "get" or "{" in path:
            continue
        params = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
        for name, param in params.items():
            for example in param.get("examples", {}).values():
                query = [(name, v) for v in as_query(example["value"])]
                if (partner := TOGETHER.get(name)) in params:
                    [partner_example] = params[partner]["examples"].values()
                    query += [(partner, v) for v in as_query(partner_example["value"])]
                answer = client.get(path, params=query, headers=headers)
                tried += 1
                assert answer.status_code < 400, (path, query, answer.text[:300])
    assert tried > 50
