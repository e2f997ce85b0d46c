"""In-process nearby search (near + 5 km + one language, 20 results) beside a brute-force
scan over the same rows: every row offering the language read from the table, its
great-circle distance computed, the closest 20 kept. Both answers are compared, so a fast
but wrong index shows up as mismatches rather than as a good figure."""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from api.db.engine import create_database_engine
from api.geo.distance import great_circle_km
from api.settings import Settings
from bench.generate import LANGUAGES, random_points

__all__ = ["RADIUS_KM", "SearchFigure", "measure", "query_languages"]

RADIUS_KM = 5.0
PER_PAGE = 20
NOW = datetime(2026, 11, 25, 18, tzinfo=UTC)
BRUTE_ROWS = text(
    "SELECT r.id, l.latitude, l.longitude FROM resource AS r"
    " JOIN location AS l ON l.id = r.location_id"
    " JOIN resource_language AS rl ON rl.resource_id = r.id AND rl.code = :code"
    " WHERE r.status = 'active' AND r.retired_at IS NULL"
)


@dataclass(frozen=True, kw_only=True)
class SearchFigure:
    queries: int
    p50_ms: float
    p99_ms: float
    brute_queries: int
    brute_p50_ms: float
    brute_p99_ms: float
    mean_matches: float
    """Average ``total`` (matches within the radius) per query."""
    mismatches: int
    """Queries whose 20 results differ from the brute-force answer."""

    @property
    def speedup(self) -> float:
        return self.brute_p99_ms / self.p99_ms if self.p99_ms else 0.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def query_languages(count: int, *, seed: int) -> list[str]:
    """The language asked for: drawn by share among the languages other than English."""
    rng = random.Random(seed)
    codes = [(code, share) for code, share in LANGUAGES if code != "en"]
    return rng.choices([c for c, _ in codes], weights=[s for _, s in codes], k=count)


def brute_force(engine: Engine, point: tuple[float, float], code: str) -> tuple[list[int], int]:
    with engine.connect() as connection:
        rows = connection.execute(BRUTE_ROWS, {"code": code}).all()
    hits = sorted((great_circle_km(point[0], point[1], lat, lon), id_) for id_, lat, lon in rows)
    within = [id_ for distance, id_ in hits if distance <= RADIUS_KM]
    return within[:PER_PAGE], len(within)


def measure(
    settings: Settings, *, queries: int, brute_queries: int, seed: int = 11
) -> SearchFigure:
    from api.search import ResourceQuery, search_resources

    engine = create_database_engine(settings.sqlalchemy_url)
    points = random_points(queries, seed=seed)
    languages = query_languages(queries, seed=seed)
    timings: list[float] = []
    totals: list[int] = []
    answers: list[list[int]] = []
    try:
        for warm in range(min(20, queries)):  # connections, statement caches
            with Session(engine) as session:
                search_resources(
                    session,
                    ResourceQuery(near=points[warm], radius_km=RADIUS_KM, languages=("es",)),
                    now=NOW,
                    settings=settings,
                )
        for point, code in zip(points, languages, strict=True):
            query = ResourceQuery(
                near=point, radius_km=RADIUS_KM, languages=(code,), per_page=PER_PAGE
            )
            with Session(engine) as session:
                started = time.perf_counter()
                page = search_resources(session, query, now=NOW, settings=settings)
                timings.append((time.perf_counter() - started) * 1000)
            totals.append(page.total)
            answers.append([item.id for item in page.items])
        brute: list[float] = []
        mismatches = 0
        for index in range(min(brute_queries, queries)):
            started = time.perf_counter()
            ids, total = brute_force(engine, points[index], languages[index])
            brute.append((time.perf_counter() - started) * 1000)
            if ids != answers[index] or total != totals[index]:
                mismatches += 1
    finally:
        engine.dispose()
    return SearchFigure(
        queries=len(timings),
        p50_ms=percentile(timings, 0.50),
        p99_ms=percentile(timings, 0.99),
        brute_queries=len(brute),
        brute_p50_ms=percentile(brute, 0.50),
        brute_p99_ms=percentile(brute, 0.99),
        mean_matches=statistics.fmean(totals),
        mismatches=mismatches,
    )
