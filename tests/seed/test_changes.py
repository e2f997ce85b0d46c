"""An import changes a record and the languages beside it through one source, and audits both."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from api.db.models import AuditEntry, Event, Organization
from seed.changes import audit_created, same, update_fields
from tests.seed.conftest import EVENT_COLUMNS, Importer, event, resource, table


def last_entry(engine: Engine, entity: str) -> AuditEntry:
    with Session(engine) as session:
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)  # type: ignore[arg-type]
        ).all()
    return entries[-1]


def imported(run_import: Importer, resource_row: dict[str, str], event_row: dict[str, str]) -> Any:
    report = run_import(
        table("resources.csv", [resource_row]), table("events.csv", [event_row], EVENT_COLUMNS)
    )
    assert report.ok, [str(p) for p in report.problems]
    return report


def test_an_event_whose_languages_alone_change_is_updated_and_audited(
    run_import: Importer, engine: Engine
) -> None:
    imported(run_import, resource(), event())
    with Session(engine) as session:
        stamp = session.exec(select(Event)).one().updated_at
    report = imported(run_import, resource(), event(languages="vi"))
    assert report.counts["events"].updated == 1
    entry = last_entry(engine, "event")
    assert entry.action == "import"
    assert entry.before is not None and entry.after is not None
    assert (entry.before["languages"], entry.after["languages"]) == (["en", "es"], ["vi"])
    assert entry.before["title"] == entry.after["title"] == "Community listening session"
    with Session(engine) as session:
        assert session.exec(select(Event)).one().updated_at > stamp


def test_an_event_file_without_a_languages_column_keeps_the_ones_it_has(
    run_import: Importer, engine: Engine
) -> None:
    imported(run_import, resource(), event())
    without = [column for column in EVENT_COLUMNS if column != "languages"]
    report = run_import(
        table("resources.csv", [resource()]),
        table("events.csv", [event(title="Renamed")], without),
    )
    assert report.counts["events"].updated == 1
    entry = last_entry(engine, "event")
    assert entry.after is not None and entry.after["languages"] == ["en", "es"]


def test_a_resource_written_row_by_row_audits_its_languages_as_a_batch_does(
    run_import: Importer, engine: Engine
) -> None:
    imported(run_import, resource(), event())
    # Only its languages change: the batch writes it.
    imported(run_import, resource(languages="es:staff"), event())
    batch = last_entry(engine, "resource")
    # A new address moves its place too: the resource writer writes it.
    moved = resource(languages="vi", address="200 Main St.", latitude="32.79")
    imported(run_import, moved, event(venue="clinic-1"))
    single = last_entry(engine, "resource")
    assert single.id != batch.id
    assert batch.before is not None and batch.after is not None
    assert batch.before["languages"] == ["en:staff", "es:staff", "vi:interpreter"]
    assert batch.after["languages"] == ["es:staff"]
    assert single.before is not None and single.after is not None
    assert (single.before["languages"], single.after["languages"]) == (["es:staff"], ["vi:staff"])


def test_update_fields_leaves_a_row_alone_when_nothing_differs(engine: Engine) -> None:
    with Session(engine) as session:
        organization = Organization(name="Ayuda Legal", phone="214-555-0100")
        session.add(organization)
        audit_created(session, organization, actor="cli", entity="organization")
        stamp = organization.updated_at
        values = {"name": "Ayuda Legal", "phone": "214-555-0100"}
        assert not update_fields(session, organization, values, actor="cli", entity="organization")
        assert organization.updated_at == stamp
        assert update_fields(
            session, organization, {"phone": "1"}, actor="cli", entity="organization"
        )
        session.commit()
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()  # type: ignore[arg-type]
    assert len(entries) == 2
    created, changed = entries
    assert created.before is None and created.after is not None
    assert created.after["phone"] == "214-555-0100"
    assert changed.before is not None and changed.after is not None
    assert (changed.before["phone"], changed.after["phone"]) == ("214-555-0100", "1")


def test_same_reads_enums_and_floats_as_a_file_gives_them() -> None:
    from api.db.models import Category

    assert same(Category.LEGAL_AID, "legal_aid")
    assert same(32.7876, 32.78760000000001)
    assert not same(32.7876, 32.7877)
    assert not same("a", "b")
