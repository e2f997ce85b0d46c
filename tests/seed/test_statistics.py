"""A large import refreshes PostgreSQL's planner statistics in its own transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

import seed.importer
from api.db import migrate
from api.db.engine import create_database_engine
from seed.importer import import_sources
from tests.conftest import base_settings
from tests.databases import create_postgres_database, drop_postgres_database
from tests.seed.conftest import RESOURCE_HEADER, csv_file

ROWS = [
    f"r{n},legal_aid,Clinic {n},Ayuda,legal_services,,{n} Elm St,Dallas,TX,75201,"
    f"32.7{n},-96.8,,,,es,,,,https://example.org/{n},false"
    for n in range(3)
]


def planner_rows(engine: Engine) -> float:
    """What the planner believes the resource table holds (-1: never analyzed)."""
    with engine.connect() as connection:
        query = text("SELECT reltuples FROM pg_class WHERE relname = 'resource'")
        return float(connection.execute(query).scalar_one())


@pytest.mark.postgres
@pytest.mark.parametrize(("threshold", "analyzed"), [(3, True), (4, False)])
def test_statistics_are_refreshed_after_enough_changed_rows(
    monkeypatch: pytest.MonkeyPatch, threshold: int, analyzed: bool
) -> None:
    url = create_postgres_database()
    settings = base_settings(url.render_as_string(hide_password=False))
    engine = create_database_engine(url)
    try:
        migrate.upgrade(settings)
        assert planner_rows(engine) == -1
        monkeypatch.setattr(seed.importer, "ANALYZE_AFTER_ROWS", threshold)
        report = import_sources(
            engine, settings, [csv_file("resources.csv", RESOURCE_HEADER, *ROWS)]
        )
        assert report.written, report.problems
        assert planner_rows(engine) == (3 if analyzed else -1)
    finally:
        engine.dispose()
        drop_postgres_database(url)
