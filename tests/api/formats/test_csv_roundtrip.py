"""The public CSV feed re-imports unchanged: export -> import into a fresh database ->
export again gives the same bytes, and importing the export again changes nothing.

The feed is the public view, so a confidential location is exported at its area's centre
without a street address; it round-trips because the same areas are loaded first.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from litestar.testing import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.db.engine import create_database_engine
from api.settings import Settings
from seed.importer import import_sources
from seed.readers import Source

EXAMPLES = Path(__file__).resolve().parents[3] / "seed" / "examples"
HEADER = (
    "external_id,category,name,organization,organization_kind,description,address,city,"
    "state,postal_code,latitude,longitude,phone,website,email,languages,hours,fees,"
    "verified_at,source_url,confidential"
)
ROWS = [
    'clinic-1,legal_aid,"Clínica ""Asesoría"", Legal",Ayuda Legal,legal_services,'
    '"Line one\nline two, with a comma",100 Example St.,Dallas,TX,75201,32.7876,-96.7994,'
    "214-555-0100,https://example.org/clinic,info@example.org,vi:interpreter;es;en,"
    "Mo-Fr 09:00-17:00; Sa 10:00-14:00,Free,2025-01-10,https://example.org/about,false",
    "hall-1,meeting_venue,Community Hall,,,,200 Sample Ave.,Dallas,TX,75217,32.7101,-96.6789,"
    ",,,en,,,,https://example.org/hall,false",
    "safe-1,community_partner,Safe Place,Friends,community,,12 Hidden Ln,Dallas,TX,75201,"
    "32.7851234,-96.8012345,,,,es:materials,,,2025-02-01T10:00:00-06:00,,true",
]
ALL_STATUSES = {"status": ["active", "temporarily_closed", "inactive"]}


def areas() -> list[Source]:
    return [
        Source(name=path.name, data=path.read_bytes())
        for path in (EXAMPLES / "neighborhoods.geojson", EXAMPLES / "neighborhoods.area.json")
    ]


def resources_file(text: str) -> Source:
    return Source(name="resources.csv", data=text.encode())


def export(settings: Settings) -> str:
    with TestClient(create_app(settings)) as client:
        response = client.get("/api/v1/resources.csv", params=ALL_STATUSES)
        assert response.status_code == 200
        return response.text


def test_the_csv_export_reimports_unchanged(
    settings: Settings, engine: Engine, fresh_settings: Settings
) -> None:
    original = "\n".join([HEADER, *ROWS, ""])
    loaded = import_sources(engine, settings, [*areas(), resources_file(original)])
    assert loaded.ok, [str(p) for p in loaded.problems]

    first = export(settings)
    rows = list(csv.DictReader(io.StringIO(first, newline="")))
    assert len(rows) == 3
    safe = next(row for row in rows if row["external_id"] == "safe-1")
    assert safe["address"] == "" and "Hidden" not in first

    fresh = create_database_engine(fresh_settings.sqlalchemy_url)
    try:
        created = import_sources(fresh, fresh_settings, [*areas(), resources_file(first)])
        assert created.ok, [str(p) for p in created.problems]
        assert created.counts["resources"].created == 3

        assert export(fresh_settings) == first

        again = import_sources(fresh, fresh_settings, [*areas(), resources_file(first)])
        assert again.ok, [str(p) for p in again.problems]
        counts = again.counts["resources"]
        assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 3)
    finally:
        fresh.dispose()
