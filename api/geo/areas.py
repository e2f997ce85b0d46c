"""Areas (council districts, ZIP codes, ...) as polygons, and the locations inside them.

An area's polygon is kept as GeoJSON text with its bounding box and a centre point in plain
columns. Finding the areas that contain a point is two steps: the bounding boxes narrow the
candidates in SQL, then shapely decides with the exact polygon, prepared once per area
version and kept in memory by the app's :class:`AreaPolygons` (a bounded
``cachetools.LRUCache``, reached through the database session's ``info``; a session without
one parses what it needs each time).

A point exactly on an area's edge counts as inside (``covers``), so a location on a
boundary street is tagged with the areas on both sides rather than with neither.

Tagging many locations at once (an import, a reload of the areas) goes through an
:class:`AreaLookup`: every area's polygon in one STRtree, asked the same question.

Locations keep their areas in ``LocationArea``. ZIP polygons from the Census are simplified
and drawn for statistics, not mail, so when a location's postal code names a loaded ``zip``
area, that area is its ZIP tag and the polygons' opinion on ZIPs is set aside.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import shapely  # type: ignore[import-untyped]
import shapely.errors  # type: ignore[import-untyped]
from cachetools import LRUCache
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape  # type: ignore[import-untyped]
from shapely.geometry.base import BaseGeometry  # type: ignore[import-untyped]
from shapely.validation import explain_validity  # type: ignore[import-untyped]
from sqlalchemy import delete, insert, tuple_
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from api.db.models import Area, Location, LocationArea, utcnow

__all__ = [
    "POLYGONS_INFO_KEY",
    "ZIP_KIND",
    "AreaLookup",
    "AreaPolygons",
    "areas_containing",
    "parse_area_geometry",
    "retag_locations",
    "tag_location",
    "upsert_area",
]

ZIP_KIND = "zip"
POLYGONS_INFO_KEY = "puente.area_polygons"
"""Where a database session's ``info`` holds the app's :class:`AreaPolygons`."""
_BATCH = 500

Outcome = Literal["created", "updated", "unchanged"]


def parse_area_geometry(geometry: dict[str, Any]) -> Polygon | MultiPolygon:
    """A valid, two-dimensional Polygon or MultiPolygon from a GeoJSON geometry.

    Raises ``ValueError`` saying what is wrong. Invalid polygons are refused rather than
    repaired: ``make_valid`` can turn a polygon into a different shape or a collection of
    lines, which would silently change who lives in the area.
    """
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise ValueError("geometry is not a GeoJSON geometry object (no 'type')")
    if geometry["type"] not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"geometry is a {geometry['type']}; expected Polygon or MultiPolygon")
    try:
        parsed = shape(geometry)
    except (ValueError, TypeError, KeyError, IndexError, shapely.errors.ShapelyError) as error:
        raise ValueError(f"geometry has unreadable coordinates: {error}") from None
    if parsed.is_empty:
        raise ValueError("geometry is empty")
    if parsed.has_z:
        parsed = shapely.force_2d(parsed)
    min_lon, min_lat, max_lon, max_lat = parsed.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValueError(
            "geometry has coordinates outside longitude -180..180 / latitude -90..90 "
            "(GeoJSON puts longitude first)"
        )
    if not parsed.is_valid:
        raise ValueError(f"geometry is not a valid polygon: {explain_validity(parsed)}")
    assert isinstance(parsed, Polygon | MultiPolygon)
    return parsed


def upsert_area(
    session: Session,
    *,
    kind: str,
    code: str,
    name: str,
    geometry: dict[str, Any],
    note: str | None = None,
    source_url: str | None = None,
) -> tuple[Area, Outcome]:
    """Create or update the area ``kind:code``; raises ``ValueError`` for bad values.

    Locations are not re-tagged here: call :func:`retag_locations` once the areas are loaded.
    """
    _check_text("kind", kind, 40)
    if kind != kind.lower():
        raise ValueError(f"kind {kind!r}: expected lowercase, such as 'council_district'")
    _check_text("code", code, 40)
    _check_text("name", name, 200)
    if note is not None:
        _check_text("note", note, 500)
    polygon = parse_area_geometry(geometry)
    values: dict[str, Any] = {
        "name": name,
        "note": note,
        "source_url": source_url,
        "geometry": json.dumps(mapping(polygon), separators=(",", ":")),
        **_bbox_and_center(polygon),
    }
    area = session.exec(select(Area).where(Area.kind == kind, Area.code == code)).first()
    if area is None:
        area = Area(kind=kind, code=code, **values)
        session.add(area)
        session.flush()
        return area, "created"
    if all(getattr(area, field) == value for field, value in values.items()):
        return area, "unchanged"
    for field, value in values.items():
        setattr(area, field, value)
    area.updated_at = utcnow()
    session.add(area)
    session.flush()
    return area, "updated"


def areas_containing(session: Session, latitude: float, longitude: float) -> list[Area]:
    """Every area whose polygon covers the point, ordered by kind and code."""
    candidates = session.exec(
        select(Area.id, Area.updated_at).where(
            Area.min_latitude <= latitude,
            Area.max_latitude >= latitude,
            Area.min_longitude <= longitude,
            Area.max_longitude >= longitude,
        )
    ).all()
    if not candidates:
        return []
    polygons = _polygons(session, [(area_id, updated) for area_id, updated in candidates])
    point = Point(longitude, latitude)
    inside = [area_id for area_id, polygon in polygons.items() if polygon.covers(point)]
    if not inside:
        return []
    return list(
        session.exec(
            select(Area)
            .where(col(Area.id).in_(inside))
            .options(defer(Area.geometry))  # type: ignore[arg-type]
            .order_by(col(Area.kind), col(Area.code))
        ).all()
    )


def tag_location(session: Session, location: Location) -> list[Area]:
    """Replace a location's area tags with the areas it lies in; returns them by kind, code."""
    if location.id is None:
        session.add(location)
        session.flush()
    assert location.id is not None
    areas = _areas_for(session, location)
    _replace_tags(session, location.id, {area.id for area in areas if area.id is not None})
    return areas


