"""``Writer``: one staff member's writes at one moment, a writer for each kind of record.

Every change runs in the caller's transaction together with its audit entry and the
search index update, so either all of it is written or none. ``update`` and ``retire``
honour ``If-Match``: the tag must be the ETag the record's read returns (for a resource,
``GET /api/v1/resources/{id}``; for the others, the staff read or the last write's answer),
else ``StaleWrite`` and nothing changes. The row is locked while it is compared (``FOR
UPDATE`` on PostgreSQL; SQLite writers are serialised anyway), so two staff cannot both win.

Retiring sets ``retired_at``: the record leaves public results, its history stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlmodel import Session

from api.db.engine import begin_writing
from api.settings import Settings
from api.writes.events import EventWriter
from api.writes.locations import LocationWriter
from api.writes.organizations import OrganizationWriter
from api.writes.resources import ResourceWriter

__all__ = ["Writer"]


@dataclass(frozen=True, kw_only=True)
class Writer:
    """Writes on behalf of one staff member (``actor``, the key's name) at one moment.

    Each attribute is the writer of one kind of record, with the same four verbs:
    ``read(id)``, ``create(data)``, ``update(id, data, if_match)``, ``retire(id, if_match)``.
    """

    session: Session
    settings: Settings
    actor: str
    now: datetime

    @cached_property
    def organizations(self) -> OrganizationWriter:
        return OrganizationWriter(**self._context())

    @cached_property
    def locations(self) -> LocationWriter:
        return LocationWriter(**self._context())

    @cached_property
    def resources(self) -> ResourceWriter:
        return ResourceWriter(**self._context())

    @cached_property
    def events(self) -> EventWriter:
        return EventWriter(**self._context())

    def _context(self) -> dict[str, Any]:
        # The writes to come take the writer's lock before they read (SQLite: IMMEDIATE),
        # when first used: making a writer does not wait for the database.
        begin_writing(self.session)
        return {
            "session": self.session,
            "settings": self.settings,
            "actor": self.actor,
            "now": self.now,
        }
