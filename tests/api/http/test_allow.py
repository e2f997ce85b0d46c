"""``OPTIONS`` and ``405`` answers name every method of the path, route family by route family."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from tests.conftest import base_settings

# path, every method it takes
FAMILIES = [
    ("/api/v1/resources", {"GET", "HEAD", "POST", "OPTIONS"}),
    ("/api/v1/resources/1", {"GET", "HEAD", "PATCH", "DELETE", "OPTIONS"}),
    ("/api/v1/resources/1/reports", {"POST", "OPTIONS"}),
    ("/api/v1/organizations", {"POST", "OPTIONS"}),
    ("/api/v1/organizations/1", {"GET", "HEAD", "PATCH", "DELETE", "OPTIONS"}),
    ("/api/v1/locations", {"POST", "OPTIONS"}),
    ("/api/v1/locations/1", {"GET", "HEAD", "PATCH", "DELETE", "OPTIONS"}),
    ("/api/v1/events", {"GET", "HEAD", "POST", "OPTIONS"}),
    ("/api/v1/events/1", {"PATCH", "DELETE", "OPTIONS"}),
    ("/api/v1/reports", {"GET", "HEAD", "OPTIONS"}),
    ("/api/v1/reports/1", {"PATCH", "OPTIONS"}),
    ("/api/v1/audit", {"GET", "HEAD", "OPTIONS"}),
    ("/api/v1/imports", {"POST", "OPTIONS"}),
    ("/api/v1/areas/zip/75201", {"GET", "HEAD", "OPTIONS"}),
    ("/api/v1/resources.csv", {"GET", "HEAD", "OPTIONS"}),
    ("/hsds/services", {"GET", "HEAD", "OPTIONS"}),
    ("/health", {"GET", "HEAD", "OPTIONS"}),
    ("/", {"GET", "HEAD", "OPTIONS"}),
]


@pytest.fixture(scope="module")
def client(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient[Litestar]]:
    """One app for every path: the methods of a path do not depend on the database."""
    path = tmp_path_factory.mktemp("allow") / "puente.db"
    shutil.copyfile(sqlite_template, path)
    with TestClient(create_app(base_settings(f"sqlite:///{path}"))) as client:
        yield client


def allowed(header: str) -> set[str]:
    return {method.strip() for method in header.split(",")}


@pytest.mark.parametrize(("path", "methods"), FAMILIES, ids=[path for path, _ in FAMILIES])
def test_options_and_405_list_every_method_of_the_path(
    client: TestClient[Litestar], path: str, methods: set[str]
) -> None:
    options = client.options(path)
    assert options.status_code == 204
    assert allowed(options.headers["allow"]) == methods
    not_allowed = client.request("PUT", path)
    assert not_allowed.status_code == 405
    assert allowed(not_allowed.headers["allow"]) == methods