def retag_locations(
    session: Session,
    location_ids: Iterable[int] | None = None,
    *,
    lookup: AreaLookup | None = None,
) -> int:
    """Re-tag the given locations (all when ``None``); returns how many changed tags.

    ``lookup`` is the areas as they are now; it is loaded when not given.
    """
    if location_ids is None:
        ids = [
            i
            for i in session.exec(select(Location.id).order_by(col(Location.id))).all()
            if i is not None
        ]
    else:
        ids = sorted(set(location_ids))
    if not ids:
        return 0
    if lookup is None:
        lookup = AreaLookup.load(session)
    changed = 0
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        rows = session.exec(
            select(Location.id, Location.latitude, Location.longitude, Location.postal_code)
            .where(col(Location.id).in_(batch))
            .order_by(col(Location.id))
        ).all()
        wanted = lookup.area_ids([(lat, lon, postal_code) for _, lat, lon, postal_code in rows])
        current: dict[int, set[int]] = {}
        for tagged, area_id in session.exec(
            select(LocationArea.location_id, LocationArea.area_id).where(
                col(LocationArea.location_id).in_(batch)
            )
        ).all():
            current.setdefault(tagged, set()).add(area_id)
        gone: list[tuple[int, int]] = []
        added: list[dict[str, int]] = []
        for (location_id, *_), areas in zip(rows, wanted, strict=True):
            assert location_id is not None
            had = current.get(location_id, set())
            if had == areas:
                continue
            changed += 1
            gone.extend((location_id, area_id) for area_id in had - areas)
            added.extend(
                {"location_id": location_id, "area_id": area_id} for area_id in sorted(areas - had)
            )
        if gone:
            session.execute(
                delete(LocationArea).where(
                    tuple_(col(LocationArea.location_id), col(LocationArea.area_id)).in_(gone)
                )
            )
        if added:
            session.execute(insert(LocationArea), added)
    return changed


class AreaLookup:
    """Every area in memory, to tag many locations without a query for each.

    It answers as :func:`tag_location` does: the areas whose polygon covers the point, with
    the ``zip`` area its postal code names in place of the ZIP polygons' answer.
    """

    def __init__(self, *, areas: Sequence[tuple[int, str, str, BaseGeometry]]) -> None:
        """``areas`` are (id, kind, code, polygon)."""
        self._ids = [area_id for area_id, _, _, _ in areas]
        self._zip_ids = {area_id for area_id, kind, _, _ in areas if kind == ZIP_KIND}
        self._zip_by_code = {code: area_id for area_id, kind, code, _ in areas if kind == ZIP_KIND}
        self._tree = shapely.STRtree([polygon for _, _, _, polygon in areas])

    @classmethod
    def load(cls, session: Session) -> AreaLookup:
        rows = session.exec(
            select(Area.id, Area.kind, Area.code, Area.updated_at).order_by(col(Area.id))
        ).all()
        polygons = _polygons(session, [(area_id, updated) for area_id, _, _, updated in rows])
        return cls(
            areas=[
                (area_id, kind, code, polygons[area_id])
                for area_id, kind, code, _ in rows
                if area_id is not None
            ]
        )

    def __bool__(self) -> bool:
        return bool(self._ids)

    def area_ids(self, points: Sequence[tuple[float, float, str | None]]) -> list[set[int]]:
        """The ids of the areas each (latitude, longitude, postal_code) lies in."""
        found: list[set[int]] = [set() for _ in points]
        if not self._ids or not points:
            return found
        geometries = shapely.points([(longitude, latitude) for latitude, longitude, _ in points])
        inputs, hits = self._tree.query(geometries, predicate="covered_by")
        for index, hit in zip(inputs.tolist(), hits.tolist(), strict=True):
            found[index].add(self._ids[hit])
        if self._zip_by_code:
            for index, (_, _, postal_code) in enumerate(points):
                code = _zip5(postal_code)
                by_code = self._zip_by_code.get(code) if code is not None else None
                if by_code is not None:
                    found[index] = (found[index] - self._zip_ids) | {by_code}
        return found


