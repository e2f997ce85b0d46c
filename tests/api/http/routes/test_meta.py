from __future__ import annotations

import re
from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from api.settings import Settings
from tests.conftest import settings_with


def test_health_answers(client: TestClient[Litestar]) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_checks_the_database(client: TestClient[Litestar], backend: str) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json()["database"] == backend


def _unreachable(settings: Settings, backend: str, tmp_path: Path) -> Settings:
    if backend == "sqlite":
        return settings_with(settings, database_url=f"sqlite:///{tmp_path}/missing/dir/x.db")
    return settings_with(settings, database_url="postgresql://postgres@127.0.0.1:1/unreachable")


def test_ready_is_503_problem_json_when_the_database_is_unreachable(
    settings: Settings, backend: str, tmp_path: Path
) -> None:
    with TestClient(create_app(_unreachable(settings, backend, tmp_path))) as client:
        response = client.get("/ready")
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["status"] == 503
        assert body["title"] == "Database unavailable"
        assert "Traceback" not in response.text
        assert client.get("/health").status_code == 200


def test_openapi_is_served(client: TestClient[Litestar]) -> None:
    spec = client.get("/schema/openapi.json")
    assert spec.status_code == 200
    document = spec.json()
    assert document["openapi"].startswith("3.1")
    assert "/health" in document["paths"]
    assert "/ready" in document["paths"]
    assert client.get("/schema").status_code == 200


def test_the_schema_ui_loads_only_the_apps_own_files(client: TestClient[Litestar]) -> None:
    page = client.get("/schema")
    assert page.status_code == 200
    links = re.findall(r"""(?:src|href)=["']([^"']+)""", page.text)
    assert links, "the UI page should reference its script and stylesheet"
    for link in links:
        assert link.startswith("/"), f"{link} is not served by the app"
        assert client.get(link).status_code == 200, link


def test_every_documented_parameter_has_a_description_and_an_example(
    client: TestClient[Litestar],
) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]
    undocumented = [
        (method.upper(), path, parameter["name"])
        for path, operations in paths.items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if not parameter.get("description") or not parameter.get("examples")
    ]
    assert undocumented == []
