"""The example files that document each format import cleanly, as the README says."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from api.db.models import Area, Event, LocationArea, Resource
from api.settings import Settings
from seed.importer import import_sources
from seed.readers import sources_from_paths

EXAMPLES = Path(__file__).resolve().parents[2] / "seed" / "examples"


def test_examples_import_cleanly(engine: Engine, settings: Settings) -> None:
    report = import_sources(engine, settings, sources_from_paths((EXAMPLES,)))
    assert report.ok, [str(p) for p in report.problems]
    assert report.warnings == []
    assert [f[1] for f in report.files] == [
        "events",
        "areas",
        "resources",
        "resources",
        "resources",
    ]
    assert {k: c.created for k, c in report.counts.items()} == {
        "areas": 1,
        "resources": 4,
        "events": 2,
    }
    with Session(engine) as session:
        by_address = session.exec(
            select(Event).where(Event.external_id == "example-meeting-2")
        ).one()
        clinic = session.exec(
            select(Resource).where(Resource.external_id == "example-clinic")
        ).one()
        assert by_address.location_id == clinic.location_id
        downtown = session.exec(select(Area).where(Area.code == "downtown")).one()
        tagged = session.exec(select(LocationArea).where(LocationArea.area_id == downtown.id)).all()
        assert clinic.location_id in {t.location_id for t in tagged}
