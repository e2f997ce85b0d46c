"""An API write behind an import that holds SQLite past the busy timeout: a clear 503."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

import api.db.engine
import seed.importer
from api.app import create_app
from api.db.engine import create_database_engine
from api.settings import Settings
from seed.readers import Source
from seed.report import ImportReport
from tests.api.directory_rows import add_resource
from tests.api.staff_keys import bearer, issue_key

EXAMPLE_CSV = Path(__file__).resolve().parents[3] / "seed" / "examples" / "resources.csv"


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """One second instead of thirty, for engines made from now on."""
    monkeypatch.setattr(api.db.engine, "BUSY_TIMEOUT_S", 1)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_write_behind_a_long_import_is_503_busy_with_retry_after(
    settings: Settings, short_busy_timeout: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = create_database_engine(settings.sqlalchemy_url)
    resource_id = add_resource(setup)
    staff = bearer(issue_key(setup, "admin"))
    setup.dispose()

    writing, finish = threading.Event(), threading.Event()
    write = seed.importer.ResourceBatch.write

    def slow_write(batch: seed.importer.ResourceBatch) -> Any:
        writing.set()
        finish.wait(timeout=60)  # the import holds the writer's lock meanwhile
        return write(batch)

    monkeypatch.setattr(seed.importer.ResourceBatch, "write", slow_write)
    importer: Engine = create_database_engine(settings.sqlalchemy_url)
    reports: list[ImportReport] = []
    source = Source(name="resources.csv", data=EXAMPLE_CSV.read_bytes())
    thread = threading.Thread(
        target=lambda: reports.append(
            seed.importer.import_sources(importer, settings, [source], actor="importer")
        )
    )
    with TestClient(create_app(settings)) as client:
        client.get("/api/v1/audit", headers=staff)  # the key's use is noted before
        thread.start()
        try:
            assert writing.wait(timeout=30)
            busy = [
                client.patch(
                    f"/api/v1/resources/{resource_id}", json={"fees": "Free"}, headers=staff
                ),
                client.post("/api/v1/organizations", json={"name": "Org"}, headers=staff),
                client.post(f"/api/v1/resources/{resource_id}/reports", json={"kind": "closed"}),
            ]
            read = client.get(f"/api/v1/resources/{resource_id}")
        finally:
            finish.set()
            thread.join(timeout=60)
            importer.dispose()
        for response in busy:
            assert response.status_code == 503, response.text
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.headers["retry-after"] == "30"
            problem = response.json()
            assert problem["title"] == "Directory busy with an import"
            assert "import" in problem["detail"]
        assert read.status_code == 200  # readers never wait for a writer
        assert reports and reports[0].written

        again = client.patch(
            f"/api/v1/resources/{resource_id}", json={"fees": "Free"}, headers=staff
        )
        assert again.status_code == 200, again.text
