"""Cached public reads, and the directory version that makes them stale on any change."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import anyio
import pytest
from litestar import Litestar, Router, get, post
from litestar.params import JSONBody
from litestar.testing import TestClient
from sqlalchemy import Engine, text

from api.app import create_app
from api.db.version import read_directory_version
from api.http.middleware.keyed_hash import KeyedHash
from api.http.middleware.response_cache import ResponseCachePlugin
from api.http.middleware.stores import BoundedMemoryStore, build_stores
from api.settings import Settings
from tests.conftest import settings_with

NOW = datetime(2026, 11, 25, tzinfo=UTC)
REDIS_URL = os.environ.get("PUENTE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def add_organization(engine: Engine, name: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organization (name, kind, created_at, updated_at)"
                " VALUES (:name, 'nonprofit', :now, :now)"
            ),
            {"name": name, "now": NOW},
        )


def organization_names(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT name FROM organization ORDER BY id")).scalars())


def cache_plugin(settings: Settings, engine: Engine) -> ResponseCachePlugin:
    hashing = KeyedHash.from_settings(settings)
    return ResponseCachePlugin(
        store=build_stores(settings, hashing=hashing).response_cache,
        engine=engine,
        hashing=hashing,
    )


class Directory:
    """A tiny app over the directory tables that counts how often its handlers really run."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.calls: dict[str, int] = {}
        self.engine = engine

        @get("/api/v1/organizations", sync_to_thread=True)
        def organizations() -> dict[str, Any]:
            return {"names": self.read("list")}

        @get("/api/v1/organizations.csv", sync_to_thread=True)
        def organizations_csv() -> str:
            return ",".join(self.read("csv"))

        @get("/internal/organizations", sync_to_thread=True)
        def internal() -> dict[str, Any]:
            return {"names": self.read("internal")}

        @post("/api/v1/organizations", sync_to_thread=True)
        def create(data: JSONBody[dict[str, str]]) -> dict[str, Any]:
            add_organization(engine, data["name"])
            return {"names": self.read("create")}

        @get("/api/v1/stamp", cache=1000, sync_to_thread=False)
        def stamp() -> dict[str, str]:
            self.calls["stamp"] = self.calls.get("stamp", 0) + 1
            return {"stamp": uuid.uuid4().hex}

        self.app = Litestar(
            route_handlers=[organizations, organizations_csv, internal, create, stamp],
            plugins=[cache_plugin(settings, engine)],
        )

    def read(self, name: str) -> list[str]:
        self.calls[name] = self.calls.get(name, 0) + 1
        return organization_names(self.engine)


@pytest.fixture
def directory(settings: Settings, engine: Engine) -> Directory:
    return Directory(settings, engine)


@pytest.fixture
def client(directory: Directory) -> Iterator[TestClient[Litestar]]:
    with TestClient(directory.app) as client:
        yield client


def test_a_repeated_read_is_served_from_the_cache(
    directory: Directory, client: TestClient[Litestar], engine: Engine
) -> None:
    add_organization(engine, "Casa")
    first = client.get("/api/v1/organizations")
    second = client.get("/api/v1/organizations")
    assert first.json() == second.json() == {"names": ["Casa"]}
    assert directory.calls["list"] == 1


def test_a_write_through_the_database_makes_the_cached_read_stale(
    directory: Directory, client: TestClient[Litestar], engine: Engine
) -> None:
    assert client.get("/api/v1/organizations").json() == {"names": []}
    add_organization(engine, "Casa")
    assert client.get("/api/v1/organizations").json() == {"names": ["Casa"]}
    assert directory.calls["list"] == 2


def test_a_write_through_the_api_makes_the_cached_read_stale(client: TestClient[Litestar]) -> None:
    assert client.get("/api/v1/organizations").json() == {"names": []}
    assert client.post("/api/v1/organizations", json={"name": "Casa"}).status_code == 201
    assert client.get("/api/v1/organizations").json() == {"names": ["Casa"]}


def test_a_write_from_another_process_makes_the_cached_read_stale(
    client: TestClient[Litestar], settings: Settings
) -> None:
    """As an import run from the command line while the server runs."""
    assert client.get("/api/v1/organizations").json() == {"names": []}
    script = (
        "import sys; from datetime import datetime, UTC; from sqlalchemy import text;"
        "from api.db.engine import create_database_engine; from api.settings import Settings;"
        "engine = create_database_engine(Settings(database_url=sys.argv[1]).sqlalchemy_url);"
        "connection = engine.connect();"
        'connection.execute(text("INSERT INTO organization (name, kind, created_at, updated_at)'
        " VALUES ('Elsewhere', 'faith', :now, :now)\"), {'now': datetime.now(UTC)});"
        "connection.commit()"
    )
    subprocess.run([sys.executable, "-c", script, settings.database_url], check=True)
    assert client.get("/api/v1/organizations").json() == {"names": ["Elsewhere"]}


