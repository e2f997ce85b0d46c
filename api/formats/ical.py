"""iCalendar (RFC 5545): meetings as a calendar a phone or a partner's site can subscribe to.

Built with ``icalendar``. Each event's UID is ``event-<id>@<domain>``, the domain being the
host of ``PUENTE_PUBLIC_URL`` (``puente.invalid`` when unset, never the request's ``Host``),
so a subscriber that reads the feed twice, by any name, updates the same entry instead of
adding a copy. Times carry the region's TZID, and the calendar includes that zone's
VTIMEZONE with one ``RDATE`` per line: ical.js (Thunderbird) and vobject read only the
first date of a comma-separated ``RDATE``, and would put every later daylight-saving
change in the wrong place. DTSTAMP is the event's last change, so an unchanged feed is
byte-for-byte the same (and keeps its ETag).

A meeting announced without an end is written as lasting ``UNANNOUNCED_LENGTH`` (an hour)
with "End time not announced." in its description: RFC 5545 would read a missing DTEND as
a zero-length event, which calendars show as a sliver or not at all.

The calendar is written as chunks: the header and time zone, then one VEVENT per chunk.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar

from api.directory.schemas import EventPublic, LocationPublic

__all__ = [
    "DEFAULT_DOMAIN",
    "MEDIA_TYPE",
    "UNANNOUNCED_LENGTH",
    "CalendarEvent",
    "calendar_chunks",
    "calendar_event",
    "event_uid",
    "location_text",
    "uid_domain",
]

MEDIA_TYPE = "text/calendar"
DEFAULT_DOMAIN = "puente.invalid"
PRODID = "-//Puente//Resident resource directory//EN"
_STATUS = {"scheduled": "CONFIRMED", "cancelled": "CANCELLED", "postponed": "TENTATIVE"}
_ZONE_YEARS = 20
UNANNOUNCED_LENGTH = timedelta(hours=1)
NO_END_NOTE = "End time not announced."


@dataclass(frozen=True, kw_only=True)
class CalendarEvent:
    """What a VEVENT needs, already shaped for residents (a confidential venue has no address)."""

    id: int
    title: str
    starts_at: datetime
    ends_at: datetime | None
    status: str
    location: str | None
    description: str | None
    url: str | None
    updated_at: datetime
    categories: tuple[str, ...] = ()


def event_uid(event_id: int, domain: str = DEFAULT_DOMAIN) -> str:
    return f"event-{event_id}@{domain}"


def uid_domain(public_url: str | None) -> str:
    """The domain UIDs end in: the public URL's host, or ``DEFAULT_DOMAIN`` without one."""
    return (urlsplit(public_url).hostname if public_url else None) or DEFAULT_DOMAIN


def location_text(location: LocationPublic) -> str:
    """Venue and street address; for a confidential venue only the areas it lies in."""
    parts: list[str | None]
    if location.confidential:
        parts = [area.name for area in location.areas] or [location.city]
    else:
        place = " ".join(p for p in (location.state, location.postal_code) if p)
        parts = [location.name, location.address, location.city, place]
    return ", ".join(p for p in parts if p)


def calendar_event(event: EventPublic) -> CalendarEvent:
    lines = [event.description] if event.description else []
    if event.organization is not None:
        lines.append(f"Host: {event.organization.name}")
    if event.languages:
        lines.append("Languages: " + ", ".join(language.name for language in event.languages))
    return CalendarEvent(
        id=event.id,
        title=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        status=event.status.value,
        location=location_text(event.location) or None,
        description="\n\n".join(lines) or None,
        url=event.source_url,
        updated_at=event.updated_at,
    )


def _vevent(event: CalendarEvent, zone: ZoneInfo, domain: str) -> icalendar.Event:
    description = event.description
    ends_at = event.ends_at
    if ends_at is None:
        ends_at = event.starts_at + UNANNOUNCED_LENGTH
        description = "\n\n".join(p for p in (description, NO_END_NOTE) if p)
    vevent = icalendar.Event.new(
        uid=event_uid(event.id, domain),
        summary=event.title,
        start=event.starts_at.astimezone(zone),
        end=ends_at.astimezone(zone),
        stamp=event.updated_at.astimezone(ZoneInfo("UTC")),
        location=event.location or None,
        description=description or None,
        url=event.url or None,
        categories=event.categories,
    )
    vevent.add("STATUS", _STATUS.get(event.status, "CONFIRMED"))
    return vevent


def _header(zone: ZoneInfo, name: str, domain: str, first: date) -> bytes:
    calendar = icalendar.Calendar.new(prodid=PRODID, name=name, uid=f"calendar@{domain}")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("X-WR-TIMEZONE", zone.key)
    timezone = icalendar.Timezone.from_tzinfo(
        zone, tzid=zone.key, first_date=first, last_date=date(first.year + _ZONE_YEARS, 1, 1)
    )
    calendar.add_component(_one_rdate_per_line(timezone))
    text: bytes = calendar.to_ical()
    return text[: text.rindex(b"END:VCALENDAR")]


def _one_rdate_per_line(timezone: icalendar.Timezone) -> icalendar.Timezone:
    """Split each observance's comma-separated ``RDATE`` into one property per date."""
    for observance in timezone.subcomponents:
        found = observance.pop("RDATE", None)
        if found is None:
            continue
        for value in found if isinstance(found, list) else [found]:
            for when in value.dts:
                observance.add("RDATE", when.dt)
    return timezone


def calendar_chunks(
    events: Iterable[CalendarEvent],
    *,
    zone: ZoneInfo,
    domain: str = DEFAULT_DOMAIN,
    name: str = "Puente",
    since: date,
) -> Iterator[bytes]:
    """The calendar as chunks; ``since`` is the earliest date its VTIMEZONE must cover.

    Pass the earliest date the events may start on (the query's ``from``, say): the zone's
    rules are written from that year for twenty years.
    """
    first = date(since.year, 1, 1)
    yield _header(zone, name, domain, first)
    for event in events:
        yield _vevent(event, zone, domain).to_ical()
    yield b"END:VCALENDAR\r\n"
