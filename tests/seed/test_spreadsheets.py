"""Files as spreadsheets and other tools really write them, in every supported format."""

from __future__ import annotations

import json

from sqlalchemy import Engine
from sqlmodel import Session, select

from api.db.models import (
    Category,
    Location,
    Organization,
    OrganizationKind,
    Resource,
    ResourceLanguage,
    Support,
)
from seed.readers import Source
from tests.seed.conftest import Importer, resource, table


def test_bom_crlf_trailing_blank_lines_and_unknown_columns(
    run_import: Importer, engine: Engine
) -> None:
    rows = [resource(notes="call first"), resource(external_id="clinic-2", name="Sur")]
    source = table("excel.csv", rows, newline="\r\n", bom=True)
    source = Source(name=source.name, data=source.data + b"\r\n\r\n,,,\r\n")
    report = run_import(source)
    assert report.ok, [str(p) for p in report.problems]
    assert report.counts["resources"].created == 2
    assert [str(w) for w in report.warnings] == ['excel.csv:1: notes: "": unknown column, ignored']
    with Session(engine) as session:
        names = sorted(r.name for r in session.exec(select(Resource)))
        assert names == ["Clínica Legal Norte", "Sur"]  # the BOM did not stick to a column


def test_row_values_are_stored_typed_and_canonical(run_import: Importer, engine: Engine) -> None:
    report = run_import(
        table("r.csv", [resource(hours="mo-fr 09:00-17:00;sa 10:00-14:00", category="Legal Aid")])
    )
    assert report.ok, [str(p) for p in report.problems]
    with Session(engine) as session:
        row = session.exec(select(Resource)).one()
        assert row.category == Category.LEGAL_AID
        assert row.hours == "Mo-Fr 09:00-17:00; Sa 10:00-14:00"
        assert row.verified_at is not None and row.verified_at.date().isoformat() == "2025-01-10"
        languages = session.exec(select(ResourceLanguage)).all()
        assert sorted((lang.code, lang.support) for lang in languages) == [
            ("en", Support.STAFF),
            ("es", Support.STAFF),
            ("vi", Support.INTERPRETER),
        ]
        organization = session.exec(select(Organization)).one()
        assert organization.kind == OrganizationKind.LEGAL_SERVICES
        location = session.exec(select(Location)).one()
        assert location.geocode_precision == "provided"


def test_html_in_a_name_is_stored_as_given(run_import: Importer, engine: Engine) -> None:
    payload = '<script>alert("x")</script><b>Clinic</b>'
    report = run_import(table("r.csv", [resource(name=payload)]))
    assert report.ok
    with Session(engine) as session:
        assert session.exec(select(Resource)).one().name == payload


def test_json_list_and_geojson_features(run_import: Importer, engine: Engine) -> None:
    listed = resource(external_id="from-json")
    listed["languages"] = ["es", "en:materials"]  # type: ignore[assignment]
    feature_row = resource(external_id="from-geojson", name="Punto", address="9 Oak St.")
    del feature_row["latitude"], feature_row["longitude"]
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": feature_row,
                "geometry": {"type": "Point", "coordinates": [-96.8, 32.79]},
            }
        ],
    }
    report = run_import(
        Source(name="list.json", data=json.dumps([listed], indent=2).encode()),
        Source(name="points.geojson", data=json.dumps(collection).encode()),
    )
    assert report.ok, [str(p) for p in report.problems]
    assert report.counts["resources"].created == 2
    with Session(engine) as session:
        point = session.exec(
            select(Location)
            .join(Resource, Resource.location_id == Location.id)  # type: ignore[arg-type]
            .where(Resource.external_id == "from-geojson")
        ).one()
        assert (point.latitude, point.longitude) == (32.79, -96.8)


def test_json_problems_name_the_line_of_the_object(run_import: Importer) -> None:
    rows = [resource(), resource(external_id="second", latitude="123")]
    report = run_import(Source(name="list.json", data=json.dumps(rows, indent=2).encode()))
    assert [str(p) for p in report.problems] == [
        "list.json:25: latitude: 123: out of range: expected a number from -90 to 90"
    ]


def test_one_organization_for_many_rows_and_conflicting_kinds_refused(
    run_import: Importer, engine: Engine
) -> None:
    rows = [
        resource(external_id="a", name="North office", organization="Ayuda Legal"),
        resource(
            external_id="b", name="South office", organization="AYUDA  legal", address="2 B St."
        ),
    ]
    assert run_import(table("r.csv", rows)).ok
    with Session(engine) as session:
        assert len(session.exec(select(Organization)).all()) == 1

    rows.append(
        resource(
            external_id="c", name="East", organization="Ayuda Legal", organization_kind="faith"
        )
    )
    report = run_import(table("r.csv", rows))
    assert [str(p) for p in report.problems] == [
        "r.csv:4: organization_kind: faith: the same organization has legal_services on "
        "r.csv:2; give one value"
    ]


def test_a_file_of_unknown_kind_is_named(run_import: Importer) -> None:
    report = run_import(Source(name="notes.csv", data=b"when,what\n2025-01-01,party\n"))
    assert not report.ok
    assert str(report.problems[0]).startswith('notes.csv:1: -: "": cannot tell whether')
