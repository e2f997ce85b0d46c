"""Staff endpoints: writes to the directory, the audit trail and problem reports.

Every handler here carries ``opt={"scope": ...}`` and the ``require_scope`` guard, so a
request without a valid key never reaches it, and counts against the staff budget. A handler
that changes data commits before it answers, so a commit that fails is the answer (a
problem+json error), never a success the database did not keep.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from litestar import Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import Example
from litestar.params import (
    HeaderParameter,
    JSONBody,
    PathParameter,
    QueryParameter,
)
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlmodel import Session, col

from api.db.models import AuditEntry, ReportKind, utcnow
from api.directory.keys import Scope
from api.directory.problem_reports import ReportPublic, ReportUpdate, list_reports, update_report
from api.directory.schemas import (
    EventCreate,
    EventUpdate,
    LocationCreate,
    LocationUpdate,
    OrganizationCreate,
    OrganizationPublic,
    OrganizationUpdate,
    Page,
    ResourceCreate,
    ResourceDetail,
    ResourceUpdate,
)
from api.http.auth import current_staff, require_scope
from api.settings import Settings
from api.writes import MAX_ID, EventRecord, LocationRecord, Writer, Written

__all__ = [
    "WRITES",
    "AuditEntryPublic",
    "list_audit",
    "list_problem_reports",
    "update_problem_report",
]

PerPage = Annotated[
    int, QueryParameter(description="Items per page", ge=1, le=100, examples=[Example(value=50)])
]
PageNumber = Annotated[
    int, QueryParameter(description="Page, from 1", ge=1, le=100_000, examples=[Example(value=1)])
]


NEVER_CACHED = 0
"""``cache=0``: a staff answer is never kept in (or served from) the public response cache."""


def staff(scope: Scope) -> dict[str, Any]:
    """Route options of a staff handler: the guard, the scope it needs, no caching."""
    return {
        "guards": [require_scope],
        "opt": {"scope": scope.value},
        "security": [{"BearerAuth": []}],
        "cache": NEVER_CACHED,
    }


class AuditEntryPublic(BaseModel):
    id: int
    at: datetime
    actor: str
    """The name of the API key (or the command) that made the change."""
    action: Literal["create", "update", "delete", "import"]
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
        Literal["create", "update", "delete", "import"] | None,
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


@get(
    "/api/v1/reports",
    tags=["staff"],
    summary="Problem reports from the public, newest first",
    sync_to_thread=True,
    **staff(Scope.REPORTS_READ),
)
def list_problem_reports(
    db_session: NamedDependency[Session],
    resolved: Annotated[
        bool | None,
        QueryParameter(
            description="Only open (false) or handled (true)", examples=[Example(value=False)]
        ),
    ] = None,
    resource_id: Annotated[
        int | None,
        QueryParameter(description="Resource", ge=1, le=MAX_ID, examples=[Example(value=12)]),
    ] = None,
    kind: Annotated[
        ReportKind | None,
        QueryParameter(description="What is wrong", examples=[Example(value="wrong_phone")]),
    ] = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> Page[ReportPublic]:
    return list_reports(
        db_session,
        resolved=resolved,
        resource_id=resource_id,
        kind=kind,
        page=page,
        per_page=per_page,
    )


@patch(
    "/api/v1/reports/{report_id:int}",
    tags=["staff"],
    summary="Mark a problem report resolved (or reopen it)",
    sync_to_thread=True,
    **staff(Scope.REPORTS_READ),
)
def update_problem_report(
    db_session: NamedDependency[Session],
    report_id: Annotated[
        int, PathParameter(description="The report", ge=1, le=MAX_ID, examples=[Example(value=3)])
    ],
    data: JSONBody[ReportUpdate],
) -> ReportPublic:
    updated = update_report(db_session, report_id, data)
    db_session.commit()
    return updated


# --- writes ---------------------------------------------------------------------------------

IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        description="The ETag of your last read; the change is refused (412) if it is stale",
        max_length=1000,
        examples=[Example(value='"5d41402abc4b2a76b9719d911017c592"')],
    ),
]


def _writer(request: Request[Any, Any, Any], session: Session, settings: Settings) -> Writer:
    return Writer(
        session=session, settings=settings, actor=current_staff(request).name, now=utcnow()
    )


def _answer(written: Written, *, status: int = 200, location: str | None = None) -> Response[Any]:
    headers = {"ETag": written.etag, "Cache-Control": "no-store"}
    if location:
        headers["Location"] = location
    return Response(
        content=written.body, media_type=MediaType.JSON, status_code=status, headers=headers
    )


def _collection(
    plural: str,
    scope: Scope,
    create_model: Any,
    update_model: Any,
    public_model: Any,
    verbs: tuple[str, str, str, str],
    *,
    readable: bool,
    items: bool = True,
) -> list[HTTPRouteHandler]:
    """POST, PATCH, DELETE (and a staff GET) for one kind of record (``items``: the last three)."""
    create, update, retire, read = verbs
    base = f"/api/v1/{plural}"
    item = base + "/{entity_id:int}"
    entity_id_param = Annotated[
        int, PathParameter(description="Record id", ge=1, le=MAX_ID, examples=[Example(value=12)])
    ]
    singular = plural.removesuffix("s")
    handlers: list[HTTPRouteHandler] = []

    def create_handler(
        request: Request[Any, Any, Any],
        db_session: NamedDependency[Session],
        settings: NamedDependency[Settings],
        data: JSONBody[create_model],
    ) -> Response[public_model]:
        written = getattr(_writer(request, db_session, settings), create)(data)
        db_session.commit()
        return _answer(written, status=201, location=f"{base}/{written.id}")

    def update_handler(
        request: Request[Any, Any, Any],
        db_session: NamedDependency[Session],
        settings: NamedDependency[Settings],
        entity_id: entity_id_param,
        data: JSONBody[update_model],
        if_match: IfMatch = None,
    ) -> Response[public_model]:
        written = getattr(_writer(request, db_session, settings), update)(entity_id, data, if_match)
        db_session.commit()
        return _answer(written)

    def retire_handler(
        request: Request[Any, Any, Any],
        db_session: NamedDependency[Session],
        settings: NamedDependency[Settings],
        entity_id: entity_id_param,
        if_match: IfMatch = None,
    ) -> None:
        getattr(_writer(request, db_session, settings), retire)(entity_id, if_match)
        db_session.commit()

    handlers.append(
        post(
            base,
            tags=["staff"],
            summary=f"Add a {singular}",
            status_code=201,
            sync_to_thread=True,
            name=f"create_{singular}",
            operation_id=f"create_{singular}",
            **staff(scope),
        )(create_handler)
    )
    if not items:
        return handlers
    handlers.append(
        patch(
            item,
            tags=["staff"],
            summary=f"Change a {singular} (honours If-Match)",
            sync_to_thread=True,
            name=f"update_{singular}",
            operation_id=f"update_{singular}",
            **staff(scope),
        )(update_handler)
    )
    handlers.append(
        delete(
            item,
            tags=["staff"],
            summary=f"Retire a {singular}: gone from public results, kept in the audit",
            status_code=204,
            sync_to_thread=True,
            name=f"retire_{singular}",
            operation_id=f"retire_{singular}",
            **staff(scope),
        )(retire_handler)
    )
    if readable:

        def read_handler(
            request: Request[Any, Any, Any],
            db_session: NamedDependency[Session],
            settings: NamedDependency[Settings],
            entity_id: entity_id_param,
        ) -> Response[public_model]:
            return _answer(getattr(_writer(request, db_session, settings), read)(entity_id))

        handlers.append(
            get(
                item,
                tags=["staff"],
                summary=f"A {singular} as staff see it, with the ETag to change it",
                sync_to_thread=True,
                name=f"read_{singular}",
                operation_id=f"read_{singular}",
                **staff(scope),
            )(read_handler)
        )
    return handlers


WRITES: list[HTTPRouteHandler] = [
    *_collection(
        "organizations",
        Scope.RESOURCES_WRITE,
        OrganizationCreate,
        OrganizationUpdate,
        OrganizationPublic,
        ("create_organization", "update_organization", "retire_organization", "read_organization"),
        readable=True,
    ),
    *_collection(
        "locations",
        Scope.RESOURCES_WRITE,
        LocationCreate,
        LocationUpdate,
        LocationRecord,
        ("create_location", "update_location", "retire_location", "read_location"),
        readable=True,
    ),
    *_collection(
        "resources",
        Scope.RESOURCES_WRITE,
        ResourceCreate,
        ResourceUpdate,
        ResourceDetail,
        ("create_resource", "update_resource", "retire_resource", "resource"),
        readable=False,
        items=False,
    ),
    *_collection(
        "events",
        Scope.EVENTS_WRITE,
        EventCreate,
        EventUpdate,
        EventRecord,
        ("create_event", "update_event", "retire_event", "read_event"),
        readable=False,
    ),
]


# A resource's item path is shared with the public read, so its parameter keeps that name.
ResourceId = Annotated[
    int,
    PathParameter(description="The resource's id", ge=1, le=MAX_ID, examples=[Example(value=1)]),
]


@patch(
    "/api/v1/resources/{resource_id:int}",
    tags=["staff"],
    summary="Change a resource (honours If-Match: the ETag of GET /api/v1/resources/{id})",
    sync_to_thread=True,
    operation_id="update_resource",
    **staff(Scope.RESOURCES_WRITE),
)
def update_resource(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    resource_id: ResourceId,
    data: JSONBody[ResourceUpdate],
    if_match: IfMatch = None,
) -> Response[ResourceDetail]:
    written = _writer(request, db_session, settings).update_resource(resource_id, data, if_match)
    db_session.commit()
    return _answer(written)


@delete(
    "/api/v1/resources/{resource_id:int}",
    tags=["staff"],
    summary="Retire a resource: gone from public results, kept in the audit",
    status_code=204,
    sync_to_thread=True,
    operation_id="retire_resource",
    **staff(Scope.RESOURCES_WRITE),
)
def retire_resource(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    resource_id: ResourceId,
    if_match: IfMatch = None,
) -> None:
    _writer(request, db_session, settings).retire_resource(resource_id, if_match)
    db_session.commit()


WRITES += [update_resource, retire_resource]
"""Staff writes; resources are read through the public ``GET /api/v1/resources/{id}``."""
