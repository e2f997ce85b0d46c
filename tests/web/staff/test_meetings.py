"""Meetings in the console against a real database: local times in PUENTE_TIMEZONE, the
write path of the API (audited, version-checked), and the public feeds changing at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.db.models import AuditEntry, Event, Resource
from tests.web.directory import Directory
from tests.web.staff.console import form_values, sign_in
from web.staff.meeting_form import read_meeting

CHICAGO = ZoneInfo("America/Chicago")


def _day(days: int = 10) -> str:
    return (datetime.now(CHICAGO) + timedelta(days=days)).date().isoformat()


def _new_form(client: TestClient[Litestar]) -> dict[str, str]:
    page = client.get("/staff/meetings/new")
    assert page.status_code == 200
    return form_values(page.text, "/staff/meetings")


def _venue_id(directory: Directory, engine: Engine) -> str:
    with Session(engine) as session:
        resource = session.get(Resource, directory.resources["police"])
        assert resource is not None
        return str(resource.location_id)


def test_local_times_become_utc_instants() -> None:
    form, write = read_meeting(
        {
            "title": "Know your rights",
            "location_id": "3",
            "day": "2026-07-01",
            "starts": "18:30",
            "ends": "20:00",
            "languages": "Spanish, vi",
        },
        zone=CHICAGO,
        creating=True,
    )
    assert form.errors == {}
    assert write is not None
    assert write.starts_at == datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # CDT is UTC-5
    assert write.ends_at == datetime(2026, 7, 2, 1, 0, tzinfo=UTC)
    assert write.languages == ["es", "vi"]


def test_a_meeting_past_midnight_ends_the_next_day() -> None:
    _, write = read_meeting(
        {
            "title": "Vigil",
            "location_id": "3",
            "day": "2026-01-10",
            "starts": "22:00",
            "ends": "01:00",
        },
        zone=CHICAGO,
        creating=True,
    )
    assert write is not None
    assert write.starts_at is not None and write.ends_at is not None
    assert write.ends_at - write.starts_at == timedelta(hours=3)


def test_a_time_the_clocks_skip_is_named_beside_its_field() -> None:
    form, write = read_meeting(
        {"title": "Early", "location_id": "3", "day": "2026-03-08", "starts": "02:30"},
        zone=CHICAGO,
        creating=True,
    )
    assert write is None
    assert form.errors == {
        "starts": "this time does not exist on that day (the clocks move forward)"
    }


def test_every_problem_is_kept_beside_its_field() -> None:
    form, write = read_meeting(
        {
            "title": "",
            "location_id": "",
            "day": "15/12/2026",
            "starts": "7pm",
            "languages": "klingonish",
        },
        zone=CHICAGO,
        creating=True,
    )
    assert write is None
    assert set(form.errors) == {"title", "location_id", "day"}
    form, write = read_meeting(
        {
            "title": "T",
            "location_id": "3",
            "day": "2026-12-15",
            "starts": "19:00",
            "languages": "klingonish",
        },
        zone=CHICAGO,
        creating=True,
    )
    assert write is None
    assert set(form.errors) == {"languages"}


def test_create_a_meeting_and_see_it_in_the_feeds(
    editor: TestClient[Litestar], directory: Directory, engine: Engine
) -> None:
    form = _new_form(editor)
    venue = _venue_id(directory, engine)
    day = _day()
    # Read (and so cached) before the save: the save must still show at once.
    assert b"Consulate mobile office" not in editor.get("/api/v1/events.ics").content
    police = f"/api/v1/resources/{directory.resources['police']}"
    assert len(editor.get(police).json()["events"]) == 1
    created = editor.post(
        "/staff/meetings",
        data={
            **form,
            "title": "Consulate mobile office",
            "location_id": venue,
            "day": day,
            "starts": "10:00",
            "ends": "13:00",
            "languages": "es, vi",
        },
    )
    assert created.status_code == 200, created.text
    assert "Saved. The public map, API and calendar show it now." in created.text
    events = editor.get("/api/v1/events", params={"per_page": 100}).json()["items"]
    mine = [e for e in events if e["title"] == "Consulate mobile office"]
    assert len(mine) == 1
    starts = datetime.fromisoformat(mine[0]["starts_at"]).astimezone(CHICAGO)
    assert (starts.date().isoformat(), starts.strftime("%H:%M")) == (day, "10:00")
    assert sorted(language["code"] for language in mine[0]["languages"]) == ["es", "vi"]
    titles = [event["title"] for event in editor.get(police).json()["events"]]
    assert "Consulate mobile office" in titles
    calendar = icalendar.Calendar.from_ical(editor.get("/api/v1/events.ics").content)
    summaries = [str(c.get("summary")) for c in calendar.walk("VEVENT")]
    assert "Consulate mobile office" in summaries
    with Session(engine) as session:
        entry = session.exec(
            select(AuditEntry).where(AuditEntry.entity == "event", AuditEntry.action == "create")
        ).one()
        assert entry.actor == "Ana Editor"


def test_edit_cancel_and_postpone(
    editor: TestClient[Litestar], directory: Directory, engine: Engine
) -> None:
    event_id = directory.events["police"]
    page = editor.get(f"/staff/meetings/{event_id}")
    assert page.status_code == 200
    form = form_values(page.text, f"/staff/meetings/{event_id}/save")
    saved = editor.post(
        f"/staff/meetings/{event_id}/save", data={**form, "title": "Police and neighbours"}
    )
    assert saved.status_code == 200
    answer = editor.get("/api/v1/events?per_page=100").json()["items"]
    assert [e["title"] for e in answer if e["id"] == event_id] == ["Police and neighbours"]
    # The form was read before the save: its version is stale, nothing is written.
    stale = editor.post(f"/staff/meetings/{event_id}/save", data={**form, "title": "Stale"})
    assert stale.status_code == 409
    assert "Someone changed this meeting while you were editing it." in stale.text
    with Session(engine) as session:
        row = session.get(Event, event_id)
        assert row is not None and row.title == "Police and neighbours"

    page = editor.get(f"/staff/meetings/{event_id}")
    cancel = form_values(page.text, f"/staff/meetings/{event_id}/cancel")
    done = editor.post(f"/staff/meetings/{event_id}/cancel", data=cancel)
    assert "Cancelled: the calendar and the map say so now." in done.text
    calendar = icalendar.Calendar.from_ical(editor.get("/api/v1/events.ics").content)
    statuses = {str(c.get("summary")): str(c.get("status")) for c in calendar.walk("VEVENT")}
    assert statuses["Police and neighbours"] == "CANCELLED"
    page = editor.get(f"/staff/meetings/{event_id}")
    postpone = form_values(page.text, f"/staff/meetings/{event_id}/postpone")
    editor.post(f"/staff/meetings/{event_id}/postpone", data=postpone)
    answer = editor.get("/api/v1/events?per_page=100").json()["items"]
    assert [e["status"] for e in answer if e["id"] == event_id] == ["postponed"]


def test_the_list_shows_local_times(
    editor: TestClient[Litestar], directory: Directory, engine: Engine
) -> None:
    with Session(engine) as session:
        event = session.get(Event, directory.events["police"])
        assert event is not None
        local = event.starts_at.astimezone(CHICAGO).strftime("%Y-%m-%d %H:%M")
    page = editor.get("/staff/meetings")
    assert page.status_code == 200
    assert local in page.text
    assert "Community meeting with the police" in page.text


def test_a_reviewer_may_read_but_not_write(
    client: TestClient[Litestar], accounts: dict[str, str], directory: Directory
) -> None:
    assert sign_in(client, accounts["reviewer"]).status_code == 303
    assert client.get("/staff/meetings").status_code == 200
    assert client.get("/staff/meetings/new").status_code == 403
    event_id = directory.events["police"]
    page = client.get(f"/staff/meetings/{event_id}")
    assert page.status_code == 200
    assert f'action="/staff/meetings/{event_id}/save"' not in page.text
