"""Render time and weight of the map page (``GET /``) at 1,000 and 10,000 resources.

    python -m bench.map_page --sizes 1000,10000 --databases sqlite,postgresql

Generated resources are added to a throwaway database, then the page is requested in
process with no filter, so every resource is on the map. Reported per size: the first
request after the directory changed (every match ranked once through ``api.search.overview``;
the median of ``--cold`` such requests, each after a one-row edit, since one is at the
mercy of a busy machine), the median wall time of ``--repeat`` later requests (the search's
candidates and marker rows kept until the directory changes, see ``web/marker_cache.py``),
and the page's bytes uncompressed and gzipped (the app compresses responses). The targets
at 10,000 resources: a first render within 300 ms and at most 300 KB gzipped. The page's
scripts and styles are separate, cacheable files and not counted. ``python -m bench``
calls :func:`measure` for its RESULTS.md.
"""

from __future__ import annotations

import argparse
import gzip
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from litestar.testing import TestClient
from sqlalchemy import func, select, update
from sqlmodel import Session

from api.app import create_app
from api.db.engine import create_database_engine
from api.db.models import Location, Organization, Resource, ResourceLanguage, Support
from api.search import ResourceQuery, place_resources
from api.settings import Settings
from bench.databases import DEFAULT_POSTGRES, throwaway_database

__all__ = ["MapFigure", "measure"]

TARGET_COLD_SECONDS = 0.3
"""The first render after the directory changed, at 10,000 resources."""
TARGET_GZIP_BYTES = 300_000
"""The page as sent (gzipped), at 10,000 resources."""


@dataclass(frozen=True, kw_only=True)
class MapFigure:
    resources: int
    cold_seconds: float
    """The first ``GET /`` after the directory changed (every match ranked once), median of
    the runs measured."""
    seconds: float
    """Median time of one ``GET /`` in process once the marker rows are cached."""
    slowest: float
    search_seconds: float
    """Reading every match as the map does (``api.search.place_resources``), alone."""
    bytes: int
    gzip_bytes: int


METROS = ((32.78, -96.80, 0.25), (29.76, -95.37, 0.3), (30.27, -97.74, 0.15), (29.42, -98.49, 0.2))
"""Centres and spreads (degrees) the points cluster around."""
CATEGORY_MIX = (("meeting_venue", 3), ("legal_aid", 2), ("community_partner", 4), ("consulate", 1))
KINDS = {
    "meeting_venue": "government",
    "legal_aid": "legal_services",
    "community_partner": "nonprofit",
    "consulate": "consulate",
}
LANGUAGE_MIX = (("es", 8), ("en", 6), ("vi", 2), ("zh", 1), ("ar", 1), ("fr", 1))


