"""Apply imported values to a row only where they differ, and audit what changed.

An unchanged row is left alone: no ``updated_at`` bump and no audit entry, so importing the
same file twice changes nothing. Rows kept beside a record (a resource's or an event's
languages) are compared, replaced and audited with it through :class:`Beside`.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, Protocol

from sqlmodel import Session, SQLModel

from api.db.models import utcnow
from api.directory.audit import record, snapshot

__all__ = ["Beside", "audit_created", "same", "update_fields"]


class Beside(Protocol):
    """Rows kept beside a record (its languages), written and audited with it."""

    def differs(self) -> bool:
        """Whether the file asks for other rows than the directory holds."""
        ...

    def replace(self) -> None:
        """Write the rows the file asks for (none when it says nothing of a new record)."""
        ...

    def audited(self) -> dict[str, Any]:
        """What the audit shows of them, beside the record's columns."""
        ...


def update_fields(
    session: Session,
    row: SQLModel,
    values: dict[str, Any],
    *,
    actor: str,
    entity: str,
    beside: Beside | None = None,
) -> bool:
    """Set the differing fields (and rows beside), bump ``updated_at`` and audit.

    True when anything changed.
    """
    changed = {key: value for key, value in values.items() if not same(getattr(row, key), value)}
    beside_changed = beside is not None and beside.differs()
    if not changed and not beside_changed:
        return False
    before = _audited(row, beside)
    for key, value in changed.items():
        setattr(row, key, value)
    if beside_changed and beside is not None:
        beside.replace()
    if hasattr(row, "updated_at"):
        row.updated_at = utcnow()
    session.add(row)
    session.flush()
    _record(session, row, actor=actor, entity=entity, before=before, after=_audited(row, beside))
    return True


def audit_created(
    session: Session, row: SQLModel, *, actor: str, entity: str, beside: Beside | None = None
) -> None:
    """Write a new row (added to the session) and the rows beside it; audit its creation."""
    session.flush()
    if beside is not None:
        beside.replace()
    _record(session, row, actor=actor, entity=entity, before=None, after=_audited(row, beside))


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


def _audited(row: SQLModel, beside: Beside | None) -> dict[str, Any]:
    return {**(snapshot(row) or {}), **(beside.audited() if beside is not None else {})}


def _record(
    session: Session,
    row: SQLModel,
    *,
    actor: str,
    entity: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
) -> None:
    record(
        session,
        actor=actor,
        action="import",
        entity=entity,
        entity_id=getattr(row, "id", None),
        before=before,
        after=after,
    )
