"""What every staff handler shares: the key guard and its scope, no caching, the writer.

A staff handler needs a valid key with its scope (``require_scope`` reads ``opt["scope"]``),
is listed under ``BearerAuth`` and counts against the staff budget. Its answer is never kept
in (or served from) the public response cache. A handler that changes data commits before
it answers, so a commit that fails is the answer (a problem+json error), never a success the
database did not keep.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response
from litestar.di import NamedDependency, Provide
from litestar.enums import MediaType
from litestar.openapi.spec import Example, SecurityRequirement
from litestar.params import HeaderParameter, PathParameter, QueryParameter
from litestar.types import Guard
from sqlmodel import Session

from api.db.models import utcnow
from api.directory.keys import Scope
from api.http.auth import current_staff, require_scope
from api.settings import Settings
from api.writes import MAX_ID, Writer, Written

__all__ = [
    "NEVER_CACHED",
    "EntityId",
    "IfMatch",
    "PageNumber",
    "PerPage",
    "StaffController",
    "answer",
    "provide_writer",
    "staff",
]

NEVER_CACHED = 0
"""``cache=0``: a staff answer is never kept in (or served from) the public response cache."""

GUARDS: list[Guard] = [require_scope]
SECURITY: list[SecurityRequirement] = [{"BearerAuth": []}]

PerPage = Annotated[
    int, QueryParameter(description="Items per page", ge=1, le=100, examples=[Example(value=50)])
]
PageNumber = Annotated[
    int, QueryParameter(description="Page, from 1", ge=1, le=100_000, examples=[Example(value=1)])
]
EntityId = Annotated[
    int, PathParameter(description="Record id", ge=1, le=MAX_ID, examples=[Example(value=12)])
]
IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        description="The ETag of your last read; the change is refused (412) if it is stale",
        max_length=1000,
        examples=[Example(value='"5d41402abc4b2a76b9719d911017c592"')],
    ),
]


def staff(scope: Scope) -> dict[str, Any]:
    """Route options of every staff handler: the guard, the scope it needs, no caching.

    Set on each handler, not on a controller: the ``OPTIONS`` answer Litestar adds to each
    path would inherit them, and then be guarded and counted against the staff budget.
    """
    return {
        "guards": GUARDS,
        "opt": {"scope": scope.value},
        "security": SECURITY,
        "cache": NEVER_CACHED,
    }


def provide_writer(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
) -> Writer:
    """The writer of the staff member the guard let through, at this request's moment."""
    actor = current_staff(request).name
    return Writer(session=db_session, settings=settings, actor=actor, now=utcnow())


class StaffController(Controller):
    """The staff writes of one kind of record at ``path``; each handler takes ``**staff(scope)``
    and gets ``writer`` (:func:`provide_writer`)."""

    tags = ["staff"]
    dependencies = {"writer": Provide(provide_writer, sync_to_thread=False)}


def answer(written: Written, *, status: int = 200, location: str | None = None) -> Response[Any]:
    """A record as written or read, with the ETag to change it next (and where a new one is)."""
    headers = {"ETag": written.etag, "Cache-Control": "no-store"}
    if location:
        headers["Location"] = location
    return Response(
        content=written.body, media_type=MediaType.JSON, status_code=status, headers=headers
    )
