"""``POST /api/v1/resources/{id}/reports``: anyone may say a listing is wrong.

No key, no personal data: the report keeps what is wrong and an optional note. It has its
own rate-limit budget (``opt["budget"] = "reports"``).
"""

from __future__ import annotations

from typing import Annotated

from litestar import Response, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.openapi.spec import Example
from litestar.params import JSONBody, PathParameter
from sqlalchemy.orm import Session

from api.db.engine import begin_writing
from api.directory.problem_reports import ReportCreate, ReportReceipt, file_report
from api.http.idempotency import IDEMPOTENT, Once
from api.writes import MAX_ID

__all__ = ["report_problem"]


@post(
    "/api/v1/resources/{resource_id:int}/reports",
    tags=["reports"],
    summary="Report that a listing is wrong (no personal data asked for or kept)",
    status_code=201,
    opt={"budget": "reports"},
    sync_to_thread=True,
    **IDEMPOTENT,
)
def report_problem(
    db_session: NamedDependency[Session],
    once: NamedDependency[Once],
    resource_id: Annotated[
        int, PathParameter(description="The resource", ge=1, le=MAX_ID, examples=[Example(value=1)])
    ],
    data: JSONBody[ReportCreate],
) -> Response[ReportReceipt]:
    begin_writing(db_session)
    if (kept := once.kept()) is not None:
        return kept
    receipt = file_report(db_session, resource_id, data)
    body = receipt.model_dump_json().encode()
    # Committed before answering: a failed commit is an error, not a receipt.
    return once.commit(Response(content=body, media_type=MediaType.JSON, status_code=201))
