"""``/api/v1/events``: staff add, change and retire events (read them on the public list)."""

from __future__ import annotations

from litestar import Response, delete, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from sqlmodel import Session

from api.directory.keys import Scope
from api.directory.schemas import EventCreate, EventUpdate
from api.http.idempotency import IDEMPOTENT, Once
from api.http.routes.staff.controller import (
    EntityId,
    IfMatch,
    StaffController,
    answer,
    staff,
)
from api.writes import EventRecord, Writer

__all__ = ["EventController"]


class EventController(StaffController):
    path = "/api/v1/events"

    @post(
        summary="Add an event",
        status_code=201,
        sync_to_thread=True,
        name="create_event",
        operation_id="create_event",
        **staff(Scope.EVENTS_WRITE),
        **IDEMPOTENT,
    )
    def create(
        self,
        writer: NamedDependency[Writer],
        once: NamedDependency[Once],
        data: JSONBody[EventCreate],
    ) -> Response[EventRecord]:
        if (kept := once.kept()) is not None:
            return kept
        written = writer.events.create(data)
        return once.commit(answer(written, status=201, location=f"{self.path}/{written.id}"))

    @patch(
        "/{entity_id:int}",
        summary="Change an event (honours If-Match)",
        sync_to_thread=True,
        name="update_event",
        operation_id="update_event",
        **staff(Scope.EVENTS_WRITE),
    )
    def update(
        self,
        writer: NamedDependency[Writer],
        db_session: NamedDependency[Session],
        entity_id: EntityId,
        data: JSONBody[EventUpdate],
        if_match: IfMatch = None,
    ) -> Response[EventRecord]:
        written = writer.events.update(entity_id, data, if_match)
        db_session.commit()
        return answer(written)

    @delete(
        "/{entity_id:int}",
        summary="Retire an event: gone from public results, kept in the audit",
        status_code=204,
        sync_to_thread=True,
        name="retire_event",
        operation_id="retire_event",
        **staff(Scope.EVENTS_WRITE),
    )
    def retire(
        self,
        writer: NamedDependency[Writer],
        db_session: NamedDependency[Session],
        entity_id: EntityId,
        if_match: IfMatch = None,
    ) -> None:
        writer.events.retire(entity_id, if_match)
        db_session.commit()
