"""``/api/v1/organizations``: staff add, read, change and retire organizations."""

from __future__ import annotations

from litestar import Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from sqlmodel import Session

from api.directory.keys import Scope
from api.directory.schemas import OrganizationCreate, OrganizationPublic, OrganizationUpdate
from api.http.idempotency import IDEMPOTENT, Once
from api.http.routes.staff.controller import (
    EntityId,
    IfMatch,
    StaffController,
    answer,
    staff,
)
from api.writes import Writer

__all__ = ["OrganizationController"]


class OrganizationController(StaffController):
    path = "/api/v1/organizations"

    @post(
        summary="Add an organization",
        status_code=201,
        sync_to_thread=True,
        name="create_organization",
        operation_id="create_organization",
        **staff(Scope.RESOURCES_WRITE),
        **IDEMPOTENT,
    )
    def create(
        self,
        writer: NamedDependency[Writer],
        once: NamedDependency[Once],
        data: JSONBody[OrganizationCreate],
    ) -> Response[OrganizationPublic]:
        if (kept := once.kept()) is not None:
            return kept
        written = writer.organizations.create(data)
        return once.commit(answer(written, status=201, location=f"{self.path}/{written.id}"))

    @get(
        "/{entity_id:int}",
        summary="An organization as staff see it, with the ETag to change it",
        sync_to_thread=True,
        name="read_organization",
        operation_id="read_organization",
        **staff(Scope.RESOURCES_WRITE),
    )
    def read(
        self, writer: NamedDependency[Writer], entity_id: EntityId
    ) -> Response[OrganizationPublic]:
        return answer(writer.organizations.read(entity_id))

    @patch(
        "/{entity_id:int}",
        summary="Change an organization (honours If-Match)",
        sync_to_thread=True,
        name="update_organization",
        operation_id="update_organization",
        **staff(Scope.RESOURCES_WRITE),
    )
    def update(
        self,
        writer: NamedDependency[Writer],
        db_session: NamedDependency[Session],
        entity_id: EntityId,
        data: JSONBody[OrganizationUpdate],
        if_match: IfMatch = None,
    ) -> Response[OrganizationPublic]:
        written = writer.organizations.update(entity_id, data, if_match)
        db_session.commit()
        return answer(written)

    @delete(
        "/{entity_id:int}",
        summary="Retire an organization: gone from public results, kept in the audit",
        status_code=204,
        sync_to_thread=True,
        name="retire_organization",
        operation_id="retire_organization",
        **staff(Scope.RESOURCES_WRITE),
    )
    def retire(
        self,
        writer: NamedDependency[Writer],
        db_session: NamedDependency[Session],
        entity_id: EntityId,
        if_match: IfMatch = None,
    ) -> None:
        writer.organizations.retire(entity_id, if_match)
        db_session.commit()
