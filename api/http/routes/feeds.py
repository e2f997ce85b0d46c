"""The feeds: the whole filtered result as GeoJSON, CSV or iCalendar, streamed.

A feed is not paginated: it is every match, in the same order as the JSON list, written a
chunk at a time from its own database session (the request's session is closed once the
handler returns, while the body is still being sent).

``HEAD`` and ``Range`` requests get the whole body rendered first, so they carry its
``Content-Length`` and can be served a piece (``api.http.ranges``): that is how GDAL's
``/vsicurl/`` opens a feed by URL. A plain ``GET`` stays streamed, without a length.

A feed's ``ETag`` is weak and known before the body is written: it hashes the directory
version (bumped by every change, see ``api.db.version``), the path, the parameters and
the current minute. The same tag therefore means the same data read within the same minute
as ``Cache-Control: max-age=60`` already allows, and a matching ``If-None-Match`` is
answered ``304`` without running the search.

The public CSV is a public view: a confidential location has no street address and sits at
its area's centre, as in the JSON API, and the staff-only columns are left out. The staff
export (``full=true``, a key with ``resources:write``) is every resource as stored in
every import column, sent ``Cache-Control: no-store``; it re-imports without a change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Parameter
from litestar.response import Stream
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from sqlmodel import Session as SQLModelSession

from api.db.version import read_directory_version
from api.directory.full_export import iter_stored_resources
from api.directory.keys import Scope
from api.errors import InvalidInput
from api.formats import csv, geojson, ical
from api.http.auth import require_scope_for_flag
from api.http.caching import PUBLIC_CACHE_CONTROL, etag_for, etag_matches
from api.http.ranges import requested_range, whole_or_part
from api.http.routes.filters import EVENT_FILTERS, RESOURCE_FILTERS, RESOURCE_SYNC_FILTERS
from api.search import EventQuery, ResourceQuery, iter_events, iter_listings, iter_resources
from api.settings import Settings

__all__ = ["batched", "events_ics", "feed_tag", "resources_csv", "resources_geojson"]

Chunks = Iterator[str] | Iterator[bytes]
BATCH_BYTES = 64 * 1024
"""Encoded chunks are sent in batches of about this size: each batch costs a hop to a worker
thread, so one per feature would make a large feed slow."""


def batched(chunks: Chunks, size: int = BATCH_BYTES) -> Iterator[bytes]:
    buffer: list[bytes] = []
    held = 0
    for chunk in chunks:
        data = chunk.encode() if isinstance(chunk, str) else chunk
        buffer.append(data)
        held += len(data)
        if held >= size:
            yield b"".join(buffer)
            buffer, held = [], 0
    if buffer:
        yield b"".join(buffer)


def feed_tag(engine: Engine, request: Request[Any, Any, Any], now: datetime) -> str:
    params = sorted(parse_qsl(request.url.query, keep_blank_values=True))
    key = "|".join(
        (
            str(read_directory_version(engine)),
            request.url.path,
            urlencode(params),
            now.strftime("%Y-%m-%dT%H:%M"),
        )
    )
    return "W/" + etag_for(key.encode())


def _feed(
    request: Request[Any, Any, Any],
    engine: Engine,
    *,
    media_type: str,
    chunks: Callable[[Session, datetime], Chunks],
    filename: str | None = None,
    disposition: str = "attachment",
    private: bool = False,
) -> Response[Any]:
    now = datetime.now(UTC)
    if private:  # never kept by a cache, never answered 304 from one
        headers = {"Cache-Control": "no-store"}
    else:
        tag = feed_tag(engine, request, now)
        headers = {"ETag": tag, "Cache-Control": PUBLIC_CACHE_CONTROL, "Vary": "Accept-Encoding"}
        if etag_matches(request.headers.get("if-none-match"), tag):
            return Response(content=b"", status_code=304, headers=headers)
    if filename:
        headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'

    def body() -> Iterator[bytes]:
        with SQLModelSession(engine) as session:
            yield from batched(chunks(session, now))

    wanted = requested_range(request.headers)
    if request.method == "HEAD" or wanted is not None:
        return whole_or_part(b"".join(body()), wanted, media_type=media_type, headers=headers)
    return Stream(body, media_type=media_type, headers={**headers, "Accept-Ranges": "bytes"})


@get(
    "/api/v1/resources.geojson",
    tags=["feeds"],
    summary="Every matching resource as a GeoJSON FeatureCollection (RFC 7946)",
    description=(
        "The same filters and order as `/api/v1/resources`, without pages: the whole result, "
        "streamed. Points are `[longitude, latitude]`; properties are the resource's JSON. "
        "With `include_retired=true`, a retired listing is a Feature with a null geometry "
        "whose properties are its tombstone (`id`, `status: retired`, `updated_at`)."
    ),
    dependencies={"resource_query": RESOURCE_SYNC_FILTERS},
    media_type=geojson.MEDIA_TYPE,
    sync_to_thread=True,
)
def resources_geojson(
    request: Request[Any, Any, Any],
    db_engine: NamedDependency[Engine],
    settings: NamedDependency[Settings],
    resource_query: NamedDependency[ResourceQuery],
) -> Response[Any]:
    def chunks(session: Session, now: datetime) -> Iterator[str]:
        found = iter_listings(session, resource_query, now=now, settings=settings)
        return geojson.feature_collection(map(geojson.resource_feature, found))

    return _feed(request, db_engine, media_type=geojson.MEDIA_TYPE, chunks=chunks)


@get(
    "/api/v1/resources.csv",
    tags=["feeds"],
    summary="Every matching resource as CSV in the import format",
    description=(
        "The same filters and order as `/api/v1/resources`, streamed, in the columns "
        "`puente import` reads. This is the public view: a confidential location shows no "
        "street address and its area's centre instead of its point. Cells a spreadsheet "
        "would run as a formula start with a single quote, which the import removes.\n\n"
        "`full=true` (staff: a key with `resources:write` or `admin`, no filters) is the "
        "lossless staff export instead: every resource of every status as stored, "
        "confidential addresses included, in every import column, `Cache-Control: no-store`."
    ),
    dependencies={"resource_query": RESOURCE_FILTERS},
    media_type=csv.MEDIA_TYPE,
    sync_to_thread=True,
    guards=[require_scope_for_flag],
    opt={"staff_flag": "full", "flag_scope": Scope.RESOURCES_WRITE},
    security=[{}, {"BearerAuth": []}],
)
def resources_csv(
    request: Request[Any, Any, Any],
    db_engine: NamedDependency[Engine],
    settings: NamedDependency[Settings],
    resource_query: NamedDependency[ResourceQuery],
    full: Annotated[
        bool,
        Parameter(
            description="The staff export: every import column (needs a key).",
            examples=[Example(value=True)],
        ),
    ] = False,
) -> Response[Any]:
    if full:
        if resource_query != ResourceQuery():
            raise InvalidInput(
                [{"name": "full", "reason": "the staff export is the whole directory: no filters"}]
            )

        def stored(session: Session, now: datetime) -> Iterator[str]:
            rows = map(csv.staff_row, iter_stored_resources(session))
            return csv.csv_chunks(rows, columns=csv.FULL_COLUMNS)

        return _feed(
            request,
            db_engine,
            media_type=csv.MEDIA_TYPE,
            chunks=stored,
            filename="puente-resources-full.csv",
            private=True,
        )

    def chunks(session: Session, now: datetime) -> Iterator[str]:
        found = iter_resources(session, resource_query, now=now, settings=settings)
        return csv.csv_chunks(map(csv.resource_row, found))

    return _feed(
        request,
        db_engine,
        media_type=csv.MEDIA_TYPE,
        chunks=chunks,
        filename="puente-resources.csv",
    )


@get(
    "/api/v1/events.ics",
    tags=["feeds"],
    summary="Matching meetings as an iCalendar feed (RFC 5545)",
    description=(
        "The same filters as `/api/v1/events` (upcoming by default), without pages. Each "
        "event keeps its UID across reads, times carry the region's time zone, and "
        "cancelled meetings stay in the feed marked `STATUS:CANCELLED`."
    ),
    dependencies={"event_query": EVENT_FILTERS},
    media_type=ical.MEDIA_TYPE,
    sync_to_thread=True,
)
def events_ics(
    request: Request[Any, Any, Any],
    db_engine: NamedDependency[Engine],
    settings: NamedDependency[Settings],
    event_query: NamedDependency[EventQuery],
) -> Response[Any]:
    domain = ical.uid_domain(settings.public_url)

    def chunks(session: Session, now: datetime) -> Iterator[bytes]:
        # An event still under way at ``from`` may have started a little earlier.
        since = (event_query.starts_from or now).astimezone(settings.zone).date() - timedelta(
            days=31
        )
        found = map(
            ical.calendar_event, iter_events(session, event_query, now=now, settings=settings)
        )
        return ical.calendar_chunks(
            found, zone=settings.zone, domain=domain, name="Puente meetings", since=since
        )

    return _feed(
        request,
        db_engine,
        media_type=ical.MEDIA_TYPE,
        chunks=chunks,
        filename="puente-meetings.ics",
        disposition="inline",
    )
