"""A direct SQL load of the generated rows, for sizes the importer cannot load in the time
a run has (``--loader sql``). It writes what the importer would for these rows —
organizations, locations (the spatial index follows through its triggers or generated
column), resources and their languages — but measures no import figure, and RESULTS.md says
which sizes were loaded this way."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice

from sqlalchemy import insert, text

from api.db.engine import create_database_engine
from api.db.models import Location, Organization, Resource, ResourceLanguage
from api.search.text import reindex_resources
from api.settings import Settings
from bench.generate import rows

__all__ = ["load"]

BATCH = 5000
SETVAL = "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"


def _batches(count: int) -> Iterator[list[dict[str, str]]]:
    source = rows(count)
    while batch := list(islice(source, BATCH)):
        yield batch


def load(settings: Settings, count: int) -> None:
    from sqlalchemy.orm import Session

    now = datetime.now(UTC)
    engine = create_database_engine(settings.sqlalchemy_url)
    organizations: dict[str, int] = {}
    next_id = 0
    try:
        with engine.begin() as connection:
            for batch in _batches(count):
                new_orgs = []
                for row in batch:
                    if row["organization"] not in organizations:
                        organizations[row["organization"]] = len(organizations) + 1
                        new_orgs.append(
                            {
                                "id": organizations[row["organization"]],
                                "name": row["organization"],
                                "kind": row["organization_kind"],
                                "created_at": now,
                                "updated_at": now,
                            }
                        )
                if new_orgs:
                    connection.execute(insert(Organization), new_orgs)
                locations, resources, languages = [], [], []
                for row in batch:
                    next_id += 1
                    locations.append(
                        {
                            "id": next_id,
                            "external_id": row["external_id"],
                            "address": row["address"],
                            "city": row["city"],
                            "state": row["state"],
                            "postal_code": row["postal_code"],
                            "latitude": float(row["latitude"]),
                            "longitude": float(row["longitude"]),
                            "geocode_precision": "provided",
                            "confidential": False,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                    resources.append(
                        {
                            "id": next_id,
                            "external_id": row["external_id"],
                            "category": row["category"],
                            "name": row["name"],
                            "description": row["description"],
                            "phone": row["phone"],
                            "website": row["website"],
                            "hours": row["hours"] or None,
                            "fees": row["fees"] or None,
                            "status": "active",
                            "source_url": row["source_url"],
                            "organization_id": organizations[row["organization"]],
                            "location_id": next_id,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                    for part in row["languages"].split(";"):
                        code, _, support = part.partition(":")
                        languages.append(
                            {"resource_id": next_id, "code": code, "support": support or "staff"}
                        )
                connection.execute(insert(Location), locations)
                connection.execute(insert(Resource), resources)
                connection.execute(insert(ResourceLanguage), languages)
            if engine.dialect.name == "postgresql":  # ids were given: move the sequences on
                for table in ("organization", "location", "resource"):
                    statement = SETVAL.format(table=table)
                    connection.execute(text(statement))
        with Session(engine) as session:  # the full-text documents, as the importer does
            reindex_resources(session)
            session.commit()
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    finally:
        engine.dispose()
