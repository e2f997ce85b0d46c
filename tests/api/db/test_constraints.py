"""The database itself refuses impossible values, on both engines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session, select

from api.db.models import Event, Location

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def insert_location(
    connection, latitude: float = 32.7, longitude: float = -96.8, precision: str = "provided"
) -> int:
    return connection.execute(
        text(
            "INSERT INTO location (latitude, longitude, geocode_precision, confidential,"
            " created_at, updated_at) VALUES (:lat, :lon, :p, false, :now, :now) RETURNING id"
        ),
        {"lat": latitude, "lon": longitude, "p": precision, "now": NOW},
    ).scalar_one()


def insert_resource(connection, category: str = "legal_aid", status: str = "active") -> int:
    location = insert_location(connection)
    return connection.execute(
        text(
            "INSERT INTO resource (category, name, status, location_id, created_at, updated_at)"
            " VALUES (:c, 'x', :s, :l, :now, :now) RETURNING id"
        ),
        {"c": category, "s": status, "l": location, "now": NOW},
    ).scalar_one()


def insert_event(
    connection, starts: datetime, ends: datetime | None, status: str = "scheduled"
) -> int:
    location = insert_location(connection)
    return connection.execute(
        text(
            "INSERT INTO event (title, starts_at, ends_at, status, location_id, created_at,"
            " updated_at) VALUES ('m', :s, :e, :st, :l, :now, :now) RETURNING id"
        ),
        {"s": starts, "e": ends, "st": status, "l": location, "now": NOW},
    ).scalar_one()


def insert_language(connection, code: str = "es", support: str = "staff") -> None:
    resource = insert_resource(connection)
    connection.execute(
        text("INSERT INTO resource_language (resource_id, code, support) VALUES (:r, :c, :s)"),
        {"r": resource, "c": code, "s": support},
    )


BAD_ROWS: dict[str, Callable[..., object]] = {
    "latitude above 90": lambda c: insert_location(c, latitude=123),
    "latitude below -90": lambda c: insert_location(c, latitude=-90.5),
    "longitude above 180": lambda c: insert_location(c, longitude=181),
    "longitude below -180": lambda c: insert_location(c, longitude=-200),
    "unknown precision": lambda c: insert_location(c, precision="guess"),
    "unknown category": lambda c: insert_resource(c, category="bakery"),
    "unknown resource status": lambda c: insert_resource(c, status="maybe"),
    "unknown event status": lambda c: insert_event(c, NOW, None, status="happening"),
    "event ending before it starts": lambda c: insert_event(c, NOW, NOW - timedelta(hours=1)),
    "event ending as it starts": lambda c: insert_event(c, NOW, NOW),
    "unknown language support": lambda c: insert_language(c, support="telepathy"),
    "language code too long": lambda c: insert_language(c, code="span"),
    "language code in capitals": lambda c: insert_language(c, code="ES"),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_check_constraint_rejects(engine: Engine, case: str) -> None:
    # PostgreSQL refuses an over-long code by the column's length (DataError) before its CHECK.
    with pytest.raises((IntegrityError, DataError)), engine.begin() as connection:
        BAD_ROWS[case](connection)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM location")).scalar_one() == 0


def test_good_rows_are_accepted(engine: Engine) -> None:
    with engine.begin() as connection:
        insert_location(connection, latitude=90, longitude=-180)
        insert_event(connection, NOW, NOW + timedelta(hours=2))
        insert_event(connection, NOW, None)
        insert_language(connection, code="vie", support="materials")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM location")).scalar_one() == 4


def test_datetimes_come_back_timezone_aware_in_utc(engine: Engine) -> None:
    local = datetime(2025, 2, 12, 19, 30, tzinfo=ZoneInfo("America/Chicago"))
    with Session(engine) as session:
        location = Location(latitude=32.7, longitude=-96.7)
        session.add(location)
        session.flush()
        session.add(Event(title="m", starts_at=local, location_id=location.id))
        session.commit()
    with Session(engine) as session:
        event = session.exec(select(Event)).one()
    assert event.starts_at.utcoffset() == timedelta(0)
    assert event.starts_at == datetime(2025, 2, 13, 1, 30, tzinfo=UTC)
