"""The index by place and language (``resource_language_rtree``, SQLite) stays equal to the
tables through every kind of change, and a nearby search by language through it answers as
a scan of every row does, on both databases.

An entry is one language a resource offers, at its location's point, with the language's
key (``api.search.conditions.language_key``) as a third dimension, spanning key - 0.25 to
key + 0.25; its id is ``resource_id * 32768 + key``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, delete, insert, select, text, update
from sqlalchemy.orm import Session

from api.db.models import Location, Resource, ResourceLanguage
from api.geo.distance import great_circle_km
from api.search import ResourceQuery, search_resources
from api.search.conditions import LANGUAGE_KEY_SPAN, language_key
from api.settings import Settings

NOW = datetime(2026, 11, 25, tzinfo=UTC)
FLOAT32_SLACK = 2 * 2.0**-16
CENTRE = (32.7767, -96.797)
CODES = ("es", "vi", "zh", "ar", "tl", "ko", "fr", "yue", "nv")


def near_centre(rng: random.Random, spread: float = 0.1) -> tuple[float, float]:
    return (
        round(CENTRE[0] + rng.gauss(0, spread), 6),
        round(CENTRE[1] + rng.gauss(0, spread), 6),
    )


def add_places(
    connection: Connection, rng: random.Random, count: int, *, confidential: float = 0.0
) -> list[int]:
    """``count`` resources, each at its own location, offering up to three languages."""
    locations = [
        {
            "latitude": lat,
            "longitude": lon,
            "geocode_precision": "provided",
            "confidential": rng.random() < confidential,
            "created_at": NOW,
            "updated_at": NOW,
        }
        for lat, lon in (near_centre(rng) for _ in range(count))
    ]
    location_ids = list(
        connection.execute(insert(Location).returning(Location.id), locations).scalars()
    )
    resources = [
        {
            "category": "legal_aid",
            "name": f"Resource at {id_}",
            "status": "active",
            "location_id": id_,
            "created_at": NOW,
            "updated_at": NOW,
        }
        for id_ in location_ids
    ]
    resource_ids = list(
        connection.execute(insert(Resource).returning(Resource.id), resources).scalars()
    )
    languages = [
        {"resource_id": id_, "code": code, "support": "staff"}
        for id_ in resource_ids
        for code in rng.sample(CODES, rng.randint(0, 3))
    ]
    if languages:
        connection.execute(insert(ResourceLanguage), languages)
    return resource_ids


def disagreements(connection: Connection) -> list[str]:
    """Every way the index differs from the tables (empty when equal); SQLite only."""
    expected = {
        row.resource_id * LANGUAGE_KEY_SPAN + (language_key(row.code) or -1): (
            row.latitude,
            row.longitude,
            language_key(row.code),
        )
        for row in connection.execute(
            select(
                ResourceLanguage.resource_id,
                ResourceLanguage.code,
                Location.latitude,
                Location.longitude,
            )
            .join(Resource, Resource.id == ResourceLanguage.resource_id)
            .join(Location, Location.id == Resource.location_id)
        )
    }
    entries = {
        row[0]: row[1:] for row in connection.execute(text("SELECT * FROM resource_language_rtree"))
    }
    problems = [f"stray entry {id_}" for id_ in entries.keys() - expected.keys()]
    for id_, (latitude, longitude, key) in expected.items():
        entry = entries.get(id_)
        if entry is None:
            problems.append(f"entry {id_} missing")
            continue
        min_lat, max_lat, min_lon, max_lon, min_code, max_code = entry
        if not (min_lat <= latitude <= max_lat and min_lon <= longitude <= max_lon):
            problems.append(f"entry {id_} at {latitude},{longitude} outside {entry}")
        elif max_lat - min_lat > FLOAT32_SLACK or max_lon - min_lon > FLOAT32_SLACK:
            problems.append(f"entry {id_} wider than a point: {entry}")
        if key is None or not (min_code == key - 0.25 and max_code == key + 0.25):
            problems.append(f"entry {id_} has language {min_code}..{max_code}, not {key}")
    return problems


def brute_force(
    connection: Connection, near: tuple[float, float], radius_km: float, codes: Sequence[str]
) -> list[tuple[int, float]]:
    """Every active, public resource offering one of ``codes`` within the radius, ranked."""
    offering = select(ResourceLanguage.resource_id).where(ResourceLanguage.code.in_(codes))
    rows = connection.execute(
        select(Resource.id, Location.latitude, Location.longitude)
        .join(Location, Location.id == Resource.location_id)
        .where(
            Resource.id.in_(offering),
            Resource.status == "active",
            Resource.retired_at.is_(None),
            Location.retired_at.is_(None),
            Location.confidential.is_(False),
        )
    )
    hits = sorted((great_circle_km(*near, r.latitude, r.longitude), r.id) for r in rows)
    return [(id_, round(distance, 2)) for distance, id_ in hits if distance <= radius_km]


def test_language_keys_are_distinct_and_exact_in_32_bit_floats() -> None:
    letters = "abcdefghijklmnopqrstuvwxyz"
    codes = [a + b for a in letters for b in letters]
    codes += [a + b + c for a in letters for b in letters for c in letters]
    keys = [language_key(code) for code in codes]
    assert len(set(keys)) == len(codes)
    assert all(key is not None and 0 < key < LANGUAGE_KEY_SPAN < 2**24 for key in keys)
    for other in ("", "e", "ES", "eng1", "en-US", "español"):
        assert language_key(other) is None


SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
"""The index by place and language is SQLite's; PostGIS narrows by place alone."""


