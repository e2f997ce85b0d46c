"""Fresh databases for tests: SQLite files always, PostgreSQL when a server is configured.

``PUENTE_TEST_DATABASE_URL`` names a PostgreSQL server (any database on it); tests create
and drop their own databases there. ``PUENTE_REQUIRE_POSTGRES=1`` turns a missing server
into a failure instead of a skip.
"""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from api.db.engine import create_database_engine

__all__ = ["create_postgres_database", "drop_postgres_database", "postgres_server_url"]


def postgres_server_url() -> URL:
    """The configured server, or a skip (a failure when PostgreSQL is required)."""
    value = os.environ.get("PUENTE_TEST_DATABASE_URL", "").strip()
    if not value:
        reason = "PostgreSQL not configured: set PUENTE_TEST_DATABASE_URL to run these tests"
        if os.environ.get("PUENTE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PUENTE_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    return make_url(value).set(drivername="postgresql+psycopg")


def create_postgres_database(prefix: str = "puente_test") -> URL:
    server = postgres_server_url()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = create_database_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return server.set(database=name)


def drop_postgres_database(url: URL) -> None:
    engine = create_database_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    finally:
        engine.dispose()
