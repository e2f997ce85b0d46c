"""The shipped Dallas example data imports cleanly, idempotently, with the right tags."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from api.db.models import Area, Event, Location, LocationArea, Precision, Resource
from api.settings import Settings
from seed.importer import import_sources
from seed.readers import sources_from_paths
from tests.seed.conftest import directory_state

DALLAS = Path(__file__).resolve().parents[2] / "seed" / "dallas"


def area_codes(session: Session, location_id: int | None) -> dict[str, set[str]]:
    rows = session.exec(
        select(Area.kind, Area.code)
        .join(LocationArea, LocationArea.area_id == Area.id)  # type: ignore[arg-type]
        .where(LocationArea.location_id == location_id)
    ).all()
    found: dict[str, set[str]] = {}
    for kind, code in rows:
        found.setdefault(kind, set()).add(code)
    return found


def test_dallas_imports_cleanly_with_tags_and_past_meetings(
    engine: Engine, settings: Settings
) -> None:
    sources = sources_from_paths((DALLAS,))
    report = import_sources(engine, settings, sources)
    assert report.ok, [str(p) for p in report.problems]
    assert report.warnings == []
    with (DALLAS / "resources.csv").open(encoding="utf-8") as f:
        resource_rows = list(csv.DictReader(f))
    assert report.counts["resources"].created == len(resource_rows) == 14
    assert report.counts["events"].created == 2
    assert report.counts["areas"].created == 14 + 64

    with Session(engine) as session:
        venue = session.exec(
            select(Resource).where(Resource.external_id == "dallas-venue-familia-bethel")
        ).one()
        location = session.get(Location, venue.location_id)
        assert location is not None and location.address == "6175 St. Augustine Dr."
        tags = area_codes(session, location.id)
        assert tags["council_district"] == {"5"}
        assert "75217" in tags["zip"]

        district = session.exec(
            select(Area).where(Area.kind == "council_district", Area.code == "5")
        ).one()
        assert district.name == "Council District 5 (2011 plan)"
        assert district.note is not None and "2011" in district.note

        meetings = session.exec(select(Event).order_by(Event.starts_at)).all()  # type: ignore[arg-type]
        assert [m.starts_at.isoformat() for m in meetings] == [
            "2025-02-13T01:30:00+00:00",  # 12 Feb 2025, 19:30 Dallas time
            "2025-02-13T16:00:00+00:00",  # 13 Feb 2025, 10:00 Dallas time
        ]
        assert meetings[0].location_id == venue.location_id

        precision = {
            r.external_id: loc.geocode_precision
            for r, loc in session.exec(
                select(Resource, Location).join(Location, Location.id == Resource.location_id)  # type: ignore[arg-type]
            )
        }
        assert precision["dallas-consulate-mexico"] == Precision.ROOFTOP
        assert precision["dallas-police-central"] == Precision.STREET
        assert precision["dallas-police-southeast"] == Precision.POSTAL_CODE

        for row in resource_rows:
            stored = session.exec(
                select(Resource).where(Resource.external_id == row["external_id"])
            ).one()
            if "Unverified" in row["description"]:
                assert stored.verified_at is None, row["external_id"]

    before = directory_state(engine)
    again = import_sources(engine, settings, sources_from_paths((DALLAS,)))
    assert again.ok
    assert again.counts["resources"].unchanged == 14
    assert again.counts["areas"].unchanged == 78
    assert directory_state(engine) == before
