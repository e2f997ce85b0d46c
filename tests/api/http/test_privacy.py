"""Searches leave no trace: not in any log line, not in any table, nothing readable in Redis."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

import pytest
import redis
from litestar.testing import TestClient
from sqlalchemy import Engine, inspect, text

from api.app import create_app
from api.http.middleware.access_log import ACCESS_LOGGER
from api.http.middleware.protection import Limits
from api.settings import Settings
from tests.api.directory_rows import add_resource
from tests.api.http.middleware.test_protection import redis_url
from tests.conftest import settings_with
from tests.fake_geocoder import FakeNominatim

ADDRESS = "4242 Quietude Lane, Dallas, TX 75217"
POINT = ("32.7311", "-96.7011")
CLIENT_ADDRESS = "198.51.100.23"
SECRETS = ("Quietude", "quietude", "4242", *POINT, "32.73", "-96.70", CLIENT_ADDRESS, "testclient")


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {self.format(record)}")


@pytest.fixture
def fake() -> Iterator[FakeNominatim]:
    with FakeNominatim() as server:
        server.answer(ADDRESS, 32.7244, -96.6755, addresstype="building")
        yield server


def test_searches_by_address_and_point_are_neither_logged_nor_stored(
    settings: Settings, engine: Engine, fake: FakeNominatim
) -> None:
    add_resource(engine)
    online = settings_with(
        settings,
        geocoder="nominatim",
        geocoder_domain=fake.domain,
        geocoder_scheme="http",
        geocoder_user_agent="puente-tests",
    )
    collect = Collect()
    root = logging.getLogger()
    with TestClient(create_app(online)) as client:
        previous = root.level
        root.addHandler(collect)
        root.setLevel(logging.DEBUG)
        try:
            headers = {"X-Forwarded-For": CLIENT_ADDRESS, "X-Real-IP": CLIENT_ADDRESS}
            near = f"{POINT[0]},{POINT[1]}"
            for path, params in (
                ("/api/v1/resources", {"address": ADDRESS}),
                ("/api/v1/resources", {"address": ADDRESS, "radius_km": "5"}),
                ("/api/v1/resources", {"near": near}),
                ("/api/v1/resources", {"near": near, "radius_km": "200", "language": "es"}),
                ("/api/v1/resources.geojson", {"near": near}),
                ("/api/v1/events", {"address": ADDRESS}),
                ("/api/v1/resources", {"near": "91,0"}),
                ("/", {"address": ADDRESS}),
                ("/list", {"near": near}),
            ):
                response = client.get(path, params=params, headers=headers)
                assert response.status_code < 500, (path, response.text)
        finally:
            root.removeHandler(collect)
            root.setLevel(previous)
    assert fake.request_count == 1  # asked once, then answered from the cache

    access = [line for line in collect.lines if line.startswith(ACCESS_LOGGER)]
    assert any("GET /api/v1/resources 200" in line for line in access), collect.lines
    assert any("GET /api/v1/resources 400" in line for line in access)  # near=91,0 refused
    for line in collect.lines:
        for secret in SECRETS:
            assert secret not in line, line

    tables = [t for t in inspect(engine).get_table_names() if t != "geocode_cache"]
    with engine.connect() as connection:
        for table in tables:
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608
                stored = " ".join(str(value) for value in row)
                for secret in ("Quietude", "quietude", *POINT, CLIENT_ADDRESS):
                    assert secret not in stored, (table, stored)
        cached = connection.execute(text("SELECT * FROM geocode_cache")).all()
    assert cached == []  # a resident's address is remembered in memory only, briefly


def test_redis_holds_no_search_and_no_client_address(
    settings: Settings, engine: Engine, fake: FakeNominatim
) -> None:
    """After searches by address, point and words, nothing in Redis reads as any of them."""
    url = redis_url()
    add_resource(engine)
    namespace = f"puente_test_{uuid.uuid4().hex[:10]}"
    online = settings_with(
        settings,
        redis_url=url,
        geocoder="nominatim",
        geocoder_domain=fake.domain,
        geocoder_scheme="http",
        geocoder_user_agent="puente-tests",
    )
    near = f"{POINT[0]},{POINT[1]}"
    words = "Quietude clinic"
    with TestClient(create_app(online, limits=Limits(namespace=namespace))) as client:
        for params in ({"address": ADDRESS}, {"near": near}, {"q": words, "near": near}):
            assert client.get("/api/v1/resources", params=params).status_code == 200
            assert client.get("/api/v1/resources", params=params).status_code == 200
        assert client.get("/api/v1/events", params={"address": ADDRESS}).status_code == 200
    shared = redis.Redis.from_url(url)
    try:
        stored = [(key, shared.dump(key) or b"") for key in shared.scan_iter(f"{namespace}*")]
        assert any(b"response_cache" in key for key, _ in stored)  # answers were kept
        assert any(b"rate_limit" in key for key, _ in stored)  # and budgets counted
        readable = b" ".join(key + b" " + value for key, value in stored).lower()
        for secret in (*SECRETS, "32.7311", "96.7011", "clinic", "4242+quietude", "salt"):
            assert secret.lower().encode() not in readable, secret
    finally:
        for key, _ in stored:
            shared.delete(key)
