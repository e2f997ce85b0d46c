"""Resources: the directory's listings, searched by every filter of ``api.search``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import PathParameter
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.directory.schemas import Page, ResourceDetail, ResourcePublic, Tombstone
from api.http.caching import cacheable_json
from api.http.pagination import link_header
from api.http.problems import Problem
from api.http.routes.filters import RESOURCE_QUERY
from api.search import ResourceQuery, get_resource, search_resources
from api.settings import Settings
from api.writes import MAX_ID

__all__ = ["get_one_resource", "list_resources"]


class ProblemDocument(BaseModel):
    """An RFC 9457 problem; ``invalid_params`` names each bad parameter and why."""

    status: int
    title: str
    detail: str
    invalid_params: list[dict[str, str]] | None = None


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=ProblemDocument,
        description=description,
        media_type="application/problem+json",
        generate_examples=False,
    )


NOT_MODIFIED = ResponseSpec(
    data_container=None, description="Not modified: If-None-Match names the current ETag"
)


@get(
    "/api/v1/resources",
    tags=["resources"],
    summary="Search resources by category, language, area, distance, text and opening hours",
    description=(
        "Repeated parameters mean any of their values; different parameters must all hold. "
        "With `near` or `address`, each item carries `distance_km` and results are ranked by "
        "distance (ties by id). Pages carry an RFC 8288 `Link` header."
    ),
    responses={
        304: NOT_MODIFIED,
        422: _problem("The address matches no place"),
        503: _problem("The geocoder cannot answer right now"),
    },
    dependencies={"resource_query": RESOURCE_QUERY},
    sync_to_thread=True,
)
def list_resources(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    resource_query: NamedDependency[ResourceQuery],
) -> Response[Page[ResourcePublic | Tombstone]]:
    found = search_resources(db_session, resource_query, now=datetime.now(UTC), settings=settings)
    links = link_header(request.url.path, request.url.query, found, base=settings.public_base)
    return cacheable_json(found, headers={"Link": links})


@get(
    "/api/v1/resources/{resource_id:int}",
    tags=["resources"],
    summary="One resource, with its upcoming events",
    responses={304: NOT_MODIFIED, 404: _problem("No resource has this id")},
    sync_to_thread=True,
)
def get_one_resource(
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    resource_id: Annotated[
        int,
        PathParameter(
            description="The resource's id", ge=1, le=MAX_ID, examples=[Example(value=1)]
        ),
    ],
) -> Response[ResourceDetail]:
    resource = get_resource(db_session, resource_id, now=datetime.now(UTC), settings=settings)
    if resource is None:
        raise Problem(
            404,
            "Unknown resource",
            f"There is no resource with id {resource_id}.",
            invalid_params=[
                {"name": "resource_id", "in": "path", "reason": "no resource has this id"}
            ],
        )
    return cacheable_json(resource)
