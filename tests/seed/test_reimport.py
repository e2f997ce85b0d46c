"""Importing again changes nothing; changed rows are updated and audited; dry runs write nothing."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from api.db.models import AuditEntry, Event, Resource, ResourceLanguage
from tests.seed.conftest import (
    EVENT_COLUMNS,
    Importer,
    directory_state,
    event,
    resource,
    table,
)


def files(**changes: str) -> list:  # type: ignore[type-arg]
    return [
        table("resources.csv", [resource(**changes), resource(external_id="", name="No Id")]),
        table("events.csv", [event()], EVENT_COLUMNS),
    ]


def test_import_again_changes_nothing(run_import: Importer, engine: Engine) -> None:
    first = run_import(*files())
    assert first.ok and first.written, [str(p) for p in first.problems]
    assert first.counts["resources"].created == 2
    assert first.counts["events"].created == 1
    before = directory_state(engine)

    second = run_import(*files())
    assert second.ok
    assert second.counts["resources"].unchanged == 2
    assert second.counts["events"].unchanged == 1
    assert second.counts["resources"].created == second.counts["resources"].updated == 0
    assert directory_state(engine) == before  # no updated_at bump, no audit entry


def test_changed_row_is_updated_and_audited(run_import: Importer, engine: Engine) -> None:
    run_import(*files())
    with Session(engine) as session:
        original = session.exec(select(Resource).where(Resource.external_id == "clinic-1")).one()
        stamp = original.updated_at
        audits = len(session.exec(select(AuditEntry)).all())

    report = run_import(*files(phone="214-555-0199", languages="es"))
    assert report.counts["resources"].updated == 1
    assert report.counts["resources"].unchanged == 1
    with Session(engine) as session:
        changed = session.exec(select(Resource).where(Resource.external_id == "clinic-1")).one()
        assert changed.phone == "214-555-0199"
        assert changed.updated_at > stamp
        codes = session.exec(
            select(ResourceLanguage.code).where(ResourceLanguage.resource_id == changed.id)
        ).all()
        assert codes == ["es"]
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()  # type: ignore[arg-type]
        assert len(entries) == audits + 1
        entry = entries[-1]
        assert (entry.actor, entry.action, entry.entity, entry.entity_id) == (
            "cli",
            "import",
            "resource",
            changed.id,
        )
        assert entry.before is not None and entry.after is not None
        assert entry.before["phone"] == "214-555-0100"
        assert entry.after["phone"] == "214-555-0199"


def test_dry_run_changes_nothing(run_import: Importer, engine: Engine) -> None:
    run_import(*files())
    before = directory_state(engine)
    report = run_import(*files(name="Renamed"), dry_run=True)
    assert report.ok and not report.written
    assert report.counts["resources"].updated == 1
    assert directory_state(engine) == before


def test_rows_without_external_id_match_by_name_and_address(
    run_import: Importer, engine: Engine
) -> None:
    run_import(table("r.csv", [resource(external_id="", name="Centro", address="5 Elm St.")]))
    report = run_import(
        table("r.csv", [resource(external_id="", name="CENTRO", address="5 elm st", fees="$5")])
    )
    assert report.counts["resources"].updated == 1
    with Session(engine) as session:
        rows = session.exec(select(Resource)).all()
        assert [(r.name, r.fees) for r in rows] == [("CENTRO", "$5")]


def test_event_times_are_stored_in_utc(run_import: Importer, engine: Engine) -> None:
    local = event(starts_at="2025-02-13 10:00", ends_at="")
    report = run_import(
        table("resources.csv", [resource()]), table("events.csv", [local], EVENT_COLUMNS)
    )
    assert report.ok, [str(p) for p in report.problems]
    with Session(engine) as session:
        stored = session.exec(select(Event)).one()
        assert stored.starts_at.isoformat() == "2025-02-13T16:00:00+00:00"  # 10:00 CST
        assert stored.ends_at is None