def test_a_rolled_back_write_keeps_the_cache(
    directory: Directory, client: TestClient[Litestar], engine: Engine
) -> None:
    client.get("/api/v1/organizations")
    with engine.connect() as connection:
        connection.execute(
            text(
                "INSERT INTO organization (name, kind, created_at, updated_at)"
                " VALUES ('Never', 'nonprofit', :now, :now)"
            ),
            {"now": NOW},
        )
        connection.rollback()
    assert client.get("/api/v1/organizations").json() == {"names": []}
    assert directory.calls["list"] == 1


def test_feeds_and_paths_outside_the_public_api_are_not_cached(
    directory: Directory, client: TestClient[Litestar]
) -> None:
    for _ in range(2):
        client.get("/api/v1/organizations.csv")
        client.get("/internal/organizations")
    assert directory.calls["csv"] == 2
    assert directory.calls["internal"] == 2


def test_a_handler_keeps_its_own_cache_setting(
    directory: Directory, client: TestClient[Litestar]
) -> None:
    assert client.get("/api/v1/stamp").json() == client.get("/api/v1/stamp").json()
    assert directory.calls["stamp"] == 1


def test_the_query_and_the_negotiated_encoding_are_part_of_the_key(
    directory: Directory, client: TestClient[Litestar], engine: Engine
) -> None:
    add_organization(engine, "Casa")
    client.get("/api/v1/organizations?b=2&a=1")
    client.get("/api/v1/organizations?a=1&b=2")  # the same query, reordered
    assert directory.calls["list"] == 1
    client.get("/api/v1/organizations?a=1&b=3")
    client.get("/api/v1/organizations?a=1&b=2", headers={"Accept-Language": "es"})
    assert directory.calls["list"] == 3


def test_a_change_during_a_read_leaves_its_answer_stale(settings: Settings, engine: Engine) -> None:
    """The answer is stored under the version read before the handler ran, so a change that
    commits while it runs is seen by the next read."""

    @get("/api/v1/organizations", sync_to_thread=True)
    def organizations() -> list[str]:
        names = organization_names(engine)
        if not names:
            add_organization(engine, "Casa")  # commits after the read above
        return names

    app = Litestar(route_handlers=[organizations], plugins=[cache_plugin(settings, engine)])
    with TestClient(app) as client:
        assert client.get("/api/v1/organizations").json() == []
        assert client.get("/api/v1/organizations").json() == ["Casa"]


@pytest.mark.parametrize(
    ("table", "statement"),
    [
        ("organization", "UPDATE organization SET name = 'Renamed'"),
        ("location", "UPDATE location SET latitude = 10"),
        ("resource", "UPDATE resource SET name = 'Renamed'"),
        ("resource_language", "DELETE FROM resource_language"),
        ("event", "UPDATE event SET title = 'Renamed'"),
        ("event_language", "DELETE FROM event_language"),
        ("area", "UPDATE area SET name = 'Renamed'"),
        ("location_area", "DELETE FROM location_area"),
    ],
)
def test_every_directory_table_bumps_the_version(
    engine: Engine, table: str, statement: str
) -> None:
    with engine.begin() as connection:
        for sql in SAMPLE_DIRECTORY:
            connection.execute(text(sql), {"now": NOW})
    before = read_directory_version(engine)
    with engine.begin() as connection:
        assert connection.execute(text(statement)).rowcount == 1, table
    assert read_directory_version(engine) > before


def test_writes_outside_the_directory_leave_the_version_alone(engine: Engine) -> None:
    before = read_directory_version(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO geocode_cache (provider, query, created_at)"
                " VALUES ('offline', 'nowhere', :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO audit_entry (at, actor, action, entity) "
                "VALUES (:now, 'staff', 'create', 'organization')"
            ),
            {"now": NOW},
        )
    assert read_directory_version(engine) == before


SAMPLE_DIRECTORY = [
    "INSERT INTO organization (id, name, kind, created_at, updated_at)"
    " VALUES (1, 'Casa', 'nonprofit', :now, :now)",
    "INSERT INTO location (id, latitude, longitude, geocode_precision, confidential,"
    " created_at, updated_at) VALUES (1, 32.7, -96.8, 'provided', false, :now, :now)",
    "INSERT INTO resource (id, category, name, status, organization_id, location_id,"
    " created_at, updated_at) VALUES (1, 'legal_aid', 'Help', 'active', 1, 1, :now, :now)",
    "INSERT INTO resource_language (resource_id, code, support) VALUES (1, 'es', 'staff')",
    "INSERT INTO event (id, title, starts_at, status, location_id, created_at, updated_at)"
    " VALUES (1, 'Meeting', :now, 'scheduled', 1, :now, :now)",
    "INSERT INTO event_language (event_id, code) VALUES (1, 'es')",
    "INSERT INTO area (id, kind, code, name, geometry, min_latitude, min_longitude,"
    " max_latitude, max_longitude, center_latitude, center_longitude, updated_at)"
    " VALUES (1, 'zip', '75217', 'ZIP 75217', '{}', 32, -97, 33, -96, 32.5, -96.5, :now)",
    "INSERT INTO location_area (location_id, area_id) VALUES (1, 1)",
]


