"""A second, empty directory of the test's backend, to import an export into."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.db import migrate
from api.settings import Settings
from tests.conftest import base_settings
from tests.databases import create_postgres_database, drop_postgres_database


@pytest.fixture
def fresh_settings(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Settings]:
    """A second migrated, empty database of the test's backend."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copyfile(template, tmp_path / "fresh.db")
        yield base_settings(f"sqlite:///{tmp_path / 'fresh.db'}")
        return
    url = create_postgres_database("puente_fresh")
    try:
        settings = base_settings(url.render_as_string(hide_password=False))
        migrate.upgrade(settings)
        yield settings
    finally:
        drop_postgres_database(url)
