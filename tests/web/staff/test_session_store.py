"""On SQLite, a console page answers while another writer (an import) holds the database's
one writer lock: reading a session never waits for it, and the renewal it skipped is made
once the lock is free."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session, select

from api.db.engine import BUSY_TIMEOUT_S
from api.db.models import StaffSession
from api.settings import Settings
from web.staff.sessions import COOKIE, IDLE_S

PROMPT_S = 5.0
"""Well below the busy timeout: a request that waited for the lock would not answer in it."""

assert PROMPT_S * 4 < BUSY_TIMEOUT_S


@contextmanager
def write_lock(settings: Settings) -> Iterator[None]:
    """Hold SQLite's writer lock from a connection of its own, as an import does."""
    path = settings.sqlalchemy_url.database
    assert path
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        yield
        holder.execute("ROLLBACK")
    finally:
        holder.close()


def _expiry(engine: Engine, key: str | None) -> datetime:
    with Session(engine) as session:
        expires_at = session.exec(
            select(StaffSession.expires_at).where(StaffSession.key == key)
        ).one()
    assert expires_at is not None
    return expires_at


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_console_page_answers_while_another_writer_holds_the_database(
    editor: TestClient[Litestar], engine: Engine, settings: Settings
) -> None:
    key = editor.cookies.get(COOKIE)
    # The session was last renewed long enough ago that this request renews it.
    due = datetime.now(UTC) + timedelta(seconds=IDLE_S / 2)
    with Session(engine) as session:
        session.execute(update(StaffSession).values(expires_at=due))
        session.commit()
    with ThreadPoolExecutor(max_workers=1) as pool, write_lock(settings):
        answer = pool.submit(editor.get, "/staff", follow_redirects=False).result(timeout=PROMPT_S)
        assert answer.status_code == 200
        assert "Ana Editor" in answer.text
        # The renewal waited a moment for the lock, then was left for a later request.
        assert _expiry(engine, key) == due
    assert editor.get("/staff", follow_redirects=False).status_code == 200
    assert _expiry(engine, key) > datetime.now(UTC) + timedelta(seconds=IDLE_S * 0.8)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_recently_renewed_session_is_read_without_writing(
    editor: TestClient[Litestar], engine: Engine
) -> None:
    key = editor.cookies.get(COOKIE)
    renewed = _expiry(engine, key)
    assert editor.get("/staff", follow_redirects=False).status_code == 200
    assert _expiry(engine, key) == renewed
