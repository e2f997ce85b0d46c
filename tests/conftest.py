"""Every database test runs on SQLite and, when configured, on PostgreSQL.

Each test gets a freshly migrated, empty database: SQLite copies a migrated template file;
PostgreSQL migrates one database per session and empties every table before each test.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from advanced_alchemy.extensions.litestar import SQLAlchemySyncConfig
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from api.app import create_app
from api.db import migrate
from api.db.engine import create_database_engine
from api.db.models import SQLModel
from api.settings import Settings
from tests.databases import create_postgres_database, drop_postgres_database

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def base_settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, geocoder="offline", tile_url=None)


@pytest.fixture(autouse=True)
def _database_config_keys() -> Iterator[None]:
    """Give back the keys the test's apps took in advanced-alchemy's registries.

    The library keeps every database config's keys in class-wide sets and finds a free one
    by recursing once per config made before it in the process; the suite makes two configs
    per app, so after about 500 apps a test worker would meet Python's recursion limit.
    """
    names = (
        "_SESSION_SCOPE_KEY_REGISTRY",
        "_ENGINE_APP_STATE_KEY_REGISTRY",
        "_SESSIONMAKER_APP_STATE_KEY_REGISTRY",
    )
    registries: list[set[str]] = [getattr(SQLAlchemySyncConfig, name) for name in names]
    before = [set(registry) for registry in registries]
    yield
    for registry, kept in zip(registries, before, strict=True):
        registry.intersection_update(kept)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "puente.db"
    migrate.upgrade(base_settings(f"sqlite:///{path}"))
    engine = create_database_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    url = create_postgres_database()
    rendered = url.render_as_string(hide_password=False)
    try:
        migrate.upgrade(base_settings(rendered))
        yield rendered
    finally:
        drop_postgres_database(url)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of the test's backend."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copyfile(template, tmp_path / "puente.db")
        return f"sqlite:///{tmp_path / 'puente.db'}"
    url: str = request.getfixturevalue("postgres_database")
    _empty_postgres(url)
    return url


def _empty_postgres(url: str) -> None:
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    engine = create_database_engine(make_url(url))
    try:
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return base_settings(database_url)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = create_database_engine(settings.sqlalchemy_url)
    yield engine
    engine.dispose()


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as client:
        yield client


def settings_with(settings: Settings, **changes: object) -> Settings:
    return replace(settings, **changes)  # type: ignore[arg-type]
