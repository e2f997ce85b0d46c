"""The staff export is lossless: every import column, every status, confidential addresses.

Export -> import into the same directory changes nothing; into an empty one it rebuilds
the directory, so its own export is the same file. Tried with the Dallas data and with
generated rows that set every field (formulas, quotes and line breaks included).
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

from click.testing import CliRunner
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine

from api.cli import cli
from api.db.engine import create_database_engine
from api.db.models import Category, Precision, ResourceStatus
from api.formats.csv import COLUMNS, FULL_COLUMNS
from api.settings import Settings
from seed.importer import import_sources
from seed.readers import Source, sources_from_paths
from tests.api.staff_keys import bearer, issue_key, revoked_key

DALLAS = Path(__file__).resolve().parents[3] / "seed" / "dallas"
HOURS = ("Mo-Fr 09:00-17:00", "24/7", "Mo-Fr 09:00-17:00; Sa 10:00-14:00", "Tu,Th 18:00-20:00")
ORGANIZATIONS = (
    ("Ayuda Legal", "legal_services", "https://ayuda.example.org", "true"),
    ('=HYPERLINK("https://x.example")', "nonprofit", "https://x.example", "false"),
    ('Iglesia "La Luz", Dallas', "faith", "https://luz.example.org", ""),
)


def generated_rows(count: int = 12, *, seed: int = 5) -> list[dict[str, str]]:
    """Rows in every column, written as the export writes each value (canonical form)."""
    rng = random.Random(seed)
    categories, statuses, precisions = list(Category), list(ResourceStatus), list(Precision)
    rows = []
    for n in range(count):
        organization = ORGANIZATIONS[n % len(ORGANIZATIONS)] if n % 4 != 3 else None
        name, kind, website, doj = organization or ("", "", "", "")
        rows.append(
            {
                "external_id": f"gen-{n:03d}",
                "category": categories[n % len(categories)].value,
                "name": ("@SUM(1+1) " if n % 5 == 0 else "") + f"Resource {n}, “quoted”",
                "organization": name,
                "organization_kind": kind,
                "description": f'First line {n}\nsecond line with "quotes" and, commas',
                "address": f"{100 + n} Elm St, Suite {n}",
                "city": "Dallas",
                "state": "TX",
                "postal_code": f"752{n:02d}",
                "latitude": repr(round(rng.uniform(32.6, 33.0), 6)),
                "longitude": repr(round(rng.uniform(-97.0, -96.6), 6)),
                "phone": f"+1 214 555 01{n:02d}",
                "website": f"https://example.org/r/{n}",
                "email": f"info{n}@example.org",
                "languages": "es:staff;vi:interpreter" if n % 2 else "en:materials;es:staff",
                "hours": HOURS[n % len(HOURS)],
                "fees": "-" if n % 3 == 0 else "Free",
                "verified_at": f"2025-0{1 + n % 9}-1{n % 10}T15:30:00+00:00",
                "source_url": f"https://example.org/source/{n}",
                "confidential": "true" if n % 4 == 1 else "false",
                "services": f"+DACA; citizenship classes {n}",
                "eligibility": "Anyone in Dallas County",
                "status": statuses[n % len(statuses)].value,
                "precision": precisions[n % len(precisions)].value,
                "location_name": f"Building {n}" if n % 2 else "",
                "organization_website": website,
                "doj_recognized": doj,
            }
        )
    return rows


def csv_source(rows: list[dict[str, str]]) -> Source:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FULL_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return Source(name="resources.csv", data=buffer.getvalue().encode())


def full_export(settings: Settings) -> str:
    result = CliRunner().invoke(
        cli,
        ["export", "--format", "csv", "--full"],
        env={"PUENTE_DATABASE_URL": settings.database_url},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return result.output


def parsed(text: str) -> list[dict[str, str]]:
    from api.formats.csv import unescape_cell

    return [
        {column: unescape_cell(cell) for column, cell in row.items()}
        for row in csv.DictReader(io.StringIO(text, newline=""))
    ]


def unchanged(engine: Engine, settings: Settings, text: str, count: int) -> None:
    again = import_sources(engine, settings, [Source(name="full.csv", data=text.encode())])
    assert again.ok, [str(p) for p in again.problems]
    counts = again.counts["resources"]
    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, count)


def rebuilt(fresh_settings: Settings, text: str, *extra: Source) -> str:
    fresh = create_database_engine(fresh_settings.sqlalchemy_url)
    try:
        source = Source(name="full.csv", data=text.encode())
        created = import_sources(fresh, fresh_settings, [*extra, source])
        assert created.ok, [str(p) for p in created.problems]
    finally:
        fresh.dispose()
    return full_export(fresh_settings)


def test_generated_rows_with_every_field_round_trip_exactly(
    engine: Engine, settings: Settings, fresh_settings: Settings
) -> None:
    rows = generated_rows()
    loaded = import_sources(engine, settings, [csv_source(rows)])
    assert loaded.ok, [str(p) for p in loaded.problems]

    text = full_export(settings)
    assert text.splitlines()[0] == ",".join(FULL_COLUMNS)
    assert parsed(text) == rows
    assert rows[1]["confidential"] == "true" and "101 Elm St, Suite 1" in text
    assert "'@SUM(1+1)" in text and "'+DACA" in text  # written formula-safe

    unchanged(engine, settings, text, len(rows))
    assert rebuilt(fresh_settings, text) == text


def test_the_dallas_data_round_trips_through_the_full_export(
    engine: Engine, settings: Settings, fresh_settings: Settings
) -> None:
    sources = sources_from_paths((DALLAS,))
    loaded = import_sources(engine, settings, sources)
    assert loaded.ok, [str(p) for p in loaded.problems]

    text = full_export(settings)
    rows = parsed(text)
    assert len(rows) == 14
    with (DALLAS / "resources.csv").open(encoding="utf-8", newline="") as handle:
        original = {row["external_id"]: row for row in csv.DictReader(handle)}
    for row in rows:
        given = original[row["external_id"]]
        for column in ("services", "doj_recognized", "description", "phone", "address"):
            assert row[column] == given[column], (row["external_id"], column)
        if given["precision"]:
            assert row["precision"] == given["precision"], row["external_id"]
    assert {row["precision"] for row in rows} >= {"street", "postal_code"}
    assert any(row["doj_recognized"] == "true" for row in rows)

    unchanged(engine, settings, text, 14)
    areas = [s for s in sources if s.name.startswith("areas_")]
    assert rebuilt(fresh_settings, text, *areas) == text


def test_the_public_csv_keeps_the_public_view(engine: Engine, settings: Settings) -> None:
    rows = generated_rows()
    assert import_sources(engine, settings, [csv_source(rows)]).ok
    result = CliRunner().invoke(cli, ["export"], env={"PUENTE_DATABASE_URL": settings.database_url})
    assert result.exit_code == 0, result.output
    public = parsed(result.output)
    assert list(public[0]) == list(COLUMNS)
    assert {row["external_id"] for row in public} == {
        row["external_id"] for row in rows if row["status"] == "active"
    }
    confidential = [row for row in public if row["confidential"] == "true"]
    assert confidential and all(row["address"] == "" for row in confidential)


def test_full_is_a_csv_export_only(settings: Settings) -> None:
    result = CliRunner().invoke(
        cli,
        ["export", "--format", "geojson", "--full"],
        env={"PUENTE_DATABASE_URL": settings.database_url},
    )
    assert result.exit_code == 2
    assert "--full" in result.output


def test_the_staff_export_over_http_needs_a_resources_write_key(
    client: TestClient[Litestar], engine: Engine, settings: Settings
) -> None:
    assert import_sources(engine, settings, [csv_source(generated_rows())]).ok
    url = "/api/v1/resources.csv"

    anonymous = client.get(url, params={"full": "true"})
    assert anonymous.status_code == 401
    assert "Hidden" not in anonymous.text and "Elm St" not in anonymous.text
    assert client.get(url, params={"full": "1"}).status_code == 401
    assert client.get(url, params={"full": "TRUE"}).status_code == 401
    revoked = client.get(url, params={"full": "true"}, headers=bearer(revoked_key(engine, "admin")))
    assert revoked.status_code == 401
    events_only = bearer(issue_key(engine, "events:write"))
    assert client.get(url, params={"full": "true"}, headers=events_only).status_code == 403

    expected = full_export(settings)
    for scope in ("resources:write", "admin"):
        staff = bearer(issue_key(engine, scope))
        response = client.get(url, params={"full": "true"}, headers=staff)
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers
        assert response.headers["content-type"].startswith("text/csv")
        assert response.text.replace("\r\n", "\n") == expected.replace("\r\n", "\n")

        filtered = client.get(url, params={"full": "true", "category": "legal_aid"}, headers=staff)
        assert filtered.status_code == 400
        assert "full" in filtered.text

    public = client.get(url, params={"full": "false"})
    assert public.status_code == 200 and public.headers["cache-control"] != "no-store"
    assert public.text.splitlines()[0] == ",".join(COLUMNS)