# --- internals -----------------------------------------------------------------------------


def _check_text(field: str, value: str, max_length: int) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field} is empty")
    if len(value) > max_length:
        raise ValueError(f"{field} is {len(value)} characters long; expected at most {max_length}")


def _bbox_and_center(polygon: BaseGeometry) -> dict[str, float]:
    min_lon, min_lat, max_lon, max_lat = polygon.bounds
    center = polygon.centroid
    if not polygon.covers(center):  # a crescent or a ring: its centroid lies outside
        center = polygon.representative_point()
    return {
        "min_latitude": min_lat,
        "min_longitude": min_lon,
        "max_latitude": max_lat,
        "max_longitude": max_lon,
        "center_latitude": center.y,
        "center_longitude": center.x,
    }


def _areas_for(session: Session, location: Location) -> list[Area]:
    areas = areas_containing(session, location.latitude, location.longitude)
    code = _zip5(location.postal_code)
    if code is None:
        return areas
    by_postal_code = session.exec(
        select(Area).where(Area.kind == ZIP_KIND, Area.code == code).options(defer(Area.geometry))  # type: ignore[arg-type]
    ).first()
    if by_postal_code is None:
        return areas
    others = [area for area in areas if area.kind != ZIP_KIND]
    return sorted([*others, by_postal_code], key=lambda area: (area.kind, area.code))


def _zip5(postal_code: str | None) -> str | None:
    text = (postal_code or "").strip()
    head = text[:5]
    if len(head) == 5 and head.isdigit() and (len(text) == 5 or text[5] == "-"):
        return head
    return None


def _replace_tags(session: Session, location_id: int, wanted: set[int]) -> int:
    """Make the location's tags exactly ``wanted``; 1 when anything changed, else 0."""
    current = set(
        session.exec(
            select(LocationArea.area_id).where(LocationArea.location_id == location_id)
        ).all()
    )
    if current == wanted:
        return 0
    if gone := current - wanted:
        session.execute(
            delete(LocationArea).where(
                col(LocationArea.location_id) == location_id, col(LocationArea.area_id).in_(gone)
            )
        )
    for area_id in sorted(wanted - current):
        session.add(LocationArea(location_id=location_id, area_id=area_id))
    session.flush()
    return 1


class AreaPolygons:
    """Prepared area polygons, keyed by database, area and version; at most ``size`` kept,
    the least recently used dropped first."""

    def __init__(self, *, size: int = 4096) -> None:
        self._polygons: LRUCache[tuple[Any, ...], BaseGeometry] = LRUCache(maxsize=size)
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> BaseGeometry | None:
        with self._lock:
            return self._polygons.get(key)

    def put(self, key: tuple[Any, ...], polygon: BaseGeometry) -> None:
        with self._lock:
            self._polygons[key] = polygon

    def __len__(self) -> int:
        return len(self._polygons)


def _polygons(session: Session, candidates: Sequence[tuple[Any, Any]]) -> dict[int, BaseGeometry]:
    """Prepared polygons by area id, parsed once per database, area and version."""
    kept = session.info.get(POLYGONS_INFO_KEY)
    cache = kept if isinstance(kept, AreaPolygons) else None
    database = str(session.get_bind().engine.url)
    keys = {area_id: (database, area_id, updated) for area_id, updated in candidates}
    found: dict[int, BaseGeometry] = {}
    for area_id, key in keys.items():
        if cache is not None and (polygon := cache.get(key)) is not None:
            found[area_id] = polygon
    missing = [area_id for area_id in keys if area_id not in found]
    if missing:
        rows = session.exec(select(Area.id, Area.geometry).where(col(Area.id).in_(missing)))
        for area_id, text in rows.all():
            assert area_id is not None
            polygon = shape(json.loads(text))
            shapely.prepare(polygon)
            found[area_id] = polygon
            if cache is not None:
                cache.put(keys[area_id], polygon)
    return found
