"""The directory version: a one-row counter that database triggers bump on every change to a
directory table (migration 0003), so anything built from the directory can tell it is stale.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, text

__all__ = ["DirectoryVersionReader", "read_directory_version"]

VERSION_SQL = "SELECT version FROM directory_version WHERE id = 1"
VERSION_QUERY = text(VERSION_SQL)


def read_directory_version(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(VERSION_QUERY).scalar_one())


class DirectoryVersionReader:
    """Reads the directory version on one connection it keeps, in autocommit mode.

    Every cached read asks for the version, so it skips the pool checkout and the
    transaction a session would open: one plain statement on a held connection (per process).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Any = None
        self._lock = threading.Lock()

    def __call__(self) -> int:
        with self._lock:
            for attempt in (1, 2):
                try:
                    return self._read()
                except self.engine.dialect.dbapi.Error:  # type: ignore[union-attr]
                    self._discard()  # a dropped connection: one fresh try
                    if attempt == 2:
                        raise
        raise AssertionError("unreachable")

    def _read(self) -> int:
        if self._connection is None:
            connection = self.engine.raw_connection()
            if self.engine.dialect.name == "postgresql":
                connection.driver_connection.autocommit = True  # type: ignore[union-attr]
            self._connection = connection
        cursor = self._connection.cursor()
        try:
            cursor.execute(VERSION_SQL)
            return int(cursor.fetchone()[0])
        finally:
            cursor.close()

    def _discard(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.invalidate()

    def close(self) -> None:
        with self._lock:
            connection, self._connection = self._connection, None
            if connection is not None:
                if self.engine.dialect.name == "postgresql":
                    connection.driver_connection.autocommit = False
                connection.close()
