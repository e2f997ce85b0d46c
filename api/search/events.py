"""Events: dated meetings at venues, soonest first, filtered by their venue's resources.

An event matches a language it lists itself or one a resource at its venue offers, and a
category of a resource at its venue; area and distance place the venue. Distances are
measured like resources' (``api.search.ranking.measure``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from api.db.models import (
    Event,
    EventLanguage,
    Location,
    Resource,
    ResourceLanguage,
    ResourceStatus,
    table_of,
)
from api.directory.schemas import EventPublic, Page, Tombstone
from api.search.changes import changed_at
from api.search.conditions import CONFIDENTIAL, SECRET, dialect_of, in_areas, near_condition
from api.search.query import EventQuery
from api.search.ranking import CHUNK, Row, cut, measure
from api.search.results import Hit, KnownAreas, publish_events
from api.search.tombstones import with_tombstones
from api.settings import Settings

__all__ = ["event_conditions", "events_page", "iter_events", "search_events"]

_EVENT_PAGE = Page[EventPublic | Tombstone]
"""Made once: pydantic builds a new class on every subscription otherwise."""


EVENT_CHANGED_AT = changed_at(table_of(Event), table_of(Location))
"""When an event's listing last changed (``api.search.changes``)."""


def search_events(
    session: Session, query: EventQuery, *, now: datetime, settings: Settings
) -> Page[EventPublic | Tombstone]:
    conditions = event_conditions(query, session, now)
    window = ((query.page - 1) * query.per_page, query.per_page)
    areas = KnownAreas(session=session)
    hits, total = _page_hits(session, conditions, query, areas, window)

    def publish(live: Sequence[Hit]) -> list[EventPublic]:
        return publish_events(session, live, settings, areas)

    items = (
        with_tombstones(session, "event", hits, publish)
        if query.include_retired
        else list[EventPublic | Tombstone](publish(hits))
    )
    return _EVENT_PAGE.of(items, total=total, page=query.page, per_page=query.per_page)


def iter_events(
    session: Session, query: EventQuery, *, now: datetime, settings: Settings
) -> Iterator[EventPublic]:
    """Every matching live event, soonest first (latest change first with
    ``updated_since``); pagination and ``include_retired`` are ignored."""
    areas = KnownAreas(session=session)
    query = replace(query, include_retired=False)
    conditions = event_conditions(query, session, now)
    hits = _event_hits(session, conditions, query, areas)
    for start in range(0, len(hits), CHUNK):
        yield from publish_events(session, hits[start : start + CHUNK], settings, areas)


def event_conditions(
    query: EventQuery, session: Session, now: datetime
) -> list[ColumnElement[bool]]:
    """The filters of ``query``; with ``include_retired``, a retired event (or one at a
    retired location) matches too, whatever the other filters, and ``updated_since``
    holds for both."""
    conditions = _live_conditions(query, session, now)
    if query.include_retired:
        retired = or_(col(Event.retired_at).is_not(None), col(Location.retired_at).is_not(None))
        conditions = [or_(and_(*conditions), retired)]
    if query.updated_since is not None:
        conditions.append(query.updated_since <= EVENT_CHANGED_AT)
    return conditions


def _live_conditions(
    query: EventQuery, session: Session, now: datetime
) -> list[ColumnElement[bool]]:
    starts_from = query.starts_from or now
    conditions: list[ColumnElement[bool]] = [
        col(Event.retired_at).is_(None),
        col(Location.retired_at).is_(None),
        func.coalesce(col(Event.ends_at), col(Event.starts_at)) >= starts_from,
    ]
    if query.starts_to is not None:
        conditions.append(col(Event.starts_at) < query.starts_to)
    if query.statuses:
        conditions.append(col(Event.status).in_([s.value for s in query.statuses]))
    venue = [
        col(Resource.location_id) == col(Event.location_id),
        col(Resource.retired_at).is_(None),
        col(Resource.status) == ResourceStatus.ACTIVE.value,
    ]
    if query.categories:
        conditions.append(
            exists().where(*venue, col(Resource.category).in_([c.value for c in query.categories]))
        )
    if query.languages:
        conditions.append(
            or_(
                exists().where(
                    col(EventLanguage.event_id) == col(Event.id),
                    col(EventLanguage.code).in_(query.languages),
                ),
                exists().where(
                    *venue,
                    col(ResourceLanguage.resource_id) == col(Resource.id),
                    col(ResourceLanguage.code).in_(query.languages),
                ),
            )
        )
    if query.areas:
        conditions.append(in_areas(col(Event.location_id), query.areas))
    if query.near is not None and query.radius_km is not None:
        dialect = dialect_of(session)
        conditions.append(or_(SECRET, near_condition(query.near, query.radius_km, dialect)))
    return conditions


def events_page(
    session: Session,
    conditions: list[ColumnElement[bool]],
    query: EventQuery | None,
    settings: Settings,
    *,
    window: tuple[int, int],
) -> tuple[list[EventPublic], int]:
    """The events in ``window`` (offset, limit) and the total."""
    areas = KnownAreas(session=session)
    hits, total = _page_hits(session, conditions, query, areas, window)
    return publish_events(session, hits, settings, areas), total


def _page_hits(
    session: Session,
    conditions: list[ColumnElement[bool]],
    query: EventQuery | None,
    areas: KnownAreas,
    window: tuple[int, int],
) -> tuple[list[Hit], int]:
    by_change = query is not None and query.syncing
    if query is None or query.radius_km is None:
        total = session.execute(
            select(func.count(col(Event.id)))
            .join(Location, col(Location.id) == col(Event.location_id))
            .where(*conditions)
        ).scalar_one()
        statement = _event_rows(conditions, by_change).offset(window[0]).limit(window[1])
        rows = [_row(row) for row in session.execute(statement)]
        return measure(rows, query.near if query is not None else None, areas), total
    hits = _event_hits(session, conditions, query, areas)
    return cut(hits, window), len(hits)


def _event_rows(
    conditions: Sequence[ColumnElement[bool]], by_change: bool = False
) -> Select[*tuple[Any, ...]]:
    """Soonest first, or with ``by_change`` the latest change first (ties: higher id)."""
    order: tuple[Any, ...]
    if by_change:
        order = (EVENT_CHANGED_AT.desc(), col(Event.id).desc())
    else:
        order = (col(Event.starts_at), col(Event.id))
    return (
        select(
            col(Event.id),
            col(Event.location_id),
            col(Location.latitude),
            col(Location.longitude),
            CONFIDENTIAL,
        )
        .join(Location, col(Location.id) == col(Event.location_id))
        .where(*conditions)
        .order_by(*order)
    )


def _row(row: Any) -> Row:
    return Row(row[0], row[1], row[2], row[3], row[4], None)


def _event_hits(
    session: Session,
    conditions: Sequence[ColumnElement[bool]],
    query: EventQuery,
    areas: KnownAreas,
) -> list[Hit]:
    rows = [_row(row) for row in session.execute(_event_rows(conditions, query.syncing))]
    hits = measure(rows, query.near, areas)
    if query.radius_km is not None:
        hits = [h for h in hits if h.distance_km is not None and h.distance_km <= query.radius_km]
    return hits
