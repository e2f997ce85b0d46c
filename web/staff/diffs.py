"""An audit entry as a person reads it: the fields that changed, each before and after.

Bookkeeping columns (``updated_at``, ids of the row itself) are left out; languages read as
``es (staff), vi (interpreter)``; an absent value reads as an empty string, which the page
shows as "(empty)".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from api.db.models import AuditEntry

__all__ = ["Change", "Entry", "entry_of"]

BOOKKEEPING = frozenset({"id", "updated_at", "created_at"})


@dataclass(frozen=True, kw_only=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True, kw_only=True)
class Entry:
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: int | None
    changes: list[Change]


def _readable(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, dict) and "code" in item:
                support = item.get("support")
                parts.append(f"{item['code']} ({support})" if support else str(item["code"]))
            else:
                parts.append(_readable(item))
        return ", ".join(parts)
    return str(value)


def entry_of(entry: AuditEntry) -> Entry:
    before, after = entry.before or {}, entry.after or {}
    changes = []
    for name in [*before, *(key for key in after if key not in before)]:
        if name in BOOKKEEPING:
            continue
        old, new = _readable(before.get(name)), _readable(after.get(name))
        if old != new:
            changes.append(Change(field=name, before=old, after=new))
    return Entry(
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        entity=entry.entity,
        entity_id=entry.entity_id,
        changes=changes,
    )
