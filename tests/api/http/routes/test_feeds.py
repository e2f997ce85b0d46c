from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from shapely.geometry import Point, shape
from sqlalchemy import Engine
from sqlmodel import Session

from api.app import create_app
from api.db.models import Category, EventStatus, OrganizationKind, Resource, Support
from api.formats.csv import COLUMNS
from api.http.routes.feeds import BATCH_BYTES, batched
from api.settings import Settings
from tests.api.formats.rows import Directory
from tests.conftest import settings_with

CHICAGO = ZoneInfo("America/Chicago")


def seed(engine: Engine) -> dict[str, int]:
    rows = Directory(engine)
    zip_area = rows.area("zip", "75201", south=32.7, west=-96.9, size=0.1)
    org = rows.organization("Ayuda Legal", OrganizationKind.LEGAL_SERVICES)
    downtown = rows.location(
        32.7767,
        -96.797,
        name="Downtown office",
        address="400 S Ervay St",
        city="Dallas",
        state="TX",
        postal_code="75201",
    )
    north = rows.location(32.95, -96.75, address="1 North Rd", city="Dallas", state="TX")
    hidden = rows.location(
        32.7512345,
        -96.8512345,
        address="12 Secret Ln",
        city="Dallas",
        state="TX",
        postal_code="75201",
        confidential=True,
        areas=(zip_area,),
    )
    ids = {
        "clinic": rows.resource(
            'Clínica, "Asesoría"',
            location_id=downtown,
            organization_id=org,
            external_id="clinic-1",
            description="Line one\nline two",
            languages={"es": Support.STAFF, "vi": Support.INTERPRETER},
            email="info@example.org",
            verified_at=datetime(2025, 2, 20, 6, tzinfo=UTC),
            source_url="https://example.org/clinic",
        ),
        "venue": rows.resource(
            "Community venue",
            location_id=north,
            category=Category.MEETING_VENUE,
            external_id="venue-1",
            languages={"en": Support.STAFF},
        ),
        "shelter": rows.resource(
            "Aid at a private place",
            location_id=hidden,
            category=Category.COMMUNITY_PARTNER,
            external_id="hidden-1",
        ),
    }
    return ids


