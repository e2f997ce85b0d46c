"""A dry run says, per file, what each row would do, and for an update which fields change,
old -> new; the diff itself is a plain comparison of two flat listings."""

from __future__ import annotations

from sqlalchemy import Engine

from api.db.models import Support
from seed.listing_diff import field_changes, listing_fields
from seed.report import FieldChange
from tests.seed.conftest import Importer, directory_state, resource, table


def test_field_changes_names_each_differing_field_in_order() -> None:
    before = {"name": "Clínica", "phone": "214-555-0100", "latitude": 32.7876, "fees": None}
    after = {"name": "Clínica", "phone": "214-555-0199", "latitude": 32.7876 + 1e-12, "fees": "0"}
    after["email"] = "new@example.org"
    assert field_changes(before, after) == (
        FieldChange(field="phone", old="214-555-0100", new="214-555-0199"),
        FieldChange(field="fees", old="", new="0"),
        FieldChange(field="email", old="", new="new@example.org"),
    )
    assert field_changes(before, dict(before)) == ()


def test_listing_fields_hide_keys_and_name_the_organization() -> None:
    fields = listing_fields(
        {"id": 4, "external_id": "x", "name": "Clínica", "updated_at": "2025", "fees": None},
        languages=[("es", Support.STAFF), ("vi", Support.INTERPRETER)],
        location={"id": 9, "address": "1 Elm St", "latitude": 32.1},
        organization={"id": 2, "name": "Ayuda Legal", "website": None},
    )
    assert fields == {
        "name": "Clínica",
        "fees": None,
        "languages": "es:staff; vi:interpreter",
        "location.address": "1 Elm St",
        "location.latitude": 32.1,
        "organization": "Ayuda Legal",
        "organization.website": None,
    }


def _changes(report: object, key: str) -> dict[str, tuple[str, str]]:
    rows = [row for row in report.rows if row.key == key]  # type: ignore[attr-defined]
    assert len(rows) == 1
    return {change.field: (change.old, change.new) for change in rows[0].changes}


def test_a_dry_run_reports_each_update_field_by_field_and_counts_per_file(
    run_import: Importer, engine: Engine
) -> None:
    first = [
        table("north.csv", [resource(), resource(external_id="clinic-2", name="Clínica Dos")]),
        table("south.csv", [resource(external_id="clinic-3", name="Clínica Tres")]),
    ]
    assert run_import(*first).written
    before = directory_state(engine)

    again = [
        table(
            "north.csv",
            [
                resource(phone="214-555-0199", languages="es:staff"),
                resource(external_id="clinic-2", name="Clínica Dos", address="200 Elm St."),
            ],
        ),
        table(
            "south.csv",
            [
                resource(external_id="clinic-3", name="Clínica Tres"),
                resource(external_id="clinic-4", name="Clínica Cuatro"),
                resource(external_id="clinic-5", name="Mala", latitude="132.5"),
            ],
        ),
    ]
    report = run_import(*again, dry_run=True)
    assert directory_state(engine) == before

    assert _changes(report, "clinic-1") == {
        "phone": ("214-555-0100", "214-555-0199"),
        "languages": ("en:staff; es:staff; vi:interpreter", "es:staff"),
    }
    # A moved address goes through the row-by-row writer; its location's field is named.
    assert _changes(report, "clinic-2")["location.address"] == ("100 Main St.", "200 Elm St.")
    assert _changes(report, "clinic-3") == {}
    assert _changes(report, "clinic-4") == {}
    outcomes = {row.key: (row.file, row.line, row.outcome) for row in report.rows}
    assert outcomes == {
        "clinic-1": ("north.csv", 2, "updated"),
        "clinic-2": ("north.csv", 3, "updated"),
        "clinic-3": ("south.csv", 2, "unchanged"),
        "clinic-4": ("south.csv", 3, "created"),
    }
    counts = {name: counts.to_dict() for name, counts in report.file_counts.items()}
    assert counts == {
        "north.csv": {"created": 0, "updated": 2, "unchanged": 0, "rejected": 0},
        "south.csv": {"created": 1, "updated": 0, "unchanged": 1, "rejected": 1},
    }
    shown = report.to_dict(rows=True)
    assert [f["counts"]["updated"] for f in shown["files"]] == [2, 0]
    assert shown["rows"][0]["changes"][0] == {
        "field": "phone",
        "old": "214-555-0100",
        "new": "214-555-0199",
    }
    assert "rows" not in report.to_dict()
