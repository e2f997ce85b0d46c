"""The engine's SQLite transactions: writers queue for the lock instead of failing."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from api.db.engine import begin_writing, create_database_engine


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Engine:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'writers.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE counter (n INTEGER NOT NULL)")
        connection.exec_driver_sql("INSERT INTO counter VALUES (0)")
    return engine


def _increment(engine: Engine, *, writing: bool, hold_s: float, errors: list[str]) -> None:
    """Read the counter, wait, write it plus one: a read-then-write transaction."""
    try:
        with Session(engine) as session:
            if writing:
                begin_writing(session)
            n = session.execute(text("SELECT n FROM counter")).scalar_one()
            time.sleep(hold_s)
            session.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
            session.commit()
    except OperationalError as exc:
        errors.append(str(exc.orig))


def _race(engine: Engine, *, writing: bool) -> list[str]:
    errors: list[str] = []
    first = threading.Thread(
        target=_increment,
        args=(engine,),
        kwargs={"writing": writing, "hold_s": 0.4, "errors": errors},
    )
    second = threading.Thread(
        target=_increment,
        args=(engine,),
        kwargs={"writing": writing, "hold_s": 0, "errors": errors},
    )
    first.start()
    time.sleep(0.1)  # the second begins while the first holds its transaction
    second.start()
    first.join()
    second.join()
    return errors


def test_two_writers_at_once_both_succeed_in_turn(sqlite_engine: Engine) -> None:
    assert _race(sqlite_engine, writing=True) == []
    with sqlite_engine.connect() as connection:
        # The second read the first's write: no update was lost.
        assert connection.execute(text("SELECT n FROM counter")).scalar_one() == 2


def test_without_saying_so_the_second_writer_fails(sqlite_engine: Engine) -> None:
    """What ``begin_writing`` prevents: a deferred read-then-write transaction cannot wait."""
    errors = _race(sqlite_engine, writing=False)
    assert errors and "locked" in errors[0]


def test_readers_do_not_wait_for_a_writer(sqlite_engine: Engine) -> None:
    with Session(sqlite_engine) as writer:
        begin_writing(writer)
        writer.execute(text("UPDATE counter SET n = 5"))
        started = time.monotonic()
        with sqlite_engine.connect() as reader:
            assert reader.execute(text("SELECT n FROM counter")).scalar_one() == 0
        assert time.monotonic() - started < 5  # not the 30 s busy timeout
        writer.commit()
