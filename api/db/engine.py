"""The database engine: one per app or command, configured per dialect.

SQLite runs in WAL mode with foreign keys on, and its driver's implicit transaction
handling is replaced by explicit ``BEGIN``: DDL then rolls back like everything else, so a
failed migration or import leaves the file as it was, and savepoints work.

A transaction that will write says so first (:func:`begin_writing`): on SQLite it then
begins ``IMMEDIATE``, taking the one writer's lock before it reads, so two writers at the
same moment queue within the busy timeout instead of one failing. (A deferred transaction
that reads and then writes fails at once when another writer committed in between; no
timeout can help it.) Readers never wait for writers in WAL mode. PostgreSQL needs nothing:
rows are locked as they are read for update.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

__all__ = [
    "BUSY_TIMEOUT_S",
    "WRITING",
    "begin_writing",
    "create_database_engine",
    "is_busy",
    "ping",
]

BUSY_TIMEOUT_S = 30
"""How long an SQLite writer waits for another's lock before it gives up ("database is locked")."""

WRITING = {"puente_writing": True}
"""Execution options of a connection whose transaction will write."""


def create_database_engine(url: URL | str, **kwargs: Any) -> Engine:
    # hide_parameters: a logged database error must not carry search coordinates or text.
    engine = create_engine(url, hide_parameters=True, **_dialect_options(url), **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def begin_writing(session: Session) -> None:
    """Mark the session's transaction as one that writes; call it before its first statement.

    On SQLite the transaction then begins ``IMMEDIATE``. A session that has already begun
    keeps its transaction as it is, so call this first.
    """
    if not session.in_transaction():
        session.connection(execution_options=WRITING)


def is_busy(error: BaseException | None) -> bool:
    """Whether a driver error says another writer held SQLite past the busy timeout (a long
    import, in practice: the API's own writes take milliseconds)."""
    message = str(error).lower()
    return isinstance(error, sqlite3.OperationalError) and (
        "database is locked" in message or "database is busy" in message
    )


def ping(engine: Engine) -> None:
    """Raise the driver's error unless the database answers a trivial query."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _dialect_options(url: URL | str) -> dict[str, Any]:
    name = url.get_backend_name() if isinstance(url, URL) else url.split(":", 1)[0]
    if name.startswith("sqlite"):
        return {"connect_args": {"check_same_thread": False, "timeout": BUSY_TIMEOUT_S}}
    return {"pool_pre_ping": True, "connect_args": {"connect_timeout": 5}}


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        writing = connection.get_execution_options().get("puente_writing", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")
