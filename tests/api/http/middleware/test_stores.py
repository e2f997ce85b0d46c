"""Redis behind the stores: writes tell the truth, an outage is served uncached and reported
by ``/ready``, and Redis coming back needs no restart and costs no error.

The outage tests start and stop their own ``redis-server`` on a free port; the shared one
is only used (never stopped) by the write test.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.http.middleware.protection import Limits
from api.settings import Settings
from tests.api.directory_rows import add_resource
from tests.api.http.middleware.test_protection import redis_url
from tests.api.staff_keys import bearer, issue_key
from tests.conftest import settings_with

READS = ("/api/v1/resources", "/api/v1/areas", "/api/v1/languages", "/api/v1/events")


class OwnRedis:
    """A ``redis-server`` of the test's own on a free port, stopped and started at will."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self.binary = binary
        self.directory = directory
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("the test's redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def keys(self) -> list[bytes]:
        return list(redis.Redis.from_url(self.url).scan_iter("*"))


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_writes_with_redis_answer_2xx_once_saved(settings: Settings, engine: Engine) -> None:
    """Staff answers carry ``cache=0``; Redis refuses ``SET … EX 0``, and that must not turn a
    saved write into a 500 (a client retrying it would save it twice)."""
    resource_id = add_resource(engine)
    headers = bearer(issue_key(engine, "resources:write", "events:write", name="ana"))
    namespace = f"puente_test_{uuid.uuid4().hex[:10]}"
    with_redis = settings_with(settings, redis_url=redis_url())
    with TestClient(create_app(with_redis, limits=Limits(namespace=namespace))) as client:
        current = client.get(f"/api/v1/resources/{resource_id}")
        assert current.status_code == 200
        created = client.post("/api/v1/organizations", json={"name": "Ayuda"}, headers=headers)
        assert created.status_code == 201, created.text
        changed = client.patch(
            f"/api/v1/resources/{resource_id}",
            json={"description": "Walk-ins on Tuesdays"},
            headers={**headers, "If-Match": current.headers["etag"]},
        )
        assert changed.status_code == 200, changed.text
        again = client.get(f"/api/v1/resources/{resource_id}")
        assert again.json()["description"] == "Walk-ins on Tuesdays"
        gone = client.delete(
            f"/api/v1/resources/{resource_id}",
            headers={**headers, "If-Match": again.headers["etag"]},
        )
        assert gone.status_code == 204, gone.text
    shared = redis.Redis.from_url(redis_url())
    for key in shared.scan_iter(f"{namespace}*"):
        shared.delete(key)


def read_all(client: TestClient[Litestar]) -> list[int]:
    return [client.get(path).status_code for path in READS]


def test_with_redis_down_reads_are_served_uncached_and_ready_says_degraded(
    settings: Settings, engine: Engine, own_redis: OwnRedis
) -> None:
    add_resource(engine)
    with TestClient(create_app(settings_with(settings, redis_url=own_redis.url))) as client:
        assert read_all(client) == [200] * len(READS)
        assert client.get("/ready").json()["redis"] == "ok"
        assert own_redis.keys()  # answers and counters were kept in Redis

        own_redis.stop()
        for _ in range(2):
            assert read_all(client) == [200] * len(READS)
        ready = client.get("/ready")
        assert ready.status_code == 200
        assert ready.json()["status"] == "degraded"
        assert ready.json()["redis"] == "unreachable"

        own_redis.start()
        time.sleep(1.1)  # the stores rest a second after a failure, then ask again
        statuses = [status for _ in range(3) for status in read_all(client)]
        assert statuses == [200] * len(statuses)  # no error on the first requests back
        ready = client.get("/ready").json()
        assert (ready["status"], ready["redis"]) == ("ready", "ok")
        assert own_redis.keys()  # caching resumed without a restart


def test_an_app_started_while_redis_is_down_recovers(
    settings: Settings, engine: Engine, own_redis: OwnRedis
) -> None:
    add_resource(engine)
    own_redis.stop()
    with TestClient(create_app(settings_with(settings, redis_url=own_redis.url))) as client:
        assert read_all(client) == [200] * len(READS)
        assert client.get("/ready").json()["redis"] == "unreachable"
        own_redis.start()
        time.sleep(1.1)
        assert read_all(client) == [200] * len(READS)
        assert client.get("/ready").json()["redis"] == "ok"
        assert own_redis.keys()
