"""``/api/v1/resources``: staff add, change and retire resources.

A resource is read through the public ``GET /api/v1/resources/{id}``, whose ETag is the one
``If-Match`` names; its item path is shared with that read, so the parameter keeps its name.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Response, delete, patch, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import JSONBody, PathParameter
from sqlmodel import Session

from api.directory.keys import Scope
from api.directory.schemas import ResourceCreate, ResourceDetail, ResourceUpdate
from api.http.idempotency import IDEMPOTENT, Once
from api.http.routes.staff.controller import IfMatch, StaffController, answer, staff
from api.writes import MAX_ID, Writer

__all__ = ["ResourceController"]

ResourceId = Annotated[
    int,
    PathParameter(description="The resource's id", ge=1, le=MAX_ID, examples=[Example(value=1)]),
]


class ResourceController(StaffController):
    path = "/api/v1/resources"

    @post(
        summary="Add a resource",
        status_code=201,
        sync_to_thread=True,
        name="create_resource",
        operation_id="create_resource",
        **staff(Scope.RESOURCES_WRITE),
        **IDEMPOTENT,
    )
    def create(
        self,
        writer: NamedDependency[Writer],
        once: NamedDependency[Once],
        data: JSONBody[ResourceCreate],
    ) -> Response[ResourceDetail]:
        if (kept := once.kept()) is not None:
            return kept
        written = writer.resources.create(data)
        return once.commit(answer(written, status=201, location=f"{self.path}/{written.id}"))

    @patch(
        "/{resource_id:int}",
        summary="Change a resource (honours If-Match: the ETag of GET /api/v1/resources/{id})",
        sync_to_thread=True,
        name="update_resource",
        operation_id="update_resource",
        **staff(Scope.RESOURCES_WRITE),
    )
    def update(
        self,
        writer: NamedDependency[Writer],
        db_session: NamedDependency[Session],
        resource_id: ResourceId,
        data: JSONBody[ResourceUpdate],
        if_match: IfMatch = None,
    ) -> Response[ResourceDetail]:
        written = writer.resources.update(resource_id, data, if_match)
        db_session.commit()
        return answer(written)

    @delete(
        "/{resource_id:int}",
        summary="Retire a resource: gone from public results, kept in the audit",
        status_code=204,
        sync_to_thread=True,
        name="retire_resource",
        operation_id="retire_resource",
        **staff(Scope.RESOURCES_WRITE),
    )
    def retire(
        self,
        writer: NamedDependency[Writer],
        db_session: NamedDependency[Session],
        resource_id: ResourceId,
        if_match: IfMatch = None,
    ) -> None:
        writer.resources.retire(resource_id, if_match)
        db_session.commit()
