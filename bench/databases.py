"""Throwaway databases for a run: an SQLite file, or a ``puente_bench_*`` PostgreSQL database
created on the configured server and dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from api.db import migrate
from api.db.engine import create_database_engine
from api.settings import Settings

__all__ = ["DEFAULT_POSTGRES", "throwaway_database"]

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def settings_for(url: str) -> Settings:
    return Settings(database_url=url, geocoder="offline", tile_url=None)


@contextmanager
def throwaway_database(kind: str, *, workdir: Path, postgres_url: str) -> Iterator[Settings]:
    """A migrated, empty database of ``kind`` (``sqlite`` or ``postgresql``)."""
    if kind == "sqlite":
        path = workdir / f"puente_bench_{uuid.uuid4().hex[:8]}.db"
        settings = settings_for(f"sqlite:///{path}")
        migrate.upgrade(settings)
        try:
            yield settings
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    server = make_url(postgres_url).set(drivername="postgresql+psycopg")
    name = f"puente_bench_{uuid.uuid4().hex[:8]}"
    admin = create_database_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = server.set(database=name).render_as_string(hide_password=False)
        settings = settings_for(url)
        migrate.upgrade(settings)
        yield settings
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
