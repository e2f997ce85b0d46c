"""Staff writes to events: dated meetings at a location, their languages beside them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import col

from api.db.models import Event, EventBase, EventLanguage, table_of
from api.directory.audit import snapshot
from api.directory.schemas import EventCreate, EventUpdate
from api.errors import InvalidParam, Unprocessable
from api.writes.steps import Steps, Written, check_if_match, not_null, plain_text

__all__ = ["EventRecord", "EventWriter"]


class EventRecord(EventBase):
    """An event as staff see it, with the codes of its languages."""

    id: int
    location_id: int
    organization_id: int | None = None
    languages: list[str]
    updated_at: datetime


class EventWriter(Steps):
    """Read, create, update and retire events (answered as :class:`EventRecord`)."""

    def represent(self, row: Event) -> Written:
        assert row.id is not None
        columns = {column.name: getattr(row, column.name) for column in table_of(Event).columns}
        event = EventRecord.model_validate({**columns, "languages": self._languages(row.id)})
        return Written.of(row.id, event.model_dump_json().encode())

    def read(self, entity_id: int) -> Written:
        return self.represent(self._load(Event, entity_id))

    def create(self, data: EventCreate) -> Written:
        plain_text(data)
        if errors := self._parents(data.location_id, data.organization_id):
            raise Unprocessable(errors)
        self._unique_external_id(Event, data.external_id, None)
        row = Event(
            **data.model_dump(exclude={"languages"}), created_at=self.now, updated_at=self.now
        )
        self.session.add(row)
        self._flush()
        assert row.id is not None
        self._set_languages(row.id, data.languages)
        self._flush()
        self._audit("create", "event", row.id, None, self._snapshot(row))
        return self.represent(row)

    def update(self, entity_id: int, data: EventUpdate, if_match: str | None) -> Written:
        plain_text(data)
        row = self._load(Event, entity_id)
        check_if_match(if_match, self.represent(row).etag)
        changes = data.model_dump(exclude_unset=True, exclude={"languages"})
        errors = not_null(Event, changes) + self._changed_parents(changes)
        errors += _out_of_order(row, changes)
        if errors:
            raise Unprocessable(errors)
        self._unique_external_id(Event, changes.get("external_id"), entity_id)
        before = self._snapshot(row)
        self._apply(row, changes)
        if data.languages is not None:
            self._set_languages(entity_id, data.languages)
        self._flush()
        self._audit("update", "event", entity_id, before, self._snapshot(row))
        return self.represent(row)

    def retire(self, entity_id: int, if_match: str | None) -> None:
        row = self._load(Event, entity_id)
        self._retire_row(row, "event", if_match, self.represent(row).etag)

    def _languages(self, event_id: int | None) -> list[str]:
        return list(
            self.session.scalars(
                select(col(EventLanguage.code))
                .where(col(EventLanguage.event_id) == event_id)
                .order_by(col(EventLanguage.code))
            )
        )

    def _snapshot(self, row: Event) -> dict[str, Any]:
        return {**(snapshot(row) or {}), "languages": self._languages(row.id)}

    def _set_languages(self, event_id: int, codes: Sequence[str]) -> None:
        self.session.execute(delete(EventLanguage).where(col(EventLanguage.event_id) == event_id))
        for code in codes:
            self.session.add(EventLanguage(event_id=event_id, code=code))


def _out_of_order(row: Event, changes: dict[str, Any]) -> list[InvalidParam]:
    """A problem when the change would leave the event ending before (or as) it starts."""
    starts = changes.get("starts_at", row.starts_at)
    ends = changes.get("ends_at", row.ends_at)
    if starts is None or ends is None or ends > starts:
        return []
    field = "ends_at" if "ends_at" in changes else "starts_at"
    return [{"name": field, "in": "body", "reason": "ends_at must be after starts_at"}]