def test_the_real_app_caches_public_reads_until_the_directory_changes(
    settings: Settings, engine: Engine
) -> None:
    with TestClient(create_app(settings)) as client:
        before = client.get("/api/v1/areas")
        assert before.status_code == 200
        with engine.begin() as connection:
            for sql in SAMPLE_DIRECTORY[:1] + SAMPLE_DIRECTORY[-2:-1]:
                connection.execute(text(sql), {"now": NOW})
        after = client.get("/api/v1/areas")
        assert after.status_code == 200
        assert after.content != before.content
        assert "75217" in after.text


def test_the_memory_store_drops_the_oldest_entries_when_full() -> None:
    async def scenario() -> list[bytes | None]:
        store = BoundedMemoryStore(max_bytes=10)
        await store.set("a", b"1234", expires_in=60)
        await store.set("b", b"5678", expires_in=60)
        await store.set("c", b"90", expires_in=60)  # 10 bytes: all fit
        await store.set("d", b"xyz", expires_in=60)  # 13: "a" goes
        await store.delete("b")
        await store.set("e", b"12345", expires_in=60)  # 10 once "b" is counted out
        return [await store.get(key) for key in "abcde"]

    assert anyio.run(scenario) == [None, None, b"90", b"xyz", b"12345"]


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def test_processes_share_the_redis_cache(settings: Settings, engine: Engine) -> None:
    """Two workers (two apps) with Redis: one's cached read serves the other."""
    if not redis_available():
        pytest.skip("Redis not reachable at PUENTE_TEST_REDIS_URL")
    shared = settings_with(settings, redis_url=REDIS_URL, hash_key=uuid.uuid4().hex)
    # A name no earlier run used, so no entry from another test run can answer.
    add_organization(engine, f"Casa {uuid.uuid4().hex}")
    one, two = Directory(shared, engine), Directory(shared, engine)
    with TestClient(one.app) as first, TestClient(two.app) as second:
        assert (
            first.get("/api/v1/organizations").json() == second.get("/api/v1/organizations").json()
        )
        assert (one.calls.get("list", 0), two.calls.get("list", 0)) == (1, 0)
        add_organization(engine, "Nueva")
        assert "Nueva" in second.get("/api/v1/organizations").json()["names"]
        assert two.calls["list"] == 1


def test_reads_registered_through_a_router_are_cached(settings: Settings, engine: Engine) -> None:
    calls: list[int] = []

    @get("/things", sync_to_thread=False)
    def things() -> list[int]:
        calls.append(1)
        return [len(calls)]

    router = Router(path="/api/v1", route_handlers=[things])
    app = Litestar(route_handlers=[router], plugins=[cache_plugin(settings, engine)])
    with TestClient(app) as client:
        assert client.get("/api/v1/things").json() == client.get("/api/v1/things").json() == [1]
    assert things.cache is False  # the module's own handler is left as it was


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_a_cached_read_still_answers_a_conditional_request_with_304(
    settings: Settings, encoding: str
) -> None:
    with TestClient(create_app(settings)) as client:
        headers = {"Accept-Encoding": encoding}
        first = client.get("/api/v1/areas", headers=headers)
        again = client.get("/api/v1/areas", headers=headers)  # from the cache
        assert first.headers["etag"] == again.headers["etag"]
        revalidated = client.get(
            "/api/v1/areas", headers={**headers, "If-None-Match": first.headers["etag"]}
        )
        assert revalidated.status_code == 304
        assert revalidated.content == b""


def test_a_write_after_a_rolled_back_savepoint_still_bumps_the_version(engine: Engine) -> None:
    """As an import does: a refused row rolled back to its savepoint, then a good row."""
    before = read_directory_version(engine)
    with engine.begin() as connection:
        savepoint = connection.begin_nested()
        connection.execute(text(SAMPLE_DIRECTORY[0]), {"now": NOW})
        savepoint.rollback()
        connection.execute(text(SAMPLE_DIRECTORY[1]), {"now": NOW})
        connection.execute(text(SAMPLE_DIRECTORY[0]), {"now": NOW})
    assert read_directory_version(engine) > before
