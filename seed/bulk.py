"""New rows many at a time: one INSERT per table, with the ids back in the rows' order.

A row here is a dict of column values, filled with the model's defaults as the model's
constructor fills them, so a row written this way is the row an object would have been;
:func:`snapshot_row` is :func:`api.directory.audit.snapshot` of that object.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import insert, inspect, text
from sqlmodel import Session, SQLModel

from api.db.models import table_of, utcnow
from api.directory.audit import Action, json_safe

__all__ = ["audit_row", "insert_rows", "new_row", "snapshot_row"]

_NEXT_IDS = text(
    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"
)


def new_row(model: type[SQLModel], values: Mapping[str, Any]) -> dict[str, Any]:
    """Every column of a new ``model`` row but its id: ``values``, else the field's default."""
    row: dict[str, Any] = {}
    for key, default, factory in _defaults(model):
        if key in values:
            row[key] = values[key]
        elif factory is not None:
            row[key] = factory()
        elif default is PydanticUndefined:
            raise KeyError(f"a new {model.__name__} needs {key}")
        else:
            row[key] = default
    return row


def insert_rows(
    session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]], *, ids: bool = True
) -> None:
    """Insert ``rows``; with ``ids``, each row gets its new ``id``, ascending in row order."""
    if not rows:
        return
    table = table_of(model)
    if ids and session.get_bind().dialect.name == "postgresql":
        # psycopg parses the text of a many-row INSERT ... RETURNING again on every run (too
        # long for its cache), which costs more than the insert. Ids taken from the sequence
        # first let the rows go as one pipelined executemany, as rows without ids do.
        taken = session.execute(_NEXT_IDS, {"table": table.name, "count": len(rows)})
        for row, new_id in zip(rows, sorted(taken.scalars()), strict=True):
            row["id"] = new_id
        ids = False
    if not ids:
        session.execute(insert(table), list(rows))
        return
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    result = session.execute(statement, list(rows))
    for row, (new_id,) in zip(rows, result.all(), strict=True):
        row["id"] = new_id


def snapshot_row(model: type[SQLModel], row: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON-safe copy of the row's columns, in the order
    :func:`api.directory.audit.snapshot` uses."""
    return {key: json_safe(row[key]) for key in _columns(model)}


def audit_row(
    *,
    actor: str,
    action: Action,
    entity: str,
    entity_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An audit entry as a row, the one :func:`api.directory.audit.record` would add."""
    return {
        "at": utcnow(),
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "before": before,
        "after": after,
    }


@functools.cache
def _columns(model: type[SQLModel]) -> tuple[str, ...]:
    return tuple(column.key for column in inspect(model).column_attrs)


@functools.cache
def _defaults(model: type[SQLModel]) -> tuple[tuple[str, Any, Callable[[], Any] | None], ...]:
    """(column, default, default factory) of every column but the id."""
    fields = model.model_fields
    return tuple(
        (key, fields[key].default, fields[key].default_factory)  # type: ignore[misc]
        for key in _columns(model)
        if key != "id"
    )