def test_geojson_is_the_whole_result_in_the_list_order(
    client: TestClient[Litestar], engine: Engine
) -> None:
    seed(engine)
    params = {"near": "32.78,-96.80"}
    listed = client.get("/api/v1/resources", params={**params, "per_page": "1"})
    response = client.get("/api/v1/resources.geojson", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    document = json.loads(response.text)
    assert document["type"] == "FeatureCollection"
    assert "crs" not in document
    everything = client.get("/api/v1/resources", params={**params, "per_page": "100"}).json()
    assert listed.json()["total"] == 3
    assert [f["id"] for f in document["features"]] == [r["id"] for r in everything["items"]]
    for feature, item in zip(document["features"], everything["items"], strict=True):
        point = shape(feature["geometry"])
        assert isinstance(point, Point)
        assert (point.x, point.y) == (item["location"]["longitude"], item["location"]["latitude"])
        assert feature["properties"]["name"] == item["name"]
        assert feature["properties"]["distance_km"] == item["distance_km"]


def test_geojson_honours_the_filters(client: TestClient[Litestar], engine: Engine) -> None:
    ids = seed(engine)
    document = client.get("/api/v1/resources.geojson", params={"language": "Spanish"}).json()
    assert [f["id"] for f in document["features"]] == [ids["clinic"]]
    point = shape(document["features"][0]["geometry"])
    assert (point.x, point.y) == (-96.797, 32.7767)


def test_geojson_never_shows_a_confidential_point(
    client: TestClient[Litestar], engine: Engine
) -> None:
    ids = seed(engine)
    document = client.get("/api/v1/resources.geojson").json()
    [feature] = [f for f in document["features"] if f["id"] == ids["shelter"]]
    assert feature["geometry"]["coordinates"] == pytest.approx([-96.85, 32.75])
    assert "Secret" not in json.dumps(document)


def test_feed_errors_are_problem_json_naming_the_parameter(
    client: TestClient[Litestar], engine: Engine
) -> None:
    seed(engine)
    for path in ("/api/v1/resources.geojson", "/api/v1/resources.csv"):
        response = client.get(path, params={"language": "xx", "near": "north"})
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("application/problem+json")
        names = {p["name"] for p in response.json()["invalid_params"]}
        assert names == {"language", "near"}


def test_csv_has_the_import_columns_and_every_match(
    client: TestClient[Litestar], engine: Engine
) -> None:
    seed(engine)
    response = client.get("/api/v1/resources.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="puente-resources.csv"' in response.headers["content-disposition"]
    reader = csv.DictReader(io.StringIO(response.text, newline=""))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    rows = {row["external_id"]: row for row in reader}
    assert set(rows) == {"clinic-1", "venue-1", "hidden-1"}
    clinic = rows["clinic-1"]
    assert clinic["name"] == 'Clínica, "Asesoría"'
    assert clinic["description"] == "Line one\nline two"
    assert clinic["organization"] == "Ayuda Legal"
    assert clinic["organization_kind"] == "legal_services"
    assert clinic["languages"] == "es:staff;vi:interpreter"
    assert (clinic["latitude"], clinic["longitude"]) == ("32.7767", "-96.797")
    assert clinic["verified_at"] == "2025-02-20T06:00:00+00:00"
    assert clinic["email"] == "info@example.org"
    assert clinic["confidential"] == "false"
    hidden = rows["hidden-1"]
    assert hidden["address"] == "" and hidden["confidential"] == "true"
    assert "Secret" not in response.text
    assert "32.7512345" not in response.text


def test_csv_honours_the_filters(client: TestClient[Litestar], engine: Engine) -> None:
    seed(engine)
    text = client.get("/api/v1/resources.csv", params={"category": "meeting_venue"}).text
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [row["external_id"] for row in rows] == ["venue-1"]


def test_feeds_carry_a_validator_and_answer_304(
    client: TestClient[Litestar], engine: Engine
) -> None:
    seed(engine)
    first = client.get("/api/v1/resources.csv")
    tag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public")
    again = client.get("/api/v1/resources.csv", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    other = client.get(
        "/api/v1/resources.csv", params={"category": "legal_aid"}, headers={"If-None-Match": tag}
    )
    assert other.status_code == 200


def test_a_change_to_the_directory_changes_the_feed_tag(
    client: TestClient[Litestar], engine: Engine
) -> None:
    seed(engine)
    tag = client.get("/api/v1/resources.geojson").headers["etag"]
    Directory(engine).resource("New clinic", location_id=Directory(engine).location())
    response = client.get("/api/v1/resources.geojson", headers={"If-None-Match": tag})
    assert response.status_code == 200
    assert len(response.json()["features"]) == 4


# --- iCalendar ------------------------------------------------------------------------------


def seed_events(engine: Engine) -> dict[str, int]:
    rows = Directory(engine)
    district = rows.area("council_district", "2", note="2011 plan")
    police = rows.organization("Police Department", OrganizationKind.LAW_ENFORCEMENT)
    station = rows.location(
        32.75, -96.85, name="Station", address="1 Main St", city="Dallas", state="TX"
    )
    private = rows.location(32.76, -96.84, confidential=True, areas=(district,), name="Safe")
    rows.resource("Station venue", location_id=station, category=Category.MEETING_VENUE)
    rows.resource("Safe venue", location_id=private, category=Category.COMMUNITY_PARTNER)
    start = (datetime.now(UTC) + timedelta(days=10)).replace(
        hour=0, minute=30, second=0, microsecond=0
    )
    return {
        "meeting": rows.event(
            "Outreach meeting",
            location_id=station,
            starts_at=start,
            organization_id=police,
            languages=("es",),
            source_url="https://example.org/meetings",
        ),
        "cancelled": rows.event(
            "Cancelled meeting",
            location_id=station,
            starts_at=start + timedelta(days=1),
            status=EventStatus.CANCELLED,
        ),
        "private": rows.event("Private meeting", location_id=private, starts_in=timedelta(days=12)),
        "past": rows.event("Past meeting", location_id=station, starts_in=timedelta(days=-30)),
    }


def calendar_of(client: TestClient[Litestar], **params: str) -> icalendar.Calendar:
    response = client.get("/api/v1/events.ics", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def test_ics_lists_upcoming_events_with_stable_uids(
    client: TestClient[Litestar], engine: Engine
) -> None:
    ids = seed_events(engine)
    first = calendar_of(client)
    second = calendar_of(client)
    uids = [str(event["UID"]) for event in first.events]
    assert uids == [str(event["UID"]) for event in second.events]
    assert uids == [
        f"event-{ids['meeting']}@puente.invalid",
        f"event-{ids['cancelled']}@puente.invalid",
        f"event-{ids['private']}@puente.invalid",
    ]
    assert [str(e["SUMMARY"]) for e in first.events] == [
        "Outreach meeting",
        "Cancelled meeting",
        "Private meeting",
    ]


def test_ics_times_are_in_the_region_zone(client: TestClient[Litestar], engine: Engine) -> None:
    seed_events(engine)
    calendar = calendar_of(client)
    meeting = calendar.events[0]
    assert meeting["DTSTART"].params["TZID"] == "America/Chicago"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    start = meeting.start
    assert start.utcoffset() in (timedelta(hours=-6), timedelta(hours=-5))
    assert start.astimezone(UTC).minute == 30 and start.astimezone(UTC).hour == 0
    assert meeting.end - meeting.start == timedelta(hours=1)


def test_ics_marks_status_and_places(client: TestClient[Litestar], engine: Engine) -> None:
    seed_events(engine)
    meeting, cancelled, private = calendar_of(client).events
    assert str(meeting["STATUS"]) == "CONFIRMED"
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(meeting["LOCATION"]) == "Station, 1 Main St, Dallas, TX"
    assert str(meeting["URL"]) == "https://example.org/meetings"
    assert "Host: Police Department" in str(meeting["DESCRIPTION"])
    assert str(private["LOCATION"]) == "council_district 2"
    assert "Safe" not in private.to_ical().decode()


def test_ics_honours_from_to_and_filters(client: TestClient[Litestar], engine: Engine) -> None:
    seed_events(engine)
    past = datetime.now(UTC) - timedelta(days=40)
    everything = calendar_of(client, **{"from": past.isoformat()})
    assert "Past meeting" in [str(e["SUMMARY"]) for e in everything.events]
    partners = calendar_of(client, category="community_partner")
    assert [str(e["SUMMARY"]) for e in partners.events] == ["Private meeting"]


def test_ics_bad_dates_are_problem_json(client: TestClient[Litestar], engine: Engine) -> None:
    seed_events(engine)
    response = client.get("/api/v1/events.ics", params={"from": "next tuesday"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [p["name"] for p in response.json()["invalid_params"]] == ["from"]


# --- documentation --------------------------------------------------------------------------

DOCUMENTED = {
    "/api/v1/resources.geojson": "application/geo+json",
    "/api/v1/resources.csv": "text/csv",
    "/api/v1/events": "application/json",
    "/api/v1/events.ics": "text/calendar",
    "/api/v1/areas": "application/json",
    "/api/v1/areas/{kind}/{code}": "application/geo+json",
    "/api/v1/languages": "application/json",
    "/api/v1/categories": "application/json",
}


def test_openapi_documents_every_parameter_with_an_example(app: Litestar) -> None:
    document = app.openapi_schema.to_schema()
    for path, media_type in DOCUMENTED.items():
        operation = document["paths"][path]["get"]
        assert media_type in operation["responses"]["200"]["content"], path
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), (path, parameter["name"])
            assert parameter.get("examples"), (path, parameter["name"])
    feed_parameters = {
        p["name"] for p in document["paths"]["/api/v1/events.ics"]["get"]["parameters"]
    }
    assert {"from", "to", "language", "area", "near", "radius_km", "category"} <= feed_parameters
    assert "page" not in feed_parameters


# --- streaming ------------------------------------------------------------------------------


def test_chunks_are_sent_in_batches_of_bounded_size() -> None:
    pieces = ["x" * 100] * 50 + [b"tail"]
    batches = list(batched(iter(pieces), size=1000))
    assert b"".join(batches) == b"x" * 5000 + b"tail"
    assert [len(b) for b in batches] == [1000] * 5 + [4]


def test_a_large_feed_holds_every_resource(client: TestClient[Litestar], engine: Engine) -> None:
    rows = Directory(engine)
    place = rows.location(32.75, -96.85, address="1 Main St", city="Dallas", state="TX")
    with Session(engine) as session:
        session.add_all(
            Resource(
                name=f"Resource {n:04d}",
                category=Category.LEGAL_AID,
                location_id=place,
                description="A description long enough to make each feature a few hundred bytes."
                * 3,
            )
            for n in range(400)
        )
        session.commit()
    geo = client.get("/api/v1/resources.geojson")
    assert len(geo.content) > 3 * BATCH_BYTES
    names = [f["properties"]["name"] for f in geo.json()["features"]]
    assert names == [f"Resource {n:04d}" for n in range(400)]
    rows_read = list(csv.DictReader(io.StringIO(client.get("/api/v1/resources.csv").text)))
    assert [row["name"] for row in rows_read] == names


def test_ics_follows_the_configured_time_zone(settings: Settings, engine: Engine) -> None:
    ids = seed_events(engine)
    madrid = ZoneInfo("Europe/Madrid")
    with TestClient(create_app(settings_with(settings, timezone="Europe/Madrid"))) as client:
        calendar = calendar_of(client)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Madrid"]
    meeting = next(
        e for e in calendar.events if str(e["UID"]).startswith(f"event-{ids['meeting']}@")
    )
    assert meeting["DTSTART"].params["TZID"] == "Europe/Madrid"
    assert meeting.start.utcoffset() == meeting.start.astimezone(madrid).utcoffset()
    assert meeting.start.astimezone(UTC).hour == 0 and meeting.start.astimezone(UTC).minute == 30
