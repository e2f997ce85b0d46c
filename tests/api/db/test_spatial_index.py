"""The spatial index stays equal to the location table through every kind of change.

SQLite keeps an R*Tree (``location_rtree``) in step by triggers; its boxes are 32-bit floats
widened outwards to contain the point, so a box must contain the row's point and be no wider
than a couple of float32 steps. PostgreSQL generates ``location.geog`` from latitude and
longitude; it must hold exactly the same point.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, Engine, delete, insert, select, text, update
from sqlalchemy.orm import Session

from api.db.models import Location, Resource
from api.geo.distance import great_circle_km
from api.search import ResourceQuery, search_resources
from api.settings import Settings

# Two float32 steps at 180 degrees (2**-16 each): the widest an R*Tree box around a point
# may be, since SQLite rounds its lower edge down and its upper edge up.
FLOAT32_SLACK = 2 * 2.0**-16
NOW = datetime(2026, 11, 25, tzinfo=UTC)


def location_row(latitude: float, longitude: float, **extra: object) -> dict[str, object]:
    return {
        "latitude": latitude,
        "longitude": longitude,
        "geocode_precision": "provided",
        "confidential": False,
        "created_at": NOW,
        "updated_at": NOW,
        **extra,
    }


def random_point(rng: random.Random) -> tuple[float, float]:
    if rng.random() < 0.1:  # the edges of the coordinate space
        return rng.choice((-90.0, 90.0, 0.0)), rng.choice((-180.0, 180.0, 0.0))
    return round(rng.uniform(-90, 90), 6), round(rng.uniform(-180, 180), 6)


def table_points(connection: Connection) -> dict[int, tuple[float, float]]:
    rows = connection.execute(select(Location.id, Location.latitude, Location.longitude))
    return {row.id: (row.latitude, row.longitude) for row in rows}


def index_disagreements(connection: Connection) -> list[str]:
    """Every way the index differs from the table, as readable lines (empty when equal)."""
    points = table_points(connection)
    problems: list[str] = []
    if connection.dialect.name == "sqlite":
        boxes = {
            row[0]: tuple(row[1:])
            for row in connection.execute(
                text("SELECT id, min_lat, max_lat, min_lon, max_lon FROM location_rtree")
            )
        }
        for stray in boxes.keys() - points.keys():
            problems.append(f"index holds deleted location {stray}")
        for id_, (latitude, longitude) in points.items():
            box = boxes.get(id_)
            if box is None:
                problems.append(f"location {id_} missing from the index")
                continue
            min_lat, max_lat, min_lon, max_lon = box
            if not (min_lat <= latitude <= max_lat and min_lon <= longitude <= max_lon):
                problems.append(f"location {id_} at {latitude},{longitude} outside {box}")
            elif max_lat - min_lat > FLOAT32_SLACK or max_lon - min_lon > FLOAT32_SLACK:
                problems.append(f"location {id_} has a box wider than a point: {box}")
        return problems
    geog = {
        row[0]: (row[1], row[2])
        for row in connection.execute(
            text("SELECT id, ST_Y(geog::geometry), ST_X(geog::geometry) FROM location")
        )
    }
    for id_, point in points.items():
        if geog[id_] != point:
            problems.append(f"location {id_} at {point} but geog says {geog[id_]}")
    return problems


def insert_points(connection: Connection, points: Sequence[tuple[float, float]]) -> list[int]:
    rows = [location_row(lat, lon) for lat, lon in points]
    result = connection.execute(insert(Location).returning(Location.id), rows)
    return list(result.scalars())


def test_single_inserts_are_indexed(engine: Engine) -> None:
    rng = random.Random(1)
    with engine.begin() as connection:
        for point in (random_point(rng) for _ in range(30)):
            insert_points(connection, [point])
    with engine.connect() as connection:
        assert len(table_points(connection)) == 30
        assert index_disagreements(connection) == []


def test_a_bulk_insert_is_indexed_in_the_same_transaction(engine: Engine) -> None:
    rng = random.Random(2)
    points = [random_point(rng) for _ in range(3000)]
    with engine.begin() as connection:
        insert_points(connection, points)
        assert index_disagreements(connection) == []  # before commit: same transaction
    with engine.connect() as connection:
        assert len(table_points(connection)) == 3000
        assert index_disagreements(connection) == []


def test_moves_update_the_index(engine: Engine) -> None:
    rng = random.Random(3)
    with engine.begin() as connection:
        ids = insert_points(connection, [random_point(rng) for _ in range(200)])
    with engine.begin() as connection:
        for id_ in rng.sample(ids, 80):
            latitude, longitude = random_point(rng)
            connection.execute(
                update(Location)
                .where(Location.id == id_)
                .values(latitude=latitude, longitude=longitude)
            )
        # A move of one coordinate only, and a change that is no move at all.
        connection.execute(update(Location).where(Location.id == ids[0]).values(latitude=45.5))
        connection.execute(update(Location).where(Location.id == ids[1]).values(name="renamed"))
    with engine.connect() as connection:
        assert table_points(connection)[ids[0]][0] == 45.5
        assert index_disagreements(connection) == []


def test_a_bulk_move_updates_the_index(engine: Engine) -> None:
    rng = random.Random(4)
    with engine.begin() as connection:
        insert_points(connection, [random_point(rng) for _ in range(500)])
    with engine.begin() as connection:
        connection.execute(
            update(Location)
            .where(Location.latitude < 0)
            .values(latitude=Location.latitude / 2, longitude=-Location.longitude)
        )
    with engine.connect() as connection:
        assert index_disagreements(connection) == []


def test_deletes_leave_no_stray_entries(engine: Engine) -> None:
    rng = random.Random(5)
    with engine.begin() as connection:
        ids = insert_points(connection, [random_point(rng) for _ in range(300)])
    gone = set(rng.sample(ids, 120))
    with engine.begin() as connection:
        for id_ in list(gone)[:20]:
            connection.execute(delete(Location).where(Location.id == id_))
        connection.execute(delete(Location).where(Location.id.in_(list(gone)[20:])))
    with engine.connect() as connection:
        assert set(table_points(connection)) == set(ids) - gone
        assert index_disagreements(connection) == []


def test_a_rolled_back_change_leaves_the_index_as_it_was(engine: Engine) -> None:
    rng = random.Random(6)
    with engine.begin() as connection:
        ids = insert_points(connection, [random_point(rng) for _ in range(50)])
    connection = engine.connect()
    transaction = connection.begin()
    insert_points(connection, [random_point(rng) for _ in range(50)])
    connection.execute(update(Location).where(Location.id == ids[0]).values(latitude=1.25))
    connection.execute(delete(Location).where(Location.id == ids[1]))
    transaction.rollback()
    connection.close()
    with engine.connect() as connection:
        assert set(table_points(connection)) == set(ids)
        assert index_disagreements(connection) == []


def test_interleaved_changes_keep_index_and_table_equal(engine: Engine) -> None:
    """A long seeded run of inserts, moves and deletes in many small transactions."""
    rng = random.Random(7)
    live: list[int] = []
    for _ in range(40):
        with engine.begin() as connection:
            live += insert_points(
                connection, [random_point(rng) for _ in range(rng.randint(1, 30))]
            )
            for id_ in rng.sample(live, min(len(live), rng.randint(0, 10))):
                lat, lon = random_point(rng)
                connection.execute(
                    update(Location).where(Location.id == id_).values(latitude=lat, longitude=lon)
                )
            for id_ in rng.sample(live, min(len(live), rng.randint(0, 5))):
                connection.execute(delete(Location).where(Location.id == id_))
                live.remove(id_)
    with engine.connect() as connection:
        assert set(table_points(connection)) == set(live)
        assert index_disagreements(connection) == []


def test_the_check_itself_notices_a_stale_index(engine: Engine) -> None:
    """Guard for the helper above: an index out of step must be reported."""
    with engine.begin() as connection:
        [id_] = insert_points(connection, [(32.7767, -96.797)])
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(text("UPDATE location_rtree SET min_lat = 10, max_lat = 10"))
        else:  # a geog built with the axes swapped
            connection.execute(text("ALTER TABLE location DROP COLUMN geog"))
            connection.execute(
                text(
                    "ALTER TABLE location ADD COLUMN geog geography(Point, 4326) GENERATED ALWAYS"
                    " AS (ST_SetSRID(ST_MakePoint(latitude, longitude), 4326)::geography) STORED"
                )
            )
        problems = index_disagreements(connection)
        connection.rollback()
    assert len(problems) == 1
    assert problems[0].startswith(f"location {id_} at ")


@pytest.mark.parametrize("radius_km", [0.5, 5.0, 50.0])
def test_the_index_finds_what_a_scan_finds(engine: Engine, radius_km: float) -> None:
    """A query through the index returns the rows a full scan of the table returns."""
    rng = random.Random(8)
    centre = (32.7767, -96.797)
    points = [(centre[0] + rng.gauss(0, 0.3), centre[1] + rng.gauss(0, 0.3)) for _ in range(2000)]
    with engine.begin() as connection:
        insert_points(connection, points)
    with engine.connect() as connection:
        for _ in range(10):
            lat = centre[0] + rng.gauss(0, 0.3)
            lon = centre[1] + rng.gauss(0, 0.3)
            indexed = index_within(connection, lat, lon, radius_km)
            scanned = scan_within(connection, lat, lon, radius_km)
            assert indexed == scanned


def index_within(connection: Connection, lat: float, lon: float, radius_km: float) -> set[int]:
    """Candidates from the index, then the exact test on the table's own coordinates."""
    if connection.dialect.name == "sqlite":
        dlat = radius_km / 111.0
        dlon = radius_km / (111.0 * math.cos(math.radians(lat)))
        rows = connection.execute(
            text(
                "SELECT l.id FROM location_rtree AS r JOIN location AS l ON l.id = r.id"
                " WHERE r.max_lat >= :a AND r.min_lat <= :b AND r.max_lon >= :c"
                " AND r.min_lon <= :d AND l.latitude BETWEEN :a AND :b"
                " AND l.longitude BETWEEN :c AND :d"
            ),
            {"a": lat - dlat, "b": lat + dlat, "c": lon - dlon, "d": lon + dlon},
        )
        return {row[0] for row in rows}
    rows = connection.execute(
        text(
            "SELECT id FROM location WHERE ST_DWithin(geog,"
            " ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :m, false)"
        ),
        {"lat": lat, "lon": lon, "m": radius_km * 1000},
    )
    return {row[0] for row in rows}