@SQLITE_ONLY
def test_inserts_in_bulk_and_one_by_one_are_indexed(engine: Engine) -> None:
    rng = random.Random(1)
    with engine.begin() as connection:
        add_places(connection, rng, 800)
        assert disagreements(connection) == []  # within the same transaction
    with engine.begin() as connection:
        for _ in range(20):
            add_places(connection, rng, 1)
    with engine.connect() as connection:
        assert disagreements(connection) == []
        count = connection.execute(text("SELECT count(*) FROM resource_language_rtree"))
        assert count.scalar_one() > 800


@SQLITE_ONLY
def test_language_changes_moves_relocations_and_removals_keep_it_equal(
    engine: Engine,
) -> None:
    rng = random.Random(2)
    with engine.begin() as connection:
        ids = add_places(connection, rng, 400)
    for _ in range(6):
        with engine.begin() as connection:
            offered = connection.execute(
                select(ResourceLanguage.resource_id, ResourceLanguage.code)
            ).all()
            # A language dropped, one changed to another, one added.
            for resource_id, code in rng.sample(offered, 15):
                connection.execute(
                    delete(ResourceLanguage).where(
                        ResourceLanguage.resource_id == resource_id,
                        ResourceLanguage.code == code,
                    )
                )
            taken = {(r, c) for r, c in offered}
            for resource_id, code in rng.sample(offered, 10):
                new = rng.choice(CODES)
                if (resource_id, code) in taken and (resource_id, new) not in taken:
                    connection.execute(
                        update(ResourceLanguage)
                        .where(
                            ResourceLanguage.resource_id == resource_id,
                            ResourceLanguage.code == code,
                        )
                        .values(code=new)
                    )
                    taken = (taken - {(resource_id, code)}) | {(resource_id, new)}
            for resource_id in rng.sample(ids, 10):
                new = rng.choice(CODES)
                if (resource_id, new) not in taken:
                    connection.execute(
                        insert(ResourceLanguage).values(
                            resource_id=resource_id, code=new, support="interpreter"
                        )
                    )
                    taken.add((resource_id, new))
            # Locations moved, one at a time and in bulk.
            location_ids = connection.execute(select(Location.id)).scalars().all()
            for location_id in rng.sample(location_ids, 20):
                lat, lon = near_centre(rng)
                connection.execute(
                    update(Location)
                    .where(Location.id == location_id)
                    .values(latitude=lat, longitude=lon)
                )
            connection.execute(
                update(Location)
                .where(Location.latitude > CENTRE[0] + 0.15)
                .values(latitude=Location.latitude - 0.05)
            )
            # Resources moved to another location.
            for resource_id in rng.sample(ids, 10):
                connection.execute(
                    update(Resource)
                    .where(Resource.id == resource_id)
                    .values(location_id=rng.choice(location_ids))
                )
            # Resources removed: their languages go with them (ON DELETE CASCADE).
            for resource_id in rng.sample(ids, 5):
                connection.execute(delete(Resource).where(Resource.id == resource_id))
                ids.remove(resource_id)
        with engine.connect() as connection:
            assert disagreements(connection) == []


