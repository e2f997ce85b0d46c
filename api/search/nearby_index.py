"""Nearby search ranked from memory: every live resource's public point, by language.

The common search — a point, a radius, a language or a category, ranked by distance with an
exact total — is answered from arrays each process keeps per database, rather than by
reading every candidate row through SQL: at a million listings a dense 5 km circle holds
thousands of matches, and counting and ranking them row by row costs more than the rest of
the answer. Only the page of hits is then read from the database (``api.search.results``).

The arrays are the directory as committed at one directory version (``api.db.version``): a
search uses them only when its own session reads that same version, so a change of any
kind (an edit, an import, plain SQL, another process) makes them stale at once. The first
search to notice builds them again on a connection of its own (committed rows only) while
the others take the SQL path meanwhile; a search whose filters the arrays do not hold
(text, areas, a box, opening hours, how a language is offered, syncs) takes the SQL path
too.

Distances are those of ``api.geo.distance``: numpy narrows and orders, and every distance
that decides — a hit shown, or a match within a hair of the radius — is measured again with
``distances_from``, so answers equal the scan of every row that ``api.search.ranking``
promises.
"""

from __future__ import annotations

import logging
import math
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from api.db.version import VERSION_QUERY
from api.geo.distance import EARTH_RADIUS_KM, bounding_box, distances_from
from api.search.conditions import language_key
from api.search.query import ResourceQuery
from api.search.results import Hit, KnownAreas, public_point

__all__ = [
    "NearbyIndex",
    "arrays_built",
    "build",
    "build_in_background",
    "nearby_index",
    "serves",
]

logger = logging.getLogger("puente.search")

CELL_DEGREES = 0.1
"""The grid the entries are sorted by: about 11 km of latitude per cell."""
_LAT_CELLS = round(180 / CELL_DEGREES) + 1
_LON_CELLS = round(360 / CELL_DEGREES) + 1
_CELL_BITS = 23
"""Cells per language key: ``_LAT_CELLS * _LON_CELLS`` (6.5 million) fits in 2**23."""
ANY_LANGUAGE = 0
"""The key under which every resource is entered (``language_key`` is never 0)."""
SLACK_KM = 1e-6
"""Distances numpy puts within this of a bound are measured again with ``math``: the two
differ by far less (last-place rounding), so no decision rests on numpy's own."""

_RESOURCES = (
    "SELECT resource.id, resource.category, resource.status, location.id,"
    " location.latitude, location.longitude, location.confidential"
    " FROM resource JOIN location ON location.id = resource.location_id"
    " WHERE resource.retired_at IS NULL AND location.retired_at IS NULL"
    " ORDER BY resource.id"
)
_LANGUAGES = "SELECT resource_id, code FROM resource_language"


def serves(query: ResourceQuery) -> bool:
    """Whether the arrays hold every filter of ``query``."""
    return (
        query.near is not None
        and query.radius_km is not None
        and query.order == "distance"
        and not query.open_now
        and not query.include_retired
        and not query.language_support
        and not query.areas
        and query.q is None
        and query.bbox is None
        and query.verified_within_days is None
        and query.updated_since is None
        and all(language_key(code) is not None for code in query.languages)
    )


