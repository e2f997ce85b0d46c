"""``/api/v1/reports``: the queue of problem reports from the public, and their triage."""

from __future__ import annotations

from typing import Annotated

from litestar import get, patch
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import JSONBody, PathParameter, QueryParameter
from sqlmodel import Session

from api.db.models import ReportKind
from api.directory.keys import Scope
from api.directory.problem_reports import ReportPublic, ReportUpdate, list_reports, update_report
from api.directory.schemas import Page
from api.http.routes.staff.controller import PageNumber, PerPage, staff
from api.writes import MAX_ID

__all__ = ["list_problem_reports", "update_problem_report"]


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
