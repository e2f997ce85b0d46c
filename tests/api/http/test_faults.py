"""Faults: the database or the geocoder goes away while the app runs, then comes back.

The database is cut with a small TCP proxy in front of the shared PostgreSQL server, so
the server itself is never stopped.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlmodel import Session

import seed.importer
from api.app import create_app
from api.db import migrate
from api.db.engine import create_database_engine
from api.db.models import Resource
from api.settings import Settings
from tests.api.directory_rows import add_resource
from tests.api.staff_keys import bearer, issue_key
from tests.conftest import base_settings, settings_with
from tests.databases import create_postgres_database, drop_postgres_database

EXAMPLE_CSV = (
    Path(__file__).resolve().parents[3] / "seed" / "examples" / "resources.csv"
).read_bytes()


class CuttableProxy:
    """Forwards TCP connections to ``upstream`` until ``cut()``; ``restore()`` resumes."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.up = False
        with self.lock:
            for end in self.open:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()
            self.open.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture
def proxied() -> Iterator[tuple[Settings, CuttableProxy]]:
    url = create_postgres_database("puente_faults")
    try:
        direct = base_settings(url.render_as_string(hide_password=False))
        migrate.upgrade(direct)
        proxy = CuttableProxy((url.host or "127.0.0.1", url.port or 5432))
        through = make_url(direct.database_url).set(host="127.0.0.1", port=proxy.port)
        try:
            yield settings_with(direct, database_url=through.render_as_string(False)), proxy
        finally:
            proxy.close()
    finally:
        drop_postgres_database(url)


Request = tuple[str, str, dict[str, object] | None, dict[str, str]]


def check_outage_and_recovery(
    settings: Settings, proxy: CuttableProxy, requests: list[Request]
) -> None:
    with TestClient(create_app(settings)) as client:
        for method, path, body, headers in requests:
            response = client.request(method, path, json=body, headers=headers)
            assert response.status_code < 500, (path, response.text)

        proxy.cut()
        for method, path, body, headers in requests:
            response = client.request(method, path, json=body, headers=headers)
            assert response.status_code == 503, (path, response.status_code, response.text)
            assert response.headers["content-type"].startswith("application/problem+json"), path
            assert response.json()["title"] == "Database unavailable", path
            assert "Traceback" not in response.text and "psycopg" not in response.text
        assert client.get("/health").status_code == 200

        proxy.restore()
        for method, path, body, headers in requests:
            response = client.request(method, path, json=body, headers=headers)
            assert response.status_code < 500, (path, response.text)
        assert client.get("/ready").json()["status"] == "ready"


def seeded(settings: Settings) -> tuple[int, dict[str, str]]:
    engine = create_database_engine(settings.sqlalchemy_url)
    try:
        return add_resource(engine), bearer(issue_key(engine, "admin"))
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_with_the_database_gone_writes_feeds_pages_and_staff_reads_are_503_then_recover(
    proxied: tuple[Settings, CuttableProxy],
) -> None:
    settings, proxy = proxied
    resource_id, staff = seeded(settings)
    check_outage_and_recovery(
        settings,
        proxy,
        [
            ("GET", "/ready", None, {}),
            ("GET", "/api/v1/resources.csv", None, {}),
            ("GET", "/api/v1/resources.geojson", None, {}),
            ("GET", "/", None, {}),
            ("POST", f"/api/v1/resources/{resource_id}/reports", {"kind": "closed"}, {}),
            ("GET", "/api/v1/audit", None, staff),
            ("GET", "/api/v1/reports", None, staff),
            ("POST", "/api/v1/organizations", {"name": "New"}, staff),
            ("PATCH", f"/api/v1/resources/{resource_id}", {"fees": "Free"}, staff),
        ],
    )


@pytest.mark.postgres
def test_with_the_database_gone_cached_public_reads_are_503_then_recover(
    proxied: tuple[Settings, CuttableProxy],
) -> None:
    settings, proxy = proxied
    resource_id, _ = seeded(settings)
    check_outage_and_recovery(
        settings,
        proxy,
        [
            ("GET", "/api/v1/resources", None, {}),
            ("GET", "/api/v1/resources?near=32.78,-96.8", None, {}),
            ("GET", f"/api/v1/resources/{resource_id}", None, {}),
            ("GET", "/api/v1/events", None, {}),
            ("GET", "/api/v1/areas", None, {}),
            ("GET", "/api/v1/languages", None, {}),
        ],
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_with_the_geocoder_down_address_searches_are_503_with_the_reason(
    settings: Settings,
) -> None:
    down = settings_with(
        settings,
        geocoder="nominatim",
        geocoder_domain=f"127.0.0.1:{closed_port()}",
        geocoder_scheme="http",
        geocoder_user_agent="puente-tests",
        geocoder_timeout_s=2.0,
    )
    with TestClient(create_app(down)) as client:
        response = client.get("/api/v1/resources", params={"address": "1 Main St, Dallas TX"})
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["title"] == "Geocoder unavailable"
        assert len(response.json()["detail"]) > len("The address could not be looked up")
        assert "retry-after" in response.headers
        assert client.get("/api/v1/resources", params={"near": "32.78,-96.8"}).status_code == 200


@pytest.mark.postgres
def test_an_upload_cut_off_by_a_database_outage_is_503_and_writes_nothing(
    proxied: tuple[Settings, CuttableProxy], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, proxy = proxied
    _, staff = seeded(settings)
    upload = {"file": ("resources.csv", EXAMPLE_CSV, "text/csv")}
    write = seed.importer.ResourceBatch.write

    def cut_then_write(batch: seed.importer.ResourceBatch) -> Any:
        proxy.cut()  # the database goes away while the import writes
        return write(batch)

    with TestClient(create_app(settings)) as client:
        monkeypatch.setattr(seed.importer.ResourceBatch, "write", cut_then_write)
        response = client.post("/api/v1/imports", files=upload, headers=staff)
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"]
        assert response.json()["title"] == "Database unavailable"

        monkeypatch.setattr(seed.importer.ResourceBatch, "write", write)
        proxy.restore()
        assert resources_in(settings) == 1  # the seeded one: the cut import wrote nothing
        again = client.post("/api/v1/imports", files=upload, headers=staff)
        assert again.status_code == 200, again.text
        assert resources_in(settings) > 1


def resources_in(settings: Settings) -> int:
    engine = create_database_engine(settings.sqlalchemy_url)
    try:
        with Session(engine) as session:
            return int(session.scalar(select(func.count()).select_from(Resource)) or 0)
    finally:
        engine.dispose()
