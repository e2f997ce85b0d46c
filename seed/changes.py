"""Apply imported values to a row only where they differ, and audit what changed.

An unchanged row is left alone: no ``updated_at`` bump and no audit entry, so importing the
same file twice changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from sqlmodel import Session, SQLModel

from api.db.models import utcnow
from api.directory.audit import record, snapshot

__all__ = ["audit_created", "same", "update_fields"]


def update_fields(
    session: Session, row: SQLModel, values: dict[str, Any], *, actor: str, entity: str
) -> bool:
    """Set the differing fields, bump ``updated_at`` and audit; True when anything changed."""
    changed = {key: value for key, value in values.items() if not same(getattr(row, key), value)}
    if not changed:
        return False
    before = snapshot(row)
    for key, value in changed.items():
        setattr(row, key, value)
    if hasattr(row, "updated_at"):
        row.updated_at = utcnow()
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="import",
        entity=entity,
        entity_id=getattr(row, "id", None),
        before=before,
        after=snapshot(row),
    )
    return True


def audit_created(session: Session, row: SQLModel, *, actor: str, entity: str) -> None:
    session.flush()
    record(
        session,
        actor=actor,
        action="import",
        entity=entity,
        entity_id=getattr(row, "id", None),
        before=None,
        after=snapshot(row),
    )


def same(current: Any, new: Any) -> bool:
    if isinstance(current, Enum):
        current = current.value
    if isinstance(new, Enum):
        new = new.value
    if isinstance(current, datetime) and isinstance(new, datetime):
        return current == new
    if isinstance(current, float) and isinstance(new, float | int):
        return abs(current - new) < 1e-9
    return bool(current == new)
