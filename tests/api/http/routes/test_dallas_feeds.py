"""The shipped Dallas example data through the public endpoints: areas with the 2011 plan's
note, the past meetings in the calendar, and feeds that a parser reads back."""

from __future__ import annotations

from pathlib import Path

import icalendar
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from shapely.geometry import Point, shape
from sqlalchemy import Engine

from api.settings import Settings
from seed.importer import import_paths

DALLAS = Path(__file__).resolve().parents[4] / "seed" / "dallas"


@pytest.fixture
def dallas(settings: Settings, engine: Engine) -> None:
    report = import_paths(engine, settings, [DALLAS])
    assert report.ok, [str(p) for p in report.problems]


@pytest.mark.usefixtures("dallas")
def test_council_districts_carry_the_2011_plan_note(client: TestClient[Litestar]) -> None:
    body = client.get("/api/v1/areas", params={"kind": "council_district"}).json()
    assert body["total"] == 14
    assert [area["code"] for area in body["items"]] == [str(n) for n in range(1, 15)]
    assert all("2011 plan" in (area["note"] or "") for area in body["items"])
    assert sum(area["resources"] for area in body["items"]) > 0


@pytest.mark.usefixtures("dallas")
def test_tagged_resources_lie_inside_their_district(client: TestClient[Litestar]) -> None:
    resources = client.get("/api/v1/resources.geojson").json()["features"]
    checked = 0
    for feature in resources:
        point = Point(feature["geometry"]["coordinates"])
        for area in feature["properties"]["location"]["areas"]:
            if area["kind"] != "council_district":
                continue
            district = client.get(f"/api/v1/areas/council_district/{area['code']}").json()
            assert "2011 plan" in district["properties"]["note"]
            assert shape(district["geometry"]).buffer(1e-9).contains(point)
            checked += 1
    assert checked > 0


@pytest.mark.usefixtures("dallas")
def test_past_meetings_are_in_the_calendar_only_when_asked_for(
    client: TestClient[Litestar],
) -> None:
    upcoming = icalendar.Calendar.from_ical(client.get("/api/v1/events.ics").content)
    assert upcoming.events == []
    response = client.get("/api/v1/events.ics", params={"from": "2025-01-01", "to": "2025-12-31"})
    past = icalendar.Calendar.from_ical(response.content)
    assert len(past.events) >= 2
    first = past.events[0]
    assert str(first["DTSTART"].params["TZID"]) == "America/Chicago"
    assert first.start.hour == 19 and first.start.minute == 30
    assert str(first["URL"]).startswith("https://")
