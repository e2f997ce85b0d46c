"""Each filter of ``api.search`` narrows results as a user expects, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, update
from sqlalchemy.orm import Session

from api.db.models import Category, Organization, Resource, ResourceStatus, Support
from api.search import (
    EventQuery,
    ResourceQuery,
    facet_counts,
    get_resource,
    search_events,
    search_resources,
)
from api.search.text import reindex_resources
from api.settings import Settings
from tests.api.search_data import NOW, Directory


def names(engine: Engine, settings: Settings, **query: object) -> list[str]:
    with Session(engine) as session:
        page = search_resources(
            session, ResourceQuery(per_page=100, **query), now=NOW, settings=settings
        )
    return [item.name for item in page.items]


@pytest.fixture
def directory(engine: Engine) -> Directory:
    with Directory(engine) as directory:
        legal = directory.organization("Catholic Charities of Dallas", kind="faith")
        zip_area = directory.area("zip", "75217")
        district = directory.area("council_district", "5")
        east = directory.location(32.71, -96.68, areas=[zip_area, district])
        west = directory.location(32.78, -96.85, areas=[district])
        directory.resource(
            "Asesoría Legal Gratuita",
            location=east,
            organization=legal,
            languages=["es"],
            description="Consultas de inmigración",
            hours="Mo-Fr 09:00-17:00",
            verified_at=NOW - timedelta(days=10),
        )
        directory.resource(
            "Vietnamese Community Center",
            location=west,
            category="community_partner",
            languages=[("vi", "staff"), ("en", "materials")],
            services="citizenship classes, tax help",
            hours="Sa 10:00-14:00",
            verified_at=NOW - timedelta(days=400),
        )
        directory.resource(
            "closed clinic",
            location=west,
            status="temporarily_closed",
            languages=[("es", "interpreter")],
        )
        directory.resource("Zeta meeting hall", location=east, category="meeting_venue")
        directory.commit()
        return directory


def test_language_codes_and_names_find_the_same_resources(
    engine: Engine, settings: Settings, directory: Directory
) -> None:
    assert names(engine, settings, languages=("es",)) == ["Asesoría Legal Gratuita"]
    assert names(engine, settings, languages=("vi", "es")) == [
        "Asesoría Legal Gratuita",
        "Vietnamese Community Center",
    ]
    assert names(engine, settings, language_support=(Support.MATERIALS,)) == [
        "Vietnamese Community Center"
    ]
    assert names(
        engine,
        settings,
        languages=("es",),
        language_support=(Support.INTERPRETER,),
        statuses=tuple(ResourceStatus),
    ) == ["closed clinic"]


def test_area_category_and_status_filters(
    engine: Engine, settings: Settings, directory: Directory
) -> None:
    assert names(engine, settings, areas=(("zip", "75217"),)) == [
        "Asesoría Legal Gratuita",
        "Zeta meeting hall",
    ]
    assert len(names(engine, settings, areas=(("council_district", "5"),))) == 3
    assert names(
        engine, settings, categories=(Category.MEETING_VENUE, Category.COMMUNITY_PARTNER)
    ) == ["Vietnamese Community Center", "Zeta meeting hall"]
    assert "closed clinic" not in names(engine, settings)
    assert names(engine, settings, statuses=(ResourceStatus.TEMPORARILY_CLOSED,)) == [
        "closed clinic"
    ]


def test_name_order_ignores_case(engine: Engine, settings: Settings, directory: Directory) -> None:
    assert names(engine, settings, statuses=tuple(ResourceStatus)) == [
        "Asesoría Legal Gratuita",
        "closed clinic",
        "Vietnamese Community Center",
        "Zeta meeting hall",
    ]


def test_verified_filter_and_sort(engine: Engine, settings: Settings, directory: Directory) -> None:
    assert names(engine, settings, verified_within_days=30) == ["Asesoría Legal Gratuita"]
    assert names(engine, settings, sort="verified") == [
        "Asesoría Legal Gratuita",
        "Vietnamese Community Center",
        "Zeta meeting hall",
    ]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 3, 2, 16, 0, tzinfo=UTC), ["Asesoría Legal Gratuita"]),  # Mon 10:00 CST
        (datetime(2026, 3, 7, 17, 0, tzinfo=UTC), ["Vietnamese Community Center"]),  # Sat 11:00
        (datetime(2026, 3, 8, 17, 0, tzinfo=UTC), []),  # Sunday
    ],
)
def test_open_now_reads_hours_in_the_region_time_zone(
    engine: Engine, settings: Settings, directory: Directory, now: datetime, expected: list[str]
) -> None:
    with Session(engine) as session:
        page = search_resources(session, ResourceQuery(open_now=True), now=now, settings=settings)
        everything = search_resources(session, ResourceQuery(), now=now, settings=settings)
    assert [item.name for item in page.items] == expected
    assert page.total == len(expected)
    assert {item.name for item in everything.items if item.open_now} == set(expected)


def test_open_now_with_a_point_and_radius(
    engine: Engine, settings: Settings, directory: Directory
) -> None:
    monday = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    with Session(engine) as session:
        page = search_resources(
            session,
            ResourceQuery(open_now=True, near=(32.71, -96.68), radius_km=5),
            now=monday,
            settings=settings,
        )
    assert [(item.name, item.distance_km) for item in page.items] == [
        ("Asesoría Legal Gratuita", 0.0)
    ]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("asesoria", ["Asesoría Legal Gratuita"]),
        ("ASESORÍA legal", ["Asesoría Legal Gratuita"]),
        ("inmigracion", ["Asesoría Legal Gratuita"]),  # description, accent-free
        ("catholic charities", ["Asesoría Legal Gratuita"]),  # organization name
        ("citizenship", ["Vietnamese Community Center"]),  # services
        ("class", ["Vietnamese Community Center"]),  # a word's beginning
        ("asesoria vietnamese", []),  # every word must match
        ("nothing-like-this", []),
    ],
)
def test_text_search_is_accent_and_case_insensitive(
    engine: Engine, settings: Settings, directory: Directory, q: str, expected: list[str]
) -> None:
    assert names(engine, settings, q=q) == expected


def test_text_search_follows_reindexing(
    engine: Engine, settings: Settings, directory: Directory
) -> None:
    with Session(engine) as session:
        session.execute(update(Organization).values(name="Caridades Católicas"))
        reindex_resources(session, [1, 2, 3, 4])
        session.commit()
    assert names(engine, settings, q="caridades catolicas") == ["Asesoría Legal Gratuita"]
    assert names(engine, settings, q="charities") == []
    with Session(engine) as session:
        session.execute(delete(Resource).where(Resource.name == "Asesoría Legal Gratuita"))
        reindex_resources(session, [1])
        session.commit()
    assert names(engine, settings, q="caridades") == []


def test_facets_count_under_the_other_filters(
    engine: Engine, settings: Settings, directory: Directory
) -> None:
    with Session(engine) as session:
        languages = facet_counts(session, ResourceQuery(languages=("es",)), "language", now=NOW)
        in_zip = facet_counts(
            session, ResourceQuery(areas=(("zip", "75217"),)), "category", now=NOW
        )
        areas = facet_counts(
            session,
            ResourceQuery(near=(32.71, -96.68), radius_km=1, areas=(("zip", "x"),)),
            "area",
            now=NOW,
            settings=settings,
        )
    assert [(f.value, f.count) for f in languages] == [("en", 1), ("es", 1), ("vi", 1)]
    assert [(f.value, f.count) for f in in_zip] == [("legal_aid", 1), ("meeting_venue", 1)]
    assert [(f.value, f.name, f.count) for f in areas] == [
        ("council_district:5", "council_district 5", 2),
        ("zip:75217", "zip 75217", 2),
    ]


def test_a_resource_with_its_upcoming_events(
    engine: Engine, settings: Settings, directory: Directory
) -> None:
    with Directory(engine) as more:
        venue = more.location(32.8, -96.8)
        hall = more.resource("Hall", location=venue, category="meeting_venue")
        more.event("Past", location=venue, starts_at=NOW - timedelta(days=1))
        soon = more.event("Soon", location=venue, starts_at=NOW + timedelta(days=1))
        more.event(
            "Cancelled", location=venue, starts_at=NOW + timedelta(hours=2), status="cancelled"
        )
        more.event("Later", location=venue, starts_at=NOW + timedelta(days=8))
        more.commit()
    with Session(engine) as session:
        detail = get_resource(session, hall.id or 0, now=NOW, settings=settings)
        missing = get_resource(session, 9999, now=NOW, settings=settings)
    assert missing is None
    assert detail is not None
    assert [event.title for event in detail.events] == ["Cancelled", "Soon", "Later"]
    assert detail.next_event is not None and detail.next_event.id == soon.id


def test_events_filter_by_venue_and_time(
    engine: Engine, settings: Settings, directory: Directory
) -> None:
    with Directory(engine) as more:
        zip_area = more.area("zip", "75001")
        venue = more.location(32.95, -96.8, areas=[zip_area])
        more.resource("Library", location=venue, category="meeting_venue", languages=["vi"])
        more.event("Charla", location=venue, starts_at=NOW + timedelta(days=2), languages=["es"])
        more.event("Meeting", location=venue, starts_at=NOW + timedelta(days=20))
        more.event(
            "Ongoing",
            location=venue,
            starts_at=NOW - timedelta(hours=1),
            ends_at=NOW + timedelta(hours=1),
        )
        more.commit()

    def titles(**query: object) -> list[str]:
        with Session(engine) as session:
            page = search_events(session, EventQuery(**query), now=NOW, settings=settings)
        return [event.title for event in page.items]

    assert titles() == ["Ongoing", "Charla", "Meeting"]
    assert titles(starts_to=NOW + timedelta(days=10)) == ["Ongoing", "Charla"]
    assert titles(starts_from=NOW + timedelta(days=3)) == ["Meeting"]
    assert titles(languages=("es",)) == ["Charla"]
    assert titles(languages=("vi",)) == ["Ongoing", "Charla", "Meeting"]
    assert titles(categories=(Category.LEGAL_AID,)) == []
    assert titles(areas=(("zip", "75001"),)) == ["Ongoing", "Charla", "Meeting"]
    assert titles(near=(32.78, -96.8), radius_km=5) == []
    assert titles(near=(32.95, -96.8), radius_km=5) == ["Ongoing", "Charla", "Meeting"]
