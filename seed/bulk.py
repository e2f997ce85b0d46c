"""New rows many at a time: one statement per table, the ids taken first in the rows' order.

A row here is a dict of column values, filled with the model's defaults as the model's
constructor fills them, so a row written this way is the row an object would have been;
:func:`snapshot_row` is :func:`api.directory.audit.snapshot` of that object.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from pydantic_core import PydanticUndefined
from sqlalchemy import Column, Connection, Dialect, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel

from api.db.models import table_of, utcnow
from api.directory.audit import Action, json_safe

if TYPE_CHECKING:
    import psycopg

__all__ = ["audit_row", "insert_rows", "new_row", "snapshot_row"]

_JSON_READY = frozenset({str, int, float, bool, type(None)})
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
    """Insert ``rows``; with ``ids``, each row gets its new ``id``, ascending in row order.

    Every row has the keys of the first. The values go through the columns' own bind
    processors, as an ORM or Core insert would send them, but straight to the driver: one
    ``COPY`` on PostgreSQL, one ``executemany`` on SQLite. Through SQLAlchemy's executemany
    each row's parameters are built and processed one by one, and with ``RETURNING`` on
    SQLite each row is a statement of its own, which cost more than the inserts.
    """
    if not rows:
        return
    table = table_of(model)
    connection = session.connection()
    dialect = connection.dialect
    if ids:
        for row, new_id in zip(rows, _new_ids(connection, table.name, len(rows)), strict=True):
            row["id"] = new_id
    columns = [table.c[key] for key in rows[0]]
    values = _values(dialect, columns, rows)
    # Only the model's own table and column names are written into the statements.
    quote = dialect.identifier_preparer.quote
    into = f"{quote(table.name)} ({', '.join(quote(column.name) for column in columns)})"
    if dialect.name == "postgresql":
        _copy(connection, f"COPY {into} FROM STDIN", values)
        return
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(f"INSERT INTO {into} VALUES ({marks})", values)  # noqa: S608


def _values(
    dialect: Dialect, columns: Sequence[Column[Any]], rows: Sequence[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    """Each row's values in the order of ``columns``, through the columns' bind processors
    (most columns have none, so only those that do are visited)."""
    take = operator.itemgetter(*(column.key for column in columns))
    processors = [
        (index, process)
        for index, column in enumerate(columns)
        if (process := column.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    if len(columns) == 1:
        values = [[take(row)] for row in rows]
    else:
        values = [list(take(row)) for row in rows]
    for index, process in processors:
        for value in values:
            value[index] = process(value[index])
    return [tuple(value) for value in values]


def _new_ids(connection: Connection, table: str, count: int) -> list[int]:
    """Ids for ``count`` new rows of ``table``, ascending.

    PostgreSQL takes them from the table's sequence. SQLite gives a new row (the tables have
    no ``AUTOINCREMENT``) one more than the largest id; the transaction writes, so no other
    writer can take the same ids before it commits.
    """
    if connection.dialect.name == "postgresql":
        taken = connection.execute(_NEXT_IDS, {"table": table, "count": count}).scalars()
        return sorted(taken)
    largest = connection.exec_driver_sql(f"SELECT max(id) FROM {table}").scalar() or 0  # noqa: S608
    return list(range(largest + 1, largest + 1 + count))


def _copy(connection: Connection, statement: str, values: Sequence[tuple[Any, ...]]) -> None:
    """``COPY ... FROM STDIN`` of ``values``; the driver's errors raised as SQLAlchemy's, as
    any statement's are (a refused row is an ``IntegrityError``)."""
    dbapi = connection.dialect.loaded_dbapi
    # psycopg's own connection, in this transaction.
    driver = cast("psycopg.Connection[Any]", connection.connection.driver_connection)
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in values:
                copy.write_row(row)
    except dbapi.Error as error:
        raise DBAPIError.instance(statement, None, error, dbapi.Error) from error


def snapshot_row(model: type[SQLModel], row: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON-safe copy of the row's columns, in the order
    :func:`api.directory.audit.snapshot` uses.

    Text, numbers, booleans and None are JSON already; only the rest goes through
    :func:`~api.directory.audit.json_safe` (a bulk import's audit has a value per column).
    """
    copied: dict[str, Any] = {}
    for key in _columns(model):
        value = row[key]
        copied[key] = value if type(value) in _JSON_READY else json_safe(value)
    return copied


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
