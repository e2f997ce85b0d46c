"""``puente export`` writes the same views as the feeds, from the command line."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.cli import cli
from api.db.models import Category, Location, Resource, ResourceLanguage
from api.settings import Settings


def add_resources(engine: Engine) -> None:
    with Session(engine) as session:
        for index, name in enumerate(["Asesoría legal", "Centro comunitario"]):
            location = Location(latitude=32.7 + index / 100, longitude=-96.8, postal_code="75217")
            session.add(location)
            session.flush()
            resource = Resource(
                external_id=f"r{index}",
                category=Category.LEGAL_AID if index == 0 else Category.COMMUNITY_PARTNER,
                name=name,
                location_id=location.id,
            )
            session.add(resource)
            session.flush()
            session.add(ResourceLanguage(resource_id=resource.id, code="es"))
        session.commit()


def run_export(settings: Settings, fmt: str, *options: str) -> str:
    result = CliRunner().invoke(
        cli,
        ["export", "--format", fmt, *options],
        env={"PUENTE_DATABASE_URL": settings.database_url},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_csv_export_has_the_import_columns_and_every_resource(
    engine: Engine, settings: Settings
) -> None:
    add_resources(engine)
    rows = list(csv.DictReader(io.StringIO(run_export(settings, "csv"))))
    assert sorted(row["external_id"] for row in rows) == ["r0", "r1"]
    assert rows[0]["languages"].startswith("es")
    assert list(rows[0])[:3] == ["external_id", "category", "name"]


@pytest.mark.parametrize("fmt", ["geojson", "hsds"])
def test_json_exports_parse_and_hold_every_resource(
    engine: Engine, settings: Settings, fmt: str
) -> None:
    add_resources(engine)
    document = json.loads(run_export(settings, fmt))
    items = document["features"] if fmt == "geojson" else document
    assert len(items) == 2
    names = {(item["properties"]["name"] if fmt == "geojson" else item["name"]) for item in items}
    assert names == {"Asesoría legal", "Centro comunitario"}


def test_formula_cells_in_the_csv_export_are_inert_and_re_import_to_the_original(
    engine: Engine, settings: Settings
) -> None:
    from seed.importer import import_sources
    from seed.readers import Source

    formulas = ['=HYPERLINK("https://x.example","a")', "+cmd|' /C calc'!A0", "@SUM(1+1)"]
    with Session(engine) as session:
        for index, text in enumerate(formulas):
            location = Location(
                latitude=32.7 + index / 100, longitude=-96.79, address=f"-{index} Elm St"
            )
            session.add(location)
            session.flush()
            session.add(
                Resource(
                    external_id=f"f{index}",
                    category=Category.LEGAL_AID,
                    name=text,
                    phone=f"+1 214 555 010{index}",
                    location_id=location.id,
                )
            )
        session.commit()
    for args in (["csv"], ["csv", "--full"]):
        text = run_export(settings, *args)
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        assert sorted(row["name"] for row in rows) == sorted("'" + f for f in formulas)
        assert {row["longitude"] for row in rows} == {"-96.79"}
        assert all(row["phone"].startswith("'+1 214") for row in rows)
        report = import_sources(engine, settings, [Source(name="x.csv", data=text.encode())])
        assert report.ok, [str(p) for p in report.problems]
        counts = report.counts["resources"]
        assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 3), args
        with Session(engine) as session:
            stored = session.exec(
                select(Resource.name, Resource.phone, Location.address).join(
                    Location,
                    Location.id == Resource.location_id,  # type: ignore[arg-type]
                )
            ).all()
        assert sorted(name for name, _, _ in stored) == sorted(formulas)
        assert {phone[:7] for _, phone, _ in stored} == {"+1 214 "}
        assert {address for _, _, address in stored} == {"-0 Elm St", "-1 Elm St", "-2 Elm St"}