def scan_within(connection: Connection, lat: float, lon: float, radius_km: float) -> set[int]:
    """The same question without the index: a box on SQLite, a sphere on PostgreSQL."""
    points = table_points(connection)
    if connection.dialect.name == "sqlite":
        dlat = radius_km / 111.0
        dlon = radius_km / (111.0 * math.cos(math.radians(lat)))
        return {
            id_
            for id_, (a, b) in points.items()
            if lat - dlat <= a <= lat + dlat and lon - dlon <= b <= lon + dlon
        }
    return {id_ for id_, p in points.items() if sphere_km((lat, lon), p) <= radius_km}


def sphere_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance on PostGIS's sphere (mean radius 6371008.7714 m)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0087714 * math.asin(math.sqrt(h))


# --- search through the index, after the index has lived through changes ------------------


def add_resources(connection: Connection, points: Sequence[tuple[float, float]]) -> list[int]:
    location_ids = insert_points(connection, points)
    rows = [
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
    connection.execute(insert(Resource), rows)
    return location_ids


def brute_force(
    connection: Connection, near: tuple[float, float], radius_km: float | None
) -> list[tuple[int, float]]:
    rows = connection.execute(
        select(Resource.id, Location.latitude, Location.longitude).join(
            Location, Location.id == Resource.location_id
        )
    )
    hits = [(great_circle_km(*near, row.latitude, row.longitude), row.id) for row in rows]
    return [
        (id_, round(distance, 2))
        for distance, id_ in sorted(hits)
        if radius_km is None or distance <= radius_km
    ]


def test_search_through_a_changed_index_equals_brute_force(
    engine: Engine, settings: Settings
) -> None:
    rng = random.Random(9)
    centre = (32.7767, -96.797)

    def near_centre() -> tuple[float, float]:
        return (round(centre[0] + rng.gauss(0, 0.2), 6), round(centre[1] + rng.gauss(0, 0.2), 6))

    with engine.begin() as connection:  # a bulk load
        location_ids = add_resources(connection, [near_centre() for _ in range(1500)])
    with engine.begin() as connection:  # moves, across the radius edges
        for id_ in rng.sample(location_ids, 300):
            lat, lon = near_centre()
            connection.execute(
                update(Location).where(Location.id == id_).values(latitude=lat, longitude=lon)
            )
    with engine.begin() as connection:  # deletes
        gone = rng.sample(location_ids, 200)
        connection.execute(delete(Resource).where(Resource.location_id.in_(gone)))
        connection.execute(delete(Location).where(Location.id.in_(gone)))
    with engine.begin() as connection:  # a second bulk load after all that
        add_resources(connection, [near_centre() for _ in range(300)])

    with engine.connect() as connection, Session(engine) as session:
        assert index_disagreements(connection) == []
        for _ in range(25):
            near = near_centre()
            radius = rng.choice([None, 0.5, 2.0, 5.0, 25.0])
            query = ResourceQuery(near=near, radius_km=radius, per_page=50)
            page = search_resources(session, query, now=NOW, settings=settings)
            expected = brute_force(connection, near, radius)
            assert page.total == len(expected)
            got = [(item.id, item.distance_km) for item in page.items]
            assert got == expected[:50], (near, radius)
