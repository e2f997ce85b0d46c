"""The audit trail: who changed what, when, with the values before and after."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any, Literal

from sqlalchemy import inspect
from sqlmodel import Session, SQLModel

from api.db.models import AuditEntry

__all__ = ["Action", "json_safe", "record", "snapshot"]

Action = Literal["create", "update", "delete", "import", "restore"]


def snapshot(row: SQLModel | None) -> dict[str, Any] | None:
    """A JSON-safe copy of a row's columns, for ``before`` and ``after``.

    Read from the mapped columns, not ``model_dump``: table models skip validation, so an
    enum column may hold its plain string value.
    """
    if row is None:
        return None
    columns = inspect(row).mapper.column_attrs
    return {column.key: json_safe(getattr(row, column.key)) for column in columns}


def record(
    session: Session,
    *,
    actor: str,
    action: Action,
    entity: str,
    entity_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an entry to the session; it is written in the same transaction as the change."""
    entry = AuditEntry(
        actor=actor, action=action, entity=entity, entity_id=entity_id, before=before, after=after
    )
    session.add(entry)
    return entry


def json_safe(value: Any) -> Any:
    """A column value as the audit trail's JSON keeps it (times as ISO 8601, enums by value)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value
