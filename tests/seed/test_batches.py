"""Files larger than a batch: the rows, area tags and audit entries of the row-by-row writer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from api.db.models import (
    Area,
    AuditEntry,
    Location,
    LocationArea,
    Organization,
    Resource,
    ResourceLanguage,
)
from seed.batches import BATCH_SIZE
from seed.readers import Source
from tests.seed.conftest import EVENT_COLUMNS, Importer, directory_state, event, resource, table

REFUSED = "Refused by the database"

LATITUDES = (32.6, 32.7, 32.78, 32.9, 33.5)
"""South, south, on the shared edge, north, outside both."""
DISTRICTS = {32.6: {"2"}, 32.7: {"2"}, 32.78: {"1", "2"}, 32.9: {"1"}, 33.5: set()}


def square(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def areas(kind: str, *features: tuple[str, dict[str, Any]]) -> list[Source]:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"CODE": code}, "geometry": geometry}
            for code, geometry in features
        ],
    }
    sidecar = {"kind": kind, "code_property": "CODE"}
    return [
        Source(name=f"{kind}.geojson", data=json.dumps(collection).encode()),
        Source(name=f"{kind}.area.json", data=json.dumps(sidecar).encode()),
    ]


AREAS = [
    *areas(
        "council_district",
        ("1", square(-97.0, 32.78, -96.6, 33.0)),
        ("2", square(-97.0, 32.5, -96.6, 32.78)),
    ),
    # Far from every point: only a postal code can put a location in it.
    *areas("zip", ("75201", square(-80.0, 40.0, -79.0, 41.0))),
]


def rows(count: int) -> list[dict[str, str]]:
    """Two rows per address, five per organization, a language mix, every tenth row no id."""
    made = []
    for i in range(count):
        place = i // 2
        made.append(
            resource(
                external_id="" if i % 10 == 9 else f"r-{i}",
                name=f"Resource {i}",
                organization=f"Organization {i // 5}",
                organization_kind="faith" if (i // 5) % 2 else "nonprofit",
                address=f"{100 + place} Main St.",
                postal_code="75201" if place % 3 == 0 else "75202",
                latitude=str(LATITUDES[place % len(LATITUDES)]),
                longitude="-96.8",
                languages=("es", "es:staff;vi:interpreter", "", "en;zh:materials")[i % 4],
            )
        )
    return made


def expected_languages(row: dict[str, str]) -> set[tuple[str, str]]:
    found = set()
    for part in filter(None, row["languages"].split(";")):
        code, _, support = part.partition(":")
        found.add((code, support or "staff"))
    return found


def expected_tags(row: dict[str, str]) -> set[tuple[str, str]]:
    tags = {("council_district", code) for code in DISTRICTS[float(row["latitude"])]}
    if row["postal_code"] == "75201":
        tags.add(("zip", "75201"))
    return tags


def test_a_file_of_several_batches(run_import: Importer, engine: Engine) -> None:
    assert run_import(*AREAS).ok
    given = rows(2 * BATCH_SIZE + 37)
    report = run_import(table("r.csv", given))
    assert report.ok and report.written, [str(p) for p in report.problems[:3]]
    assert report.counts["resources"].to_dict() == {
        "created": len(given),
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }

    with Session(engine) as session:
        organizations = {o.id: o for o in session.exec(select(Organization)).all()}
        locations = {loc.id: loc for loc in session.exec(select(Location)).all()}
        resources = {r.name: r for r in session.exec(select(Resource)).all()}
        languages: dict[int, set[tuple[str, str]]] = {}
        for language in session.exec(select(ResourceLanguage)).all():
            languages.setdefault(language.resource_id, set()).add((language.code, language.support))
        tags: dict[int, set[tuple[str, str]]] = {}
        for location_id, kind, code in session.exec(
            select(LocationArea.location_id, Area.kind, Area.code).join(
                Area, col(Area.id) == col(LocationArea.area_id)
            )
        ).all():
            tags.setdefault(location_id, set()).add((kind, code))
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.entity != "area").order_by(col(AuditEntry.id))
        ).all()

    assert len(organizations) == len({row["organization"] for row in given})
    assert len(locations) == len({row["address"] for row in given})
    assert len(resources) == len(given)
    for row in given:
        stored = resources[row["name"]]
        assert stored.external_id == (row["external_id"] or None)
        assert stored.location_id is not None and stored.organization_id is not None
        location = locations[stored.location_id]
        assert (location.address, location.latitude) == (row["address"], float(row["latitude"]))
        organization = organizations[stored.organization_id]
        assert (organization.name, organization.kind) == (
            row["organization"],
            row["organization_kind"],
        )
        assert stored.id is not None
        assert languages.get(stored.id, set()) == expected_languages(row)
        assert tags.get(stored.location_id, set()) == expected_tags(row)

    assert all((e.actor, e.action, e.before) == ("cli", "import", None) for e in entries)
    created = [(e.entity, e.entity_id) for e in entries]
    assert sorted(created, key=repr) == sorted(
        [("organization", i) for i in organizations]
        + [("location", i) for i in locations]
        + [("resource", r.id) for r in resources.values()],
        key=repr,
    )
    seen: set[tuple[str, int | None]] = set()
    by_id = {r.id: r for r in resources.values()}
    for entry in entries:
        assert entry.after is not None
        if entry.entity == "resource":
            stored = by_id[entry.entity_id]
            # Row by row: its organization and location were audited first.
            assert ("organization", stored.organization_id) in seen
            assert ("location", stored.location_id) in seen
            assert entry.after["name"] == stored.name
            assert entry.after["location_id"] == stored.location_id
            assert sorted(entry.after["languages"]) == sorted(
                f"{code}:{support}" for code, support in languages.get(stored.id or 0, set())
            )
        elif entry.entity == "location":
            assert entry.after["address"] == locations[entry.entity_id].address
        else:
            assert entry.after["name"] == organizations[entry.entity_id].name
        seen.add((entry.entity, entry.entity_id))


def test_importing_a_large_file_again_changes_nothing(run_import: Importer, engine: Engine) -> None:
    assert run_import(*AREAS).ok
    given = table("r.csv", rows(BATCH_SIZE + 60))
    assert run_import(given).ok
    before = directory_state(engine)
    again = run_import(given)
    assert again.ok and again.written
    assert again.counts["resources"].unchanged == BATCH_SIZE + 60
    assert directory_state(engine) == before


def test_changes_spread_over_batches(run_import: Importer, engine: Engine) -> None:
    given = rows(BATCH_SIZE + 60)
    assert run_import(table("r.csv", given)).ok
    with Session(engine) as session:
        audits = len(session.exec(select(AuditEntry)).all())
        location_count = len(session.exec(select(Location)).all())
        stamps = dict(session.exec(select(Resource.name, Resource.updated_at)).all())
    changed = [dict(row) for row in given]
    for i, row in enumerate(changed):
        if i % 25 == 0:
            row["phone"] = "214-555-0199"
        if i % 40 == 1:
            row["languages"] = "fr"
    # A new resource at the address of the last row: it shares that row's location.
    changed.append({**given[-1], "external_id": "new-1", "name": "New at an old address"})
    report = run_import(table("r.csv", changed))
    assert report.ok
    updated = {i for i in range(len(given)) if i % 25 == 0 or i % 40 == 1}
    assert report.counts["resources"].to_dict() == {
        "created": 1,
        "updated": len(updated),
        "unchanged": len(given) - len(updated),
        "rejected": 0,
    }
    with Session(engine) as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()[audits:]
        assert [e.entity for e in entries] == ["resource"] * (len(updated) + 1)
        assert len(session.exec(select(Location)).all()) == location_count
        by_name = {r.name: r for r in session.exec(select(Resource)).all()}
        bumped = [
            i
            for i, row in enumerate(given)
            if by_name[row["name"]].updated_at > stamps[row["name"]]
        ]
        assert bumped == sorted(updated)
        assert by_name["Resource 25"].phone == "214-555-0199"
        relisted = by_name["Resource 41"]
        codes = session.exec(
            select(ResourceLanguage.code).where(ResourceLanguage.resource_id == relisted.id)
        ).all()
        assert codes == ["fr"]
        [entry] = [e for e in entries if e.entity_id == relisted.id]
        assert entry.before is not None and entry.after is not None
        assert entry.before["languages"] == ["es:staff", "vi:interpreter"]
        assert entry.after["languages"] == ["fr:staff"]
        assert entry.before["phone"] == entry.after["phone"] == given[41]["phone"]
        assert entry.after["updated_at"] > entry.before["updated_at"]


def test_a_renamed_resource_is_found_by_its_new_name(run_import: Importer, engine: Engine) -> None:
    assert run_import(table("r.csv", [resource(external_id="x", name="Old name")])).ok
    renamed = resource(external_id="x", name="Centro")
    by_key = resource(external_id="", name="CENTRO", phone="214-555-0142")
    report = run_import(table("r.csv", [renamed, by_key]))
    assert report.ok and report.counts["resources"].updated == 2
    with Session(engine) as session:
        [stored] = session.exec(select(Resource)).all()
        assert (stored.external_id, stored.name, stored.phone) == ("x", "CENTRO", "214-555-0142")


def test_awkward_external_ids_are_found_again(run_import: Importer, engine: Engine) -> None:
    ids = ["a%b'c", "x%(y)s", "back\\slash", 'q"uote', "semi;--", "ünï", "%s"]
    given = [
        resource(external_id=external_id, name=f"N{i}", address=f"{i} Main St.")
        for i, external_id in enumerate(ids)
    ]
    assert run_import(table("r.csv", given)).counts["resources"].created == len(ids)
    before = directory_state(engine)
    assert run_import(table("r.csv", given)).counts["resources"].unchanged == len(ids)
    assert directory_state(engine) == before


def test_new_rows_at_one_address_share_one_location(run_import: Importer, engine: Engine) -> None:
    same = [
        resource(external_id="a", name="A", address="7 Elm St."),
        resource(external_id="b", name="B", address="7 Elm St."),
        resource(external_id="c", name="C", address="7 ELM ST"),
    ]
    report = run_import(table("r.csv", same))
    assert report.ok and report.counts["resources"].created == 3
    with Session(engine) as session:
        [location] = session.exec(select(Location)).all()
        assert location.address == "7 ELM ST"  # the last row's spelling, as row by row
        assert {r.location_id for r in session.exec(select(Resource)).all()} == {location.id}
        audited = session.exec(
            select(AuditEntry.before)
            .where(AuditEntry.entity == "location")
            .order_by(col(AuditEntry.id))
        ).all()
        assert len(audited) == 2  # created, then the spelling updated
        assert audited[1] is not None and audited[1]["address"] == "7 Elm St."


def test_an_organization_completed_by_a_later_row(run_import: Importer, engine: Engine) -> None:
    columns = [*rows(1)[0], "organization_website"]
    first = resource(external_id="a", name="A", organization_kind="")
    later = {
        **resource(external_id="b", name="B", address="8 Elm St.", organization_kind=""),
        "organization_website": "https://example.org/ayuda",
    }
    report = run_import(table("r.csv", [first, later], columns))
    assert report.ok, [str(p) for p in report.problems]
    with Session(engine) as session:
        [organization] = session.exec(select(Organization)).all()
        assert organization.website == "https://example.org/ayuda"
        audited = session.exec(
            select(AuditEntry)
            .where(AuditEntry.entity == "organization")
            .order_by(col(AuditEntry.id))
        ).all()
        assert [entry.before is None for entry in audited] == [True, False]


@pytest.fixture
def refusing(engine: Engine, backend: str) -> Iterator[None]:
    """The database refuses a resource named REFUSED, as a CHECK constraint would."""
    with engine.begin() as connection:
        if backend == "sqlite":
            for event_name in ("INSERT", "UPDATE"):
                connection.exec_driver_sql(
                    f"CREATE TRIGGER test_refuse_{event_name} BEFORE {event_name} ON resource"
                    " WHEN NEW.name = 'Refused by the database'"
                    " BEGIN SELECT RAISE(ABORT, 'refused by a test constraint'); END"
                )
        else:
            connection.exec_driver_sql(
                "ALTER TABLE resource ADD CONSTRAINT ck_resource_test_refuse"
                " CHECK (name <> 'Refused by the database')"
            )
    yield
    if backend == "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "ALTER TABLE resource DROP CONSTRAINT ck_resource_test_refuse"
            )


def refused_file() -> tuple[Source, list[dict[str, str]]]:
    """A batch and a bit, the fifth row (line 6) refused by the database.

    The row after it is at the same address: the location the refused row would have made
    must still be made for it.
    """
    given = rows(BATCH_SIZE + 10)
    given[4] = {**given[4], "name": REFUSED}
    return table("r.csv", given), given


def test_a_refused_row_refuses_the_run(
    refusing: None, run_import: Importer, engine: Engine
) -> None:
    before = directory_state(engine)
    source, given = refused_file()
    report = run_import(source)
    assert not report.ok and not report.written
    [problem] = report.problems
    assert (problem.file, problem.line) == ("r.csv", 6)
    assert problem.reason.startswith("the database refused this row: ")
    assert report.counts["resources"].rejected == 1
    assert report.counts["resources"].created == len(given) - 1
    assert directory_state(engine) == before


def test_partial_keeps_the_rest_of_the_batch(
    refusing: None, run_import: Importer, engine: Engine
) -> None:
    source, given = refused_file()
    meeting = event(venue=given[4]["external_id"])
    report = run_import(source, table("e.csv", [meeting], EVENT_COLUMNS), partial=True)
    assert report.written
    assert [(p.file, p.line) for p in report.problems] == [("r.csv", 6), ("e.csv", 2)]
    assert report.problems[0].reason.startswith("the database refused this row: ")
    assert report.problems[1].reason == "its resource (r.csv:6) was refused"
    assert report.counts["resources"].created == len(given) - 1
    with Session(engine) as session:
        names = set(session.exec(select(Resource.name)).all())
        assert names == {row["name"] for row in given} - {REFUSED}
        neighbour = session.exec(select(Resource).where(Resource.name == given[5]["name"])).one()
        location = session.get(Location, neighbour.location_id)
        assert location is not None and location.address == given[4]["address"]
        audited = session.exec(
            select(AuditEntry.entity_id).where(AuditEntry.entity == "resource")
        ).all()
        assert len(audited) == len(given) - 1


def test_a_refused_change_keeps_the_other_changes(
    refusing: None, run_import: Importer, engine: Engine
) -> None:
    given = rows(BATCH_SIZE + 10)
    assert run_import(table("r.csv", given)).ok
    changed = [{**row, "phone": "214-555-0199"} for row in given]
    changed[7] = {**changed[7], "name": REFUSED}
    report = run_import(table("r.csv", changed), partial=True)
    assert report.written
    assert [(p.file, p.line) for p in report.problems] == [("r.csv", 9)]
    assert report.counts["resources"].updated == len(given) - 1
    with Session(engine) as session:
        stored = {r.name: r for r in session.exec(select(Resource)).all()}
        assert len(stored) == len(given)
        assert stored[given[7]["name"]].phone == given[7]["phone"]  # not changed at all
        others = [stored[row["name"]] for i, row in enumerate(given) if i != 7]
        assert {r.phone for r in others} == {"214-555-0199"}
