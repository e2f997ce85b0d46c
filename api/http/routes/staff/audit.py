"""``GET /api/v1/audit``: the audit trail, filtered and paged, for admins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from litestar import get
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import QueryParameter
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlmodel import Session, col

from api.db.models import AuditEntry
from api.directory.keys import Scope
from api.directory.schemas import Page
from api.http.routes.staff.controller import PageNumber, PerPage, staff
from api.writes import MAX_ID

__all__ = ["AuditEntryPublic", "list_audit"]


class AuditEntryPublic(BaseModel):
    id: int
    at: datetime
    actor: str
    """The name of the API key (or the command) that made the change."""
    action: Literal["create", "update", "delete", "import", "restore"]
    entity: str
    entity_id: int | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


@get(
    "/api/v1/audit",
    tags=["staff"],
    summary="The audit trail, newest first (admin)",
    sync_to_thread=True,
    **staff(Scope.ADMIN),
)
def list_audit(
    db_session: NamedDependency[Session],
    entity: Annotated[
        str | None,
        QueryParameter(
            description="organization, location, resource or event",
            max_length=40,
            examples=[Example(value="resource")],
        ),
    ] = None,
    entity_id: Annotated[
        int | None,
        QueryParameter(description="Record id", ge=1, le=MAX_ID, examples=[Example(value=12)]),
    ] = None,
    actor: Annotated[
        str | None,
        QueryParameter(
            description="Key name that made the change",
            max_length=100,
            examples=[Example(value="ana")],
        ),
    ] = None,
    action: Annotated[
        Literal["create", "update", "delete", "import", "restore"] | None,
        QueryParameter(description="What was done", examples=[Example(value="update")]),
    ] = None,
    since: Annotated[
        datetime | None,
        QueryParameter(
            description="Only changes at or after this time",
            examples=[Example(value="2026-11-01T00:00:00Z")],
        ),
    ] = None,
    until: Annotated[
        datetime | None,
        QueryParameter(
            description="Only changes before this time",
            examples=[Example(value="2026-12-01T00:00:00Z")],
        ),
    ] = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> Page[AuditEntryPublic]:
    statement = select(AuditEntry)
    for column, value in (
        (AuditEntry.entity, entity),
        (AuditEntry.entity_id, entity_id),
        (AuditEntry.actor, actor),
        (AuditEntry.action, action),
    ):
        if value is not None:
            statement = statement.where(col(column) == value)
    if since is not None:
        statement = statement.where(col(AuditEntry.at) >= since)
    if until is not None:
        statement = statement.where(col(AuditEntry.at) < until)
    total = db_session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = db_session.scalars(
        statement.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    items = [AuditEntryPublic.model_validate(row, from_attributes=True) for row in rows]
    return Page.of(items, total=total, page=page, per_page=per_page)
