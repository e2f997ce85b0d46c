"""Events: dated meetings at venues, soonest first, filtered by their venue's resources.

An event matches a language it lists itself or one a resource at its venue offers, and a
category of a resource at its venue; area and distance place the venue. Distances are
measured like resources' (``api.search.ranking.measure``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from api.db.models import Event, EventLanguage, Location, Resource, ResourceLanguage, ResourceStatus
from api.directory.schemas import EventPublic, Page
from api.search.conditions import CONFIDENTIAL, SECRET, dialect_of, in_areas, near_condition
from api.search.query import EventQuery
from api.search.ranking import CHUNK, Row, cut, measure
from api.search.results import Hit, KnownAreas, publish_events
from api.settings import Settings

__all__ = ["event_conditions", "events_page", "iter_events", "search_events"]

_EVENT_PAGE = Page[EventPublic]
"""Made once: pydantic builds a new class on every subscription otherwise."""


def search_events(
    session: Session, query: EventQuery, *, now: datetime, settings: Settings
) -> Page[EventPublic]:
    conditions = event_conditions(query, session, now)
    window = ((query.page - 1) * query.per_page, query.per_page)
    items, total = events_page(session, conditions, query, settings, window=window)
    return _EVENT_PAGE.of(items, total=total, page=query.page, per_page=query.per_page)


def iter_events(
    session: Session, query: EventQuery, *, now: datetime, settings: Settings
) -> Iterator[EventPublic]:
    """Every matching event, soonest first (pagination is ignored)."""
    areas = KnownAreas(session=session)
    conditions = event_conditions(query, session, now)
    hits = _event_hits(session, conditions, query, areas)
    for start in range(0, len(hits), CHUNK):
        yield from publish_events(session, hits[start : start + CHUNK], settings, areas)


def event_conditions(
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
    if query is None or query.radius_km is None:
        total = session.execute(
            select(func.count(col(Event.id)))
            .join(Location, col(Location.id) == col(Event.location_id))
            .where(*conditions)
        ).scalar_one()
        statement = _event_rows(conditions).offset(window[0]).limit(window[1])
        rows = [_row(row) for row in session.execute(statement)]
        hits = measure(rows, query.near if query is not None else None, areas)
    else:
        hits = _event_hits(session, conditions, query, areas)
        total = len(hits)
        hits = cut(hits, window)
    return publish_events(session, hits, settings, areas), total


def _event_rows(conditions: Sequence[ColumnElement[bool]]) -> Select[*tuple[Any, ...]]:
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
        .order_by(col(Event.starts_at), col(Event.id))
    )


def _row(row: Any) -> Row:
    return Row(row[0], row[1], row[2], row[3], row[4], None)


def _event_hits(
    session: Session,
    conditions: Sequence[ColumnElement[bool]],
    query: EventQuery,
    areas: KnownAreas,
) -> list[Hit]:
    rows = [_row(row) for row in session.execute(_event_rows(conditions))]
    hits = measure(rows, query.near, areas)
    if query.radius_km is not None:
        hits = [h for h in hits if h.distance_km is not None and h.distance_km <= query.radius_km]
    return hits
