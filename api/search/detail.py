"""One resource as its own page shows it: published like a search hit, with its upcoming
events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from api.db.models import Event, Resource
from api.directory.schemas import ResourceDetail
from api.search.events import event_conditions, events_page
from api.search.query import EventQuery
from api.search.results import Hit, KnownAreas, publish_resources
from api.settings import Settings

__all__ = ["get_resource"]

_DETAIL_EVENTS = 50


def get_resource(
    session: Session, resource_id: int, *, now: datetime, settings: Settings
) -> ResourceDetail | None:
    """One resource (whatever its status, unless retired) with its upcoming events."""
    found = session.execute(
        select(col(Resource.id)).where(
            col(Resource.id) == resource_id,
            col(Resource.retired_at).is_(None),
        )
    ).first()
    if found is None:
        return None
    areas = KnownAreas(session=session)
    (public,) = publish_resources(session, [Hit(resource_id, None)], now, settings, areas)
    events = events_page(
        session,
        [
            *event_conditions(EventQuery(), session, now),
            col(Event.location_id) == public.location.id,
        ],
        None,
        settings,
        window=(0, _DETAIL_EVENTS),
    )[0]
    return ResourceDetail(**dict(public), events=events)
