"""``/calendar/{resource}/{event}``: one meeting as an iCalendar file, for "add to calendar".

The public feed ``/api/v1/events.ics`` holds every matching meeting; a resident adding one
meeting to a phone wants just that one. The meeting is read through
``api.search.get_resource`` (a resource's upcoming events) and written by the same
encoder as the feed (``api.formats.ical``), so its UID is the feed's and a calendar that
holds both keeps one entry.
"""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from sqlalchemy.orm import Session

from api.formats import ical
from api.search import get_resource
from api.settings import Settings

__all__ = ["event_calendar"]


@get(
    "/calendar/{resource_id:int}/{event_id:int}",
    name="event-calendar",
    include_in_schema=False,
    sync_to_thread=True,
)
def event_calendar(
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    resource_id: FromPath[int],
    event_id: FromPath[int],
) -> Response[bytes]:
    now = datetime.now(UTC)
    resource = get_resource(db_session, resource_id, now=now, settings=settings)
    event = next((e for e in (resource.events if resource else []) if e.id == event_id), None)
    if event is None:
        raise NotFoundException(f"No upcoming meeting {event_id} at resource {resource_id}")
    chunks = ical.calendar_chunks(
        [ical.calendar_event(event)],
        zone=settings.zone,
        domain=ical.uid_domain(settings.public_url),
        name=event.title,
        since=event.starts_at.astimezone(settings.zone).date(),
    )
    return Response(
        content=b"".join(chunks),
        media_type=ical.MEDIA_TYPE,
        headers={"Content-Disposition": f'inline; filename="meeting-{event_id}.ics"'},
    )
