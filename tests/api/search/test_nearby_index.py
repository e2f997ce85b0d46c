"""The in-memory nearby arrays follow every change, on both databases: a search after an
edit, a move, a language change, a retirement or a bulk insert answers as a scan of every
row would, and a session's own uncommitted change is seen by its own searches only."""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.orm import Session

from api.db.models import Location, Resource, ResourceLanguage
from api.search import ResourceQuery, search_resources
from api.search.nearby_index import nearby_index, serves
from api.settings import Settings
from tests.api.db.test_language_place_index import CODES, NOW, add_places, brute_force, near_centre

SNAPSHOT = {"sqlite": "SERIALIZABLE", "postgresql": "REPEATABLE READ"}
"""An isolation level at which every statement of a transaction reads one snapshot."""


def answers_equal_brute_force(engine: Engine, settings: Settings, rng: random.Random) -> int:
    """Searches by one or two languages, each checked; returns how many the arrays served."""
    served = 0
    with engine.connect() as connection, Session(engine) as session:
        for _ in range(12):
            near = near_centre(rng)
            radius = rng.choice([0.5, 2.0, 5.0, 20.0])
            codes = tuple(sorted(rng.sample(CODES, rng.randint(1, 2))))
            query = ResourceQuery(near=near, radius_km=radius, languages=codes, per_page=30)
            assert serves(query)
            served += nearby_index(session) is not None
            page = search_resources(session, query, now=NOW, settings=settings)
            expected = brute_force(connection, near, radius, codes)
            assert page.total == len(expected), (near, radius, codes)
            assert [(i.id, i.distance_km) for i in page.items] == expected[:30], (near, codes)
    return served


def offer_spanish(connection: Connection, resource_ids: list[int]) -> None:
    connection.execute(
        delete(ResourceLanguage).where(
            ResourceLanguage.resource_id.in_(resource_ids), ResourceLanguage.code == "es"
        )
    )
    connection.execute(
        insert(ResourceLanguage),
        [{"resource_id": i, "code": "es", "support": "staff"} for i in resource_ids],
    )


def test_every_kind_of_change_after_a_search_is_seen_by_the_next(
    engine: Engine, settings: Settings
) -> None:
    rng = random.Random(41)
    with engine.begin() as connection:
        ids = add_places(connection, rng, 800)
    assert answers_equal_brute_force(engine, settings, rng) > 0
    changes = [
        lambda c: add_places(c, rng, 200),
        lambda c: c.execute(
            update(Location)
            .where(Location.id.in_(rng.sample(range(1, 800), 80)))
            .values(latitude=near_centre(rng)[0], longitude=near_centre(rng)[1])
        ),
        lambda c: c.execute(
            delete(ResourceLanguage).where(ResourceLanguage.resource_id.in_(rng.sample(ids, 80)))
        ),
        lambda c: offer_spanish(c, rng.sample(ids, 60)),
        lambda c: c.execute(
            update(Resource).where(Resource.id.in_(rng.sample(ids, 50))).values(retired_at=NOW)
        ),
        lambda c: c.execute(
            update(Resource).where(Resource.id.in_(rng.sample(ids, 50))).values(status="inactive")
        ),
        lambda c: c.execute(
            update(Location)
            .where(Location.id.in_(rng.sample(range(1, 800), 40)))
            .values(retired_at=NOW)
        ),
    ]
    for change in changes:
        with engine.begin() as connection:
            change(connection)
        assert answers_equal_brute_force(engine, settings, rng) > 0


