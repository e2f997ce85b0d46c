"""Rows many at a time: the row an object would have been, the ids in the rows' order."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.db.models import Location, utcnow
from api.directory.audit import snapshot
from seed.bulk import insert_rows, new_row, snapshot_row


def test_a_bulk_row_is_the_row_an_object_would_be(engine: Engine) -> None:
    now = utcnow()
    values = {
        "address": "1 Main St.",
        "latitude": 32.7,
        "longitude": -96.8,
        "created_at": now,
        "updated_at": now,
    }
    with Session(engine) as session:
        location = Location(**values)
        session.add(location)
        session.flush()
        row = {**new_row(Location, values), "id": location.id}
        assert snapshot_row(Location, row) == snapshot(location)
        assert list(snapshot_row(Location, row)) == list(snapshot(location) or {})


def test_inserted_rows_get_their_ids_in_order(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(Location(address="first", latitude=1, longitude=1))
        session.flush()
        rows = [
            new_row(Location, {"address": f"{i} Main St.", "latitude": 30 + i, "longitude": -96})
            for i in range(5)
        ]
        insert_rows(session, Location, rows)
        ids = [row["id"] for row in rows]
        assert ids == sorted(ids) and len(set(ids)) == 5
        stored = session.exec(
            select(Location.id, Location.address).where(col(Location.id).in_(ids))
        ).all()
        assert sorted(stored) == [(row["id"], row["address"]) for row in rows]
        session.add(Location(address="after", latitude=1, longitude=1))
        session.flush()  # the database's own ids go on past the rows inserted here
        session.commit()


def test_a_refused_row_is_the_database_s_error(engine: Engine) -> None:
    with Session(engine) as session:
        rows = [
            new_row(Location, {"address": "1 Main St.", "latitude": 32.7, "longitude": -96.8}),
            new_row(Location, {"address": "2 Main St.", "latitude": 123, "longitude": -96.8}),
        ]
        with pytest.raises(IntegrityError):
            insert_rows(session, Location, rows)
        session.rollback()
        assert session.exec(select(Location)).all() == []
