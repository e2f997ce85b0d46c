from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import icalendar

from api.db.models import EventStatus
from api.directory.schemas import AreaPublic
from api.formats.ical import calendar_chunks, calendar_event, location_text
from tests.api.formats.samples import event, location

CHICAGO = ZoneInfo("America/Chicago")


def build(*events: object, domain: str = "example.org") -> icalendar.Calendar:
    shaped = [calendar_event(e) for e in events]  # type: ignore[arg-type]
    data = b"".join(calendar_chunks(shaped, zone=CHICAGO, domain=domain, since=date(2026, 1, 1)))
    return icalendar.Calendar.from_ical(data)


def test_events_carry_stable_uids_local_times_and_status() -> None:
    calendar = build(event(), event(id=12, status=EventStatus.CANCELLED))
    first, second = calendar.events
    assert str(first["UID"]) == "event-11@example.org"
    assert str(second["UID"]) == "event-12@example.org"
    assert first.start == datetime(2026, 3, 4, 18, 30, tzinfo=CHICAGO)
    assert first.start.tzinfo is not None and first["DTSTART"].params["TZID"] == "America/Chicago"
    assert first.end == datetime(2026, 3, 4, 20, 0, tzinfo=CHICAGO)
    assert str(first["STATUS"]) == "CONFIRMED"
    assert str(second["STATUS"]) == "CANCELLED"
    assert first["DTSTAMP"].dt == datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    assert str(first["URL"]) == "https://example.org/meetings"


def test_the_calendar_includes_the_zone_it_names() -> None:
    calendar = build(event())
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    assert calendar.get_missing_tzids() == set()


def test_location_is_the_venue_and_address() -> None:
    [vevent] = build(event()).events
    assert str(vevent["LOCATION"]) == "Recreation Center, 400 S Ervay St, Dallas, TX 75201"
    assert "Host: Police Department" in str(vevent["DESCRIPTION"])
    assert "Languages: Spanish" in str(vevent["DESCRIPTION"])


def test_a_confidential_venue_shows_only_its_area() -> None:
    hidden = location(
        confidential=True,
        name="Shelter",
        address=None,
        areas=[AreaPublic(kind="council_district", code="2", name="Council District 2")],
    )
    assert location_text(hidden) == "Council District 2"
    [vevent] = build(event(location=hidden)).events
    assert "Shelter" not in vevent.to_ical().decode()


def test_the_same_events_make_the_same_bytes() -> None:
    assert build(event()).to_ical() == build(event()).to_ical()


def test_an_empty_calendar_parses() -> None:
    calendar = build()
    assert calendar.events == []
    assert str(calendar["VERSION"]) == "2.0"