@dataclass(frozen=True, eq=False)
class NearbyIndex:
    """The live resources at one directory version: one row each (by id) and one entry per
    language offered, plus one under ``ANY_LANGUAGE``, sorted by language and grid cell."""

    version: int
    ids: NDArray[np.int64]
    latitudes: NDArray[np.float64]
    """Public points: a confidential location at its area's centre."""
    longitudes: NDArray[np.float64]
    categories: NDArray[np.int16]
    statuses: NDArray[np.int16]
    codes: dict[str, int]
    """Category and status values as the small numbers the two arrays above hold."""
    keys: NDArray[np.int64]
    """Sorted: ``language key << _CELL_BITS | cell`` of each entry."""
    rows: NDArray[np.int64]
    """The resource row of each entry."""

    def rank(self, query: ResourceQuery, window: tuple[int, int] | None) -> tuple[list[Hit], int]:
        """The hits of ``query`` in ``window`` (offset, limit; all when ``None``), ranked by
        distance then id, and the total; ``query`` must be one the arrays ``serves``."""
        assert query.near is not None and query.radius_km is not None
        latitude, longitude = query.near
        radius = query.radius_km
        rows = self._candidates(query)
        distances = self._distances(latitude, longitude, rows)
        exact = distances_from(latitude, longitude)
        near_edge = np.flatnonzero(np.abs(distances - radius) <= SLACK_KM)
        inside = distances < radius
        for at in near_edge:
            row = rows[at]
            inside[at] = exact(self.latitudes[row], self.longitudes[row]) <= radius
        rows, distances = rows[inside], distances[inside]
        total = len(rows)
        wanted = total if window is None else min(total, window[0] + window[1])
        if wanted == 0:
            return [], total
        if wanted < total:  # only the nearest few need their exact distance and order
            kth = np.partition(distances, wanted - 1)[wanted - 1]
            rows = rows[distances <= kth + SLACK_KM]
        hits = sorted(
            (
                Hit(int(self.ids[row]), exact(self.latitudes[row], self.longitudes[row]))
                for row in rows.tolist()
            ),
            key=lambda hit: (hit.distance_km, hit.id),
        )
        start = 0 if window is None else window[0]
        return hits[start:wanted], total

    def _candidates(self, query: ResourceQuery) -> NDArray[np.int64]:
        """The rows entered in the cells the query's box touches, under its languages, with
        its statuses and categories."""
        assert query.near is not None and query.radius_km is not None
        box = bounding_box(*query.near, query.radius_km)
        lat_cells = np.arange(_lat_cell(box.min_lat), _lat_cell(box.max_lat) + 1, dtype=np.int64)
        low = lat_cells * _LON_CELLS + _lon_cell(box.min_lon)
        high = lat_cells * _LON_CELLS + _lon_cell(box.max_lon)
        keys = [language_key(code) for code in query.languages] or [ANY_LANGUAGE]
        pieces: list[NDArray[np.int64]] = []
        for key in keys:
            assert key is not None
            base = np.int64(key) << _CELL_BITS
            starts = np.searchsorted(self.keys, base + low, side="left")
            ends = np.searchsorted(self.keys, base + high, side="right")
            pieces.extend(self.rows[s:e] for s, e in zip(starts, ends, strict=True) if e > s)
        if not pieces:
            return np.empty(0, dtype=np.int64)
        rows = np.concatenate(pieces)
        if len(keys) > 1:  # a resource offering two of the languages is entered twice
            rows = np.unique(rows)
        keep = np.isin(self.statuses[rows], self._codes_of(s.value for s in query.statuses))
        if query.categories:
            keep &= np.isin(
                self.categories[rows], self._codes_of(c.value for c in query.categories)
            )
        return rows[keep]

    def _codes_of(self, values: Any) -> list[int]:
        return [self.codes[value] for value in values if value in self.codes]

    def _distances(
        self, latitude: float, longitude: float, rows: NDArray[np.int64]
    ) -> NDArray[np.float64]:
        """The haversine of ``api.geo.distance``, for many rows at once."""
        phi1 = math.radians(latitude)
        phi2 = np.radians(self.latitudes[rows])
        d_lambda = np.radians(self.longitudes[rows] - longitude)
        h = (
            np.sin((phi2 - phi1) / 2) ** 2
            + math.cos(phi1) * np.cos(phi2) * np.sin(d_lambda / 2) ** 2
        )
        distances: NDArray[np.float64] = (
            2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
        )
        return distances


def _lat_cell(latitude: float | NDArray[np.float64]) -> Any:
    return np.clip(np.floor((np.asarray(latitude) + 90) / CELL_DEGREES), 0, _LAT_CELLS - 1).astype(
        np.int64
    )


def _lon_cell(longitude: float | NDArray[np.float64]) -> Any:
    return np.clip(
        np.floor((np.asarray(longitude) + 180) / CELL_DEGREES), 0, _LON_CELLS - 1
    ).astype(np.int64)


def build(connection: Connection, version: int) -> NearbyIndex:
    """The arrays of the directory ``connection`` reads, labelled ``version``."""
    resources = _read(connection, _RESOURCES)
    codes: dict[str, int] = {}
    ids = np.fromiter((row[0] for row in resources), dtype=np.int64, count=len(resources))
    categories = np.fromiter(
        (codes.setdefault(row[1], len(codes)) for row in resources), np.int16, len(resources)
    )
    statuses = np.fromiter(
        (codes.setdefault(row[2], len(codes)) for row in resources), np.int16, len(resources)
    )
    latitudes, longitudes = _public_points(connection, resources)
    cells = _lat_cell(latitudes) * _LON_CELLS + _lon_cell(longitudes)
    spoken = _read(connection, _LANGUAGES)
    known_keys = {code: language_key(code) for code in {row[1] for row in spoken}}
    spoken_ids = np.fromiter((row[0] for row in spoken), np.int64, len(spoken))
    language_rows = np.minimum(np.searchsorted(ids, spoken_ids), max(len(ids) - 1, 0))
    language_keys = np.fromiter((known_keys[row[1]] or -1 for row in spoken), np.int64, len(spoken))
    # Languages of retired resources (no row) and codes the keys cannot hold are left out.
    entered = language_keys >= 0
    entered &= ids[language_rows] == spoken_ids if len(ids) else False
    language_rows, language_keys = language_rows[entered], language_keys[entered]
    every = np.arange(len(ids), dtype=np.int64)
    rows = np.concatenate([every, language_rows])
    keys = np.concatenate(
        [cells, (language_keys << _CELL_BITS) + cells[language_rows]]
    )  # ANY_LANGUAGE is 0: the first part's keys are the cells alone
    order = np.argsort(keys, kind="stable")
    return NearbyIndex(
        version=version,
        ids=ids,
        latitudes=latitudes,
        longitudes=longitudes,
        categories=categories,
        statuses=statuses,
        codes=codes,
        keys=keys[order],
        rows=rows[order],
    )


