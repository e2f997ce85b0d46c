"""The console's database session store, whose reads never wait for another writer.

advanced-alchemy's store renews a session's expiry on every read and writes the session
back on every answer, so on SQLite each console request would take the database's one
writer lock, and wait for it (up to the busy timeout) while an import holds it. This store
reads in a deferred transaction (in WAL mode a reader never waits), renews an expiry only
once it is older than a tenth of the idle time, and renews with a short lock wait,
skipping the renewal when another writer holds the lock (the next request tries again).
Writing back data that did not change is such a renewal too; changed data (a sign-in, the
console language) is written as before, waiting its turn.

So a session ends after between nine tenths of the idle time and the idle time without
use; while a writer holds the lock for longer than that, a session in use may end.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemySyncConfig
from advanced_alchemy.extensions.litestar.store import SQLAlchemyStore
from anyio import to_thread
from sqlalchemy import Connection, select, update
from sqlalchemy.exc import OperationalError

from api.db.engine import BUSY_TIMEOUT_S, is_busy

__all__ = ["RENEW_AFTER", "RENEW_WAIT_S", "ConsoleSessionStore"]

RENEW_AFTER = 0.1
"""The part of the idle time that must pass since the last renewal before the next."""
RENEW_WAIT_S = 0.05
"""How long a renewal waits for another writer's lock before it is skipped."""


class ConsoleSessionStore(SQLAlchemyStore[SQLAlchemySyncConfig]):
    """advanced-alchemy's store over a writing (SQLite: ``IMMEDIATE``) engine, with reads
    and renewals that do not wait for another writer."""

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        return await to_thread.run_sync(self._read, key, _seconds(renew_for))

    async def set(
        self, key: str, value: bytes | str, expires_in: int | timedelta | None = None
    ) -> None:
        data = value if isinstance(value, bytes) else value.encode()
        unchanged = await to_thread.run_sync(self._renew_unchanged, key, data, _seconds(expires_in))
        if not unchanged:
            await super().set(key, data, expires_in)

    def _read(self, key: str, renew_for: float | None) -> bytes | None:
        found = self._stored(key)
        if found is None:
            return None
        value, expires_at = found
        if renew_for:
            self._renew_if_due(key, expires_at, renew_for)
        return value

    def _renew_unchanged(self, key: str, data: bytes, expires_in: float | None) -> bool:
        """Whether ``data`` is what is stored already (then renewed as a read renews it)."""
        found = self._stored(key)
        if found is None or found[0] != data or (expires_in is None) != (found[1] is None):
            return False
        if expires_in:
            self._renew_if_due(key, found[1], expires_in)
        return True

    def _stored(self, key: str) -> tuple[bytes, datetime | None] | None:
        """The unexpired value and expiry under ``key``, read without taking the writer lock."""
        now = datetime.now(UTC)
        model = self._model
        reading = self._config.get_engine().execution_options(puente_writing=False)
        with reading.connect() as connection, connection.begin():
            row = connection.execute(
                select(model.value, model.expires_at).where(
                    model.key == key,
                    model.namespace == self.namespace,
                    model.expires_at.is_(None) | (model.expires_at > now),
                )
            ).one_or_none()
        return None if row is None else (bytes(row[0]), row[1])

    def _renew_if_due(self, key: str, expires_at: datetime | None, renew_for: float) -> None:
        now = datetime.now(UTC)
        if expires_at is None or expires_at > now + timedelta(
            seconds=renew_for * (1 - RENEW_AFTER)
        ):
            return
        model = self._model
        with self._config.get_engine().connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                _busy_timeout(connection, RENEW_WAIT_S)
            try:
                with connection.begin():
                    connection.execute(
                        update(model)
                        .where(
                            model.key == key,
                            model.namespace == self.namespace,
                            model.expires_at > now,
                        )
                        .values(expires_at=now + timedelta(seconds=renew_for))
                    )
            except OperationalError as error:
                if not is_busy(error.orig):
                    raise
            finally:
                if sqlite:
                    _busy_timeout(connection, BUSY_TIMEOUT_S)


def _seconds(duration: int | timedelta | None) -> float | None:
    return duration.total_seconds() if isinstance(duration, timedelta) else duration


def _busy_timeout(connection: Connection, seconds: float) -> None:
    """Set how long the driver's connection waits for another writer's lock (outside any
    transaction: SQLite's driver runs the statement as it is)."""
    driver: Any = connection.connection.driver_connection
    driver.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
