"""``puente export`` writes the same views as the feeds, from the command line."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import Session

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


def run_export(settings: Settings, fmt: str) -> str:
    result = CliRunner().invoke(
        cli,
        ["export", "--format", fmt],
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