def _read(connection: Connection, sql: str) -> list[Any]:
    """Every row of ``sql`` as the driver gives it: a million rows read through SQLAlchemy's
    result objects cost more than the query."""
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _public_points(
    connection: Connection, resources: Sequence[Any]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    latitudes = np.fromiter((row[4] for row in resources), np.float64, len(resources))
    longitudes = np.fromiter((row[5] for row in resources), np.float64, len(resources))
    secret = [(at, row) for at, row in enumerate(resources) if row[6]]
    if secret:
        known = KnownAreas(session=Session(bind=connection)).of(row[3] for _, row in secret)
        for at, row in secret:
            latitudes[at], longitudes[at] = public_point(row[4], row[5], True, known[row[3]])
    return latitudes, longitudes


class _Kept:
    """One database's arrays, and the lock the search rebuilding them holds."""

    def __init__(self) -> None:
        self.index: NearbyIndex | None = None
        self.building = threading.Lock()


_KEPT: weakref.WeakKeyDictionary[Engine, _Kept] = weakref.WeakKeyDictionary()
_KEPT_LOCK = threading.Lock()


def nearby_index(session: Session) -> NearbyIndex | None:
    """The arrays at the directory version ``session`` reads, built if they are older;
    ``None`` when another search is building them or the session reads an older version
    (or uncommitted changes): the SQL path answers then."""
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    if not isinstance(engine, Engine):
        return None
    kept = _kept(engine)
    version = int(session.execute(VERSION_QUERY).scalar_one())
    index = kept.index
    if index is not None and index.version == version:
        return index
    if index is not None and index.version > version and not _went_back(engine, index):
        return None  # an older snapshot than the arrays'
    built = _rebuild(engine, kept)
    return built if built is not None and built.version == version else None


def build_in_background(engine: Engine) -> None:
    """Build the arrays of ``engine``'s database in a thread of its own, so the first
    searches of a server just started find them ready (it answers by SQL meanwhile)."""

    def run() -> None:
        try:
            _rebuild(engine, _kept(engine))
        except SQLAlchemyError as error:  # no directory yet: the first search tries again
            logger.warning("nearby arrays not built at start: %s", type(error).__name__)

    threading.Thread(target=run, name="puente-nearby-arrays", daemon=True).start()


def arrays_built(engine: Engine) -> bool:
    """Whether the arrays of ``engine``'s database have been built in this process (at any
    version): until then every nearby search takes the slower SQL path."""
    with _KEPT_LOCK:
        kept = _KEPT.get(engine)
    return kept is not None and kept.index is not None


def _kept(engine: Engine) -> _Kept:
    with _KEPT_LOCK:
        return _KEPT.setdefault(engine, _Kept())


def _rebuild(engine: Engine, kept: _Kept) -> NearbyIndex | None:
    """The arrays of the committed directory, kept for the next searches; ``None`` when
    another thread is building them or a change landed while they were read."""
    if not kept.building.acquire(blocking=False):
        return None
    try:
        with engine.connect() as connection:
            committed = int(connection.execute(VERSION_QUERY).scalar_one())
            built = build(connection, committed)
            # Under READ COMMITTED each statement may see a later commit: keep the arrays
            # only when no change landed while they were read.
            if int(connection.execute(VERSION_QUERY).scalar_one()) != committed:
                return None
        kept.index = built
        return built
    finally:
        kept.building.release()


def _went_back(engine: Engine, index: NearbyIndex) -> bool:
    """Whether the committed version is below the arrays' (the database was restored or
    made anew under a running server): they describe another directory then."""
    with engine.connect() as connection:
        return int(connection.execute(VERSION_QUERY).scalar_one()) < index.version
