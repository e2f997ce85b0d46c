"""The iCalendar feed read by clients Puente did not write: ical.js, vobject and icalendar.

Meetings on both sides of every daylight-saving change for more than three years must come
out of each parser at the same UTC instants as ``/api/v1/events`` gives them.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.formats.ical import NO_END_NOTE, UNANNOUNCED_LENGTH
from api.settings import Settings
from tests.api.formats.rows import Directory
from tests.clients import node_module, node_program
from tests.conftest import settings_with

CHICAGO = ZoneInfo("America/Chicago")
ICAL_JS_READER = Path(__file__).with_name("ical_instants.mjs")
Instants = dict[str, tuple[str, str]]


def utc_text(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def seed_across_daylight_changes(engine: Engine) -> list[int]:
    """Evening meetings in winter, spring, summer, autumn and early winter, four years on."""
    rows = Directory(engine)
    venue = rows.location(address="1 Main St", city="Dallas", state="TX")
    rows.resource("Venue", location_id=venue)
    year = datetime.now(CHICAGO).year + 1
    ids = []
    for offset in range(4):
        for month, day in ((1, 20), (3, 20), (7, 4), (10, 30), (11, 20)):
            local = datetime(year + offset, month, day, 18, 30, tzinfo=CHICAGO)
            ids.append(rows.event(f"Meeting {local:%Y-%m-%d}", location_id=venue, starts_at=local))
    no_end = datetime(year + 2, 8, 1, 19, 0, tzinfo=CHICAGO)
    ids.append(rows.event("Open-ended", location_id=venue, starts_at=no_end, length=None))
    return ids


def api_instants(client: TestClient[Litestar], domain: str) -> Instants:
    found: Instants = {}
    page = 1
    while True:
        body = client.get("/api/v1/events", params={"per_page": "100", "page": str(page)}).json()
        for item in body["items"]:
            starts = datetime.fromisoformat(item["starts_at"])
            ends = datetime.fromisoformat(item["ends_at"]) if item["ends_at"] else None
            found[f"event-{item['id']}@{domain}"] = (
                utc_text(starts),
                utc_text(ends or starts + UNANNOUNCED_LENGTH),
            )
        if page >= body["pages"]:
            return found
        page += 1


def icalendar_instants(data: bytes) -> Instants:
    calendar = icalendar.Calendar.from_ical(data)
    return {str(e["UID"]): (utc_text(e.start), utc_text(e.end)) for e in calendar.events}


def vobject_instants(data: bytes) -> Instants:
    calendar = vobject.readOne(data.decode())
    return {
        e.uid.value: (utc_text(e.dtstart.value), utc_text(e.dtend.value))
        for e in calendar.vevent_list
    }


def ical_js_instants(data: bytes) -> Instants:
    library = node_module("ical.js") / "dist" / "ical.js"
    done = subprocess.run(
        [node_program(), str(ICAL_JS_READER), str(library)],
        input=data,
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode()
    read: dict[str, list[str]] = json.loads(done.stdout)
    return {
        uid: (utc_text(datetime.fromisoformat(a)), utc_text(datetime.fromisoformat(b)))
        for uid, (a, b) in read.items()
    }


@pytest.fixture
def public_client(settings: Settings) -> Iterator[TestClient[Litestar]]:
    app = create_app(settings_with(settings, public_url="https://puente.example.org"))
    with TestClient(app) as client:
        yield client


def test_every_client_reads_the_api_instants_across_daylight_changes(
    public_client: TestClient[Litestar], engine: Engine
) -> None:
    ids = seed_across_daylight_changes(engine)
    expected = api_instants(public_client, "puente.example.org")
    response = public_client.get("/api/v1/events.ics")
    assert response.status_code == 200
    assert len(expected) == len(ids)
    summer = [v for k, v in expected.items() if v[0][5:7] == "07"]
    assert {start[11:16] for start, _ in summer} == {"23:30"}  # 18:30 CDT
    assert icalendar_instants(response.content) == expected
    assert vobject_instants(response.content) == expected
    assert ical_js_instants(response.content) == expected


def test_each_daylight_change_is_its_own_rdate_line(client: TestClient[Litestar]) -> None:
    text = client.get("/api/v1/events.ics").text
    zone = text[text.index("BEGIN:VTIMEZONE") : text.index("END:VTIMEZONE")]
    rdates = [line for line in zone.splitlines() if line.startswith("RDATE")]
    assert len(rdates) >= 30
    assert all("," not in line for line in rdates)


def test_uids_ignore_the_host_header(
    public_client: TestClient[Litestar], client: TestClient[Litestar], engine: Engine
) -> None:
    seed_across_daylight_changes(engine)
    for headers in ({}, {"Host": "elsewhere.example.com"}):
        configured = icalendar.Calendar.from_ical(
            public_client.get("/api/v1/events.ics", headers=headers).content
        )
        fallback = icalendar.Calendar.from_ical(
            client.get("/api/v1/events.ics", headers=headers).content
        )
        assert {str(e["UID"]).split("@")[1] for e in configured.events} == {"puente.example.org"}
        assert {str(e["UID"]).split("@")[1] for e in fallback.events} == {"puente.invalid"}


def test_a_meeting_without_an_end_lasts_an_hour_and_says_so(
    client: TestClient[Litestar], engine: Engine
) -> None:
    seed_across_daylight_changes(engine)
    calendar = icalendar.Calendar.from_ical(client.get("/api/v1/events.ics").content)
    [open_ended] = [e for e in calendar.events if str(e["SUMMARY"]) == "Open-ended"]
    assert open_ended.end - open_ended.start == timedelta(hours=1)
    assert NO_END_NOTE in str(open_ended["DESCRIPTION"])
    timed = [e for e in calendar.events if str(e["SUMMARY"]) != "Open-ended"]
    assert all(NO_END_NOTE not in str(e.get("DESCRIPTION", "")) for e in timed)