def load(settings: Settings, size: int) -> None:
    """Add generated resources until the database holds ``size`` of them.

    Rows are inserted as models in bulk (the importer's speed is measured elsewhere), with
    names, addresses, languages and hours of realistic length, points clustered around a
    few metro areas, one organization per five resources.
    """
    engine = create_database_engine(settings.sqlalchemy_url)
    try:
        with Session(engine) as session:
            have = session.scalar(select(func.count()).select_from(Resource)) or 0
            rng = random.Random(size)
            organizations = [
                Organization(name=f"Organization {have + n}", kind=kind)
                for n, kind in enumerate(rng.choice(list(KINDS.values())) for _ in range(size // 5))
            ]
            session.add_all(organizations)
            session.flush()
            for n in range(have, size):
                latitude, longitude, spread = rng.choice(METROS)
                category = rng.choices(*zip(*CATEGORY_MIX, strict=True))[0]
                location = Location(
                    address=f"{rng.randrange(100, 9999)} {rng.choice(('Main', 'Oak', 'Elm'))} St",
                    city="Metro",
                    state="TX",
                    postal_code=f"7{rng.randrange(5000, 9999)}",
                    latitude=round(rng.gauss(latitude, spread), 6),
                    longitude=round(rng.gauss(longitude, spread), 6),
                )
                session.add(location)
                session.flush()
                resource = Resource(
                    category=category,
                    name=f"{rng.choice(('Esperanza', 'Unidos', 'Harbor'))} {category} {n}",
                    organization_id=rng.choice(organizations).id,
                    location_id=location.id,
                    phone=f"(214) 555-{rng.randrange(1000, 9999)}",
                    website=f"https://example.org/{n}",
                    hours=rng.choice(("Mo-Fr 09:00-17:00", "Sa 10:00-14:00", None)),
                    verified_at=datetime(2026, rng.randrange(1, 11), 1, tzinfo=UTC),
                    source_url=f"https://example.org/{n}/source",
                )
                session.add(resource)
                session.flush()
                codes = {rng.choices(*zip(*LANGUAGE_MIX, strict=True))[0] for _ in range(2)}
                session.add_all(
                    ResourceLanguage(resource_id=resource.id, code=code, support=Support.STAFF)
                    for code in codes
                )
            session.commit()
            count = session.scalar(select(func.count()).select_from(Resource))
    finally:
        engine.dispose()
    if count != size:
        raise RuntimeError(f"expected {size} resources after loading, found {count}")


def change_directory(settings: Settings) -> None:
    """Edit one resource (its verified date, to the same value): the directory version moves,
    so the next page ranks every match again."""
    engine = create_database_engine(settings.sqlalchemy_url)
    try:
        with Session(engine) as session:
            first = session.scalar(select(func.min(Resource.id)))
            session.execute(
                update(Resource)
                .where(Resource.id == first)  # type: ignore[arg-type]
                .values(verified_at=Resource.verified_at)
            )
            session.commit()
    finally:
        engine.dispose()


def time_page(settings: Settings, size: int, *, repeat: int, cold: int = 3) -> MapFigure:
    engine = create_database_engine(settings.sqlalchemy_url)
    try:
        started = time.perf_counter()
        with Session(engine) as session:
            found = len(
                place_resources(session, ResourceQuery(), now=datetime.now(UTC), settings=settings)
            )
        search_seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    if found != size:
        raise RuntimeError(f"the search found {found} of {size} resources")
    timings = []
    firsts = []
    with TestClient(create_app(settings)) as client:
        client.get("/").raise_for_status()  # templates and catalogs loaded, not timed
        for _ in range(cold):
            change_directory(settings)
            started = time.perf_counter()
            client.get("/", headers={"Accept-Encoding": "identity"}).raise_for_status()
            firsts.append(time.perf_counter() - started)
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get("/", headers={"Accept-Encoding": "identity"})
            timings.append(time.perf_counter() - started)
            response.raise_for_status()
        body = response.content
    return MapFigure(
        resources=size,
        cold_seconds=statistics.median(firsts),
        seconds=statistics.median(timings),
        slowest=max(timings),
        search_seconds=search_seconds,
        bytes=len(body),
        gzip_bytes=len(gzip.compress(body, compresslevel=6)),
    )


def measure(
    settings: Settings, sizes: Sequence[int] = (1_000, 10_000), *, repeat: int = 5, cold: int = 3
) -> list[MapFigure]:
    """Figures for each size, loading the (empty, migrated) database as it goes."""
    figures = []
    for size in sorted(sizes):
        load(settings, size)
        figures.append(time_page(settings, size, repeat=repeat, cold=cold))
    return figures


def meets_targets(figure: MapFigure) -> bool:
    return figure.cold_seconds <= TARGET_COLD_SECONDS and figure.gzip_bytes <= TARGET_GZIP_BYTES


def table(rows: list[tuple[str, MapFigure]]) -> str:
    lines = [
        "| database | resources | first render | render (median) | slowest | search alone"
        " | bytes | gzip |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for database, f in rows:
        lines.append(
            f"| {database} | {f.resources:,} | {f.cold_seconds * 1000:,.0f} ms"
            f"{'' if f.cold_seconds <= TARGET_COLD_SECONDS else ' (over 300 ms)'}"
            f" | {f.seconds * 1000:,.0f} ms | {f.slowest * 1000:,.0f} ms"
            f" | {f.search_seconds * 1000:,.0f} ms | {f.bytes:,} | {f.gzip_bytes:,}"
            f"{'' if f.gzip_bytes <= TARGET_GZIP_BYTES else ' (over 300 KB)'} |"
        )
    lines.append(
        "Targets at 10,000 resources: first render <= 300 ms, page <= 300 KB gzipped"
        + "".join(
            f"; {database} {'meets them' if meets_targets(f) else '**misses them**'}"
            for database, f in rows
            if f.resources == 10_000
        )
        + "."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.map_page", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--databases", default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cold", type=int, default=3, help="first renders measured per size")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    rows: list[tuple[str, MapFigure]] = []
    with tempfile.TemporaryDirectory(prefix="puente_map_") as tmp:
        for database in [d.strip() for d in args.databases.split(",") if d.strip()]:
            with throwaway_database(
                database, workdir=Path(tmp), postgres_url=args.postgres_url
            ) as settings:
                for figure in measure(settings, sizes, repeat=args.repeat, cold=args.cold):
                    rows.append((database, figure))
                    print(table(rows[-1:]).splitlines()[2], file=sys.stderr, flush=True)
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
