"""Retired listings as tombstones: a partner's mirror learns which ids to delete, and when.

With ``include_retired``, the ranking keeps retired resources and events (and those at a
retired location) among its hits, in the same order as the live ones; here they become a
``Tombstone`` carrying the id and the moment of retirement, and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, Table, bindparam, or_, select
from sqlalchemy.orm import Session

from api.db.models import Event, Location, Resource, table_of
from api.directory.schemas import Tombstone
from api.search.changes import changed_at
from api.search.results import Hit

__all__ = ["with_tombstones"]

Live = TypeVar("Live")

_location = table_of(Location)


def _retired_rows(table: Table) -> Select[Any]:
    return (
        select(table.c.id, changed_at(table, _location).label("updated_at"))
        .join(_location, _location.c.id == table.c.location_id)
        .where(
            table.c.id.in_(bindparam("ids", expanding=True)),
            or_(table.c.retired_at.is_not(None), _location.c.retired_at.is_not(None)),
        )
    )


_RETIRED = {"resource": _retired_rows(table_of(Resource)), "event": _retired_rows(table_of(Event))}


def with_tombstones(
    session: Session,
    kind: str,
    hits: Sequence[Hit],
    publish: Callable[[Sequence[Hit]], list[Live]],
) -> list[Live | Tombstone]:
    """``hits`` in order: a tombstone for each retired one, ``publish`` for the rest."""
    if not hits:
        return []
    retired = {
        row.id: Tombstone(id=row.id, updated_at=row.updated_at)
        for row in session.execute(_RETIRED[kind], {"ids": [hit.id for hit in hits]})
    }
    published = iter(publish([hit for hit in hits if hit.id not in retired]))
    return [retired[hit.id] if hit.id in retired else next(published) for hit in hits]