def test_a_sessions_own_uncommitted_change_is_seen_by_it_alone(
    engine: Engine, settings: Settings
) -> None:
    rng = random.Random(42)
    with engine.begin() as connection:
        add_places(connection, rng, 300)
    near = near_centre(rng)
    query = ResourceQuery(near=near, radius_km=1.0, languages=("es",))
    with Session(engine) as reader:
        before = search_resources(reader, query, now=NOW, settings=settings).total
    with Session(engine) as writer:
        location_id = writer.scalars(select(Location.id).limit(1)).one()
        writer.execute(
            update(Location)
            .where(Location.id == location_id)
            .values(latitude=near[0], longitude=near[1])
        )
        writer.execute(
            delete(ResourceLanguage).where(
                ResourceLanguage.resource_id.in_(
                    select(Resource.id).where(Resource.location_id == location_id)
                )
            )
        )
        resource_id = writer.scalars(
            select(Resource.id).where(Resource.location_id == location_id)
        ).first()
        writer.execute(
            insert(ResourceLanguage).values(resource_id=resource_id, code="es", support="staff")
        )
        writer.execute(update(Resource).where(Resource.id == resource_id).values(status="active"))
        mine = search_resources(writer, query, now=NOW, settings=settings)
        assert resource_id in [item.id for item in mine.items]
        assert nearby_index(writer) is None  # its snapshot is no committed version
        writer.rollback()
    with Session(engine) as reader:
        assert search_resources(reader, query, now=NOW, settings=settings).total == before


def test_a_server_builds_the_arrays_as_it_starts(engine: Engine, settings: Settings) -> None:
    """``/ready`` says ``building`` until then; no search has asked for them."""
    from litestar.testing import TestClient

    from api.app import create_app

    with engine.begin() as connection:
        add_places(connection, random.Random(43), 50)
    app = create_app(settings)
    with TestClient(app) as client:
        deadline = time.monotonic() + 30
        while (nearby := client.get("/ready").json()["nearby"]) != "ready":
            assert nearby == "building"
            assert time.monotonic() < deadline, "no arrays 30 s after the start"
            time.sleep(0.05)
        with Session(app.state.engine) as session:
            assert nearby_index(session) is not None  # at the current version


def test_searches_racing_commits_answer_as_their_own_snapshot(
    engine: Engine, settings: Settings
) -> None:
    """Searches from many threads while another commits moves, language changes and
    status changes: each answer equals a scan of every row in the searching transaction's own
    snapshot, whether the arrays or SQL answered it, and the arrays answer some."""
    rng = random.Random(44)
    with engine.begin() as connection:
        ids = add_places(connection, rng, 600)
    readers = engine.execution_options(isolation_level=SNAPSHOT[engine.dialect.name])
    done = threading.Event()

    def write() -> int:
        commits = 0
        moves = random.Random(45)
        while not done.is_set():
            with engine.begin() as connection:
                chosen = moves.sample(ids, 20)
                latitude, longitude = near_centre(moves)
                connection.execute(
                    update(Location)
                    .where(
                        Location.id.in_(select(Resource.location_id).where(Resource.id.in_(chosen)))
                    )
                    .values(latitude=latitude, longitude=longitude)
                )
                offer_spanish(connection, moves.sample(ids, 10))
                connection.execute(
                    update(Resource)
                    .where(Resource.id.in_(moves.sample(ids, 3)))
                    .values(status=moves.choice(["active", "inactive"]))
                )
            commits += 1
        return commits

    def search(seed: int) -> int:
        asker = random.Random(seed)
        served = 0
        for _ in range(15):
            near, radius = near_centre(asker), asker.choice([1.0, 5.0, 20.0])
            codes = (asker.choice(CODES),)
            query = ResourceQuery(near=near, radius_km=radius, languages=codes, per_page=25)
            with Session(readers) as session:
                served += nearby_index(session) is not None
                page = search_resources(session, query, now=NOW, settings=settings)
                expected = brute_force(session.connection(), near, radius, codes)
            assert page.total == len(expected), (near, radius, codes)
            assert [(i.id, i.distance_km) for i in page.items] == expected[:25], (near, codes)
        return served

    with ThreadPoolExecutor(max_workers=7) as pool:
        writer = pool.submit(write)
        try:
            served = sum(pool.map(search, range(6)))
        finally:
            done.set()
        commits = writer.result()
    assert commits > 0
    assert served > 0