@SQLITE_ONLY
def test_a_rolled_back_change_leaves_it_as_it_was(engine: Engine) -> None:
    rng = random.Random(3)
    with engine.begin() as connection:
        ids = add_places(connection, rng, 50)
    connection = engine.connect()
    transaction = connection.begin()
    add_places(connection, rng, 50)
    connection.execute(delete(ResourceLanguage).where(ResourceLanguage.resource_id == ids[0]))
    connection.execute(update(Location).values(latitude=1.5))
    transaction.rollback()
    connection.close()
    with engine.connect() as connection:
        assert disagreements(connection) == []


@SQLITE_ONLY
def test_the_check_itself_notices_a_stale_index(engine: Engine) -> None:
    rng = random.Random(4)
    with engine.begin() as connection:
        add_places(connection, rng, 30)
    with engine.connect() as connection:
        connection.execute(text("UPDATE resource_language_rtree SET min_code = 1, max_code = 1"))
        connection.execute(text("DELETE FROM resource_language_rtree WHERE rowid % 2 = 0"))
        problems = disagreements(connection)
        connection.rollback()
    assert any(p.endswith("missing") for p in problems)
    assert any("has language 1.0..1.0" in p for p in problems)


def test_nearby_by_language_equals_brute_force_after_changes(
    engine: Engine, settings: Settings
) -> None:
    """On both databases: searches by one or two languages, through every change above."""
    rng = random.Random(5)
    with engine.begin() as connection:
        ids = add_places(connection, rng, 1500, confidential=0.0)
    with engine.begin() as connection:
        for resource_id in rng.sample(ids, 100):
            connection.execute(
                delete(ResourceLanguage).where(ResourceLanguage.resource_id == resource_id)
            )
            connection.execute(
                insert(ResourceLanguage).values(
                    resource_id=resource_id, code=rng.choice(CODES), support="staff"
                )
            )
        location_ids = connection.execute(select(Location.id)).scalars().all()
        for location_id in rng.sample(location_ids, 200):
            lat, lon = near_centre(rng)
            connection.execute(
                update(Location)
                .where(Location.id == location_id)
                .values(latitude=lat, longitude=lon)
            )
        for resource_id in rng.sample(ids, 50):
            connection.execute(
                update(Resource)
                .where(Resource.id == resource_id)
                .values(location_id=rng.choice(location_ids))
            )
        connection.execute(
            update(Resource).where(Resource.id.in_(rng.sample(ids, 60))).values(retired_at=NOW)
        )
        connection.execute(
            update(Resource).where(Resource.id.in_(rng.sample(ids, 40))).values(status="inactive")
        )
    with engine.connect() as connection, Session(engine) as session:
        for _ in range(30):
            near = near_centre(rng)
            radius = rng.choice([0.5, 2.0, 5.0, 20.0])
            codes = tuple(sorted(rng.sample(CODES, rng.randint(1, 2))))
            query = ResourceQuery(near=near, radius_km=radius, languages=codes, per_page=40)
            page = search_resources(session, query, now=NOW, settings=settings)
            expected = brute_force(connection, near, radius, codes)
            assert page.total == len(expected), (near, radius, codes)
            got = [(item.id, item.distance_km) for item in page.items]
            assert got == expected[:40], (near, radius, codes)


def test_many_simultaneous_searches_all_answer_correctly(
    engine: Engine, settings: Settings
) -> None:
    """Searches from many threads at once, each on its own session, as a server's workers
    run them: every one equals the brute-force answer."""
    rng = random.Random(6)
    with engine.begin() as connection:
        add_places(connection, rng, 1000)
    questions = [
        (near_centre(rng), rng.choice([1.0, 5.0]), (rng.choice(CODES),)) for _ in range(48)
    ]
    with engine.connect() as connection:
        expected = [brute_force(connection, *question) for question in questions]

    def ask(question: tuple[tuple[float, float], float, tuple[str, ...]]) -> list[Any]:
        near, radius, codes = question
        query = ResourceQuery(near=near, radius_km=radius, languages=codes, per_page=100)
        with Session(engine) as session:
            page = search_resources(session, query, now=NOW, settings=settings)
        return [page.total, [(item.id, item.distance_km) for item in page.items]]

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(ask, questions))
    for question, answer, scan in zip(questions, answers, expected, strict=True):
        assert answer == [len(scan), scan[:100]], question
