"""``/api/v1/locations``: staff add, read, change and retire locations."""

from __future__ import annotations

from litestar import Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from sqlmodel import Session

from api.directory.keys import Scope
from api.directory.schemas import LocationCreate, LocationUpdate
from api.http.idempotency import IDEMPOTENT, Once
from api.http.routes.staff.controller import (
    EntityId,
    IfMatch,
    StaffController,
    answer,
    staff,
)
from api.writes import LocationRecord, Writer

__all__ = ["LocationController"]


class LocationController(StaffController):
    path = "/api/v1/locations"

    @post(
        summary="Add a location",
        status_code=201,
        sync_to_thread=True,
        name="create_location",
        operation_id="create_location",
        **staff(Scope.RESOURCES_WRITE),
        **IDEMPOTENT,
    )
    def create(
        self,
        writer: NamedDependency[Writer],
        once: NamedDependency[Once],
        data: JSONBody[LocationCreate],
    ) -> Response[LocationRecord]:
        if (kept := once.kept()) is not None:
            return kept
        written = writer.locations.create(data)
        return once.commit(answer(written, status=201, location=f"{self.path}/{written.id}"))

    @get(
        "/{entity_id:int}",
        summary="A location as staff see it, with the ETag to change it",
        sync_to_thread=True,
        name="read_location",
        operation_id="read_location",
        **staff(Scope.RESOURCES_WRITE),
    )
    def read(
        self, writer: NamedDependency[Writer], entity_id: EntityId
    ) -> Response[LocationRecord]:
        return answer(writer.locations.read(entity_id))

    @patch(
        "/{entity_id:int}",
        summary="Change a location (honours If-Match)",
        sync_to_thread=True,
        name="update_location",
        operation_id="update_location",
        **staff(Scope.RESOURCES_WRITE),
    )
    def update(
        self,
        writer: NamedDependency[Writer],
        db_session: NamedDependency[Session],
        entity_id: EntityId,
        data: JSONBody[LocationUpdate],
        if_match: IfMatch = None,
    ) -> Response[LocationRecord]:
        written = writer.locations.update(entity_id, data, if_match)
        db_session.commit()
        return answer(written)

    @delete(
        "/{entity_id:int}",
        summary="Retire a location: gone from public results, kept in the audit",
        status_code=204,
        sync_to_thread=True,
        name="retire_location",
        operation_id="retire_location",
        **staff(Scope.RESOURCES_WRITE),
    )
    def retire(
        self,
        writer: NamedDependency[Writer],
        db_session: NamedDependency[Session],
        entity_id: EntityId,
        if_match: IfMatch = None,
    ) -> None:
        writer.locations.retire(entity_id, if_match)
        db_session.commit()
