"""Events: dated meetings at venues, upcoming by default, with the resource filters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from sqlalchemy.orm import Session

from api.directory.schemas import EventPublic, Page, Tombstone
from api.http.caching import cacheable_json
from api.http.pagination import link_header
from api.http.routes.filters import EVENT_QUERY
from api.search import EventQuery, search_events
from api.settings import Settings

__all__ = ["list_events"]


@get(
    "/api/v1/events",
    tags=["events"],
    summary="Meetings, soonest first: upcoming by default",
    description=(
        "Events that have not ended by `from` (now by default) and start before `to`. The "
        "resource filters apply to the venue: `category` is a category of a resource there; "
        "`language` matches a language the event lists or one the venue's resources offer; "
        "`area` and `near`/`radius_km` place the venue. Pages carry an RFC 8288 `Link` header."
    ),
    dependencies={"event_query": EVENT_QUERY},
    sync_to_thread=True,
)
def list_events(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    event_query: NamedDependency[EventQuery],
) -> Response[Page[EventPublic | Tombstone]]:
    page = search_events(db_session, event_query, now=datetime.now(UTC), settings=settings)
    links = link_header(request.url.path, request.url.query, page, base=settings.public_base)
    return cacheable_json(page, headers={"Link": links})
