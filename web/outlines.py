"""Area outlines for the map: council districts, ZIP codes, ... simplified for the browser.

Outlines are drawn at city scale, so each polygon is simplified (about 50 m) and its
coordinates rounded, which keeps a city's ZIP codes to a few tens of kilobytes. A simplified
polygon is kept in memory, keyed by a digest of the stored geometry, so a reloaded area is
simplified again and an unchanged one never is.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shapely import geometry as shapes  # type: ignore[import-untyped]
from shapely import set_precision
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db.models import Area

__all__ = ["AreaOutline", "load_outlines", "short_note", "simplify_geometry"]

TOLERANCE_DEGREES = 0.0005
"""Simplification tolerance, about 50 m at mid latitudes."""

GRID_DEGREES = 0.00001
"""Coordinates are rounded to this grid (about 1 m)."""

_cache: dict[str, dict[str, Any]] = {}


@dataclass(frozen=True, kw_only=True)
class AreaOutline:
    kind: str
    code: str
    name: str
    note: str | None
    geometry: dict[str, Any]
    """A GeoJSON geometry, simplified."""


def short_note(note: str | None, *, limit: int = 40) -> str | None:
    """The first clause of an area's note, for a menu or a layer name (``2011 plan``).

    The full note stays on each outline's tooltip.
    """
    if not note:
        return None
    clause = re.split(r" \(|[:;,]|\. ", note.strip(), maxsplit=1)[0].strip()
    if len(clause) > limit:
        clause = clause[:limit].rsplit(" ", 1)[0] + "…"
    return clause or None


def simplify_geometry(geometry: dict[str, Any]) -> dict[str, Any]:
    shape = shapes.shape(geometry)
    simplified = shape.simplify(TOLERANCE_DEGREES, preserve_topology=True)
    if simplified.is_empty:
        simplified = shape
    mapped: dict[str, Any] = shapes.mapping(set_precision(simplified, GRID_DEGREES))
    return mapped


def load_outlines(session: Session) -> list[AreaOutline]:
    """Every area, by kind then code, with its simplified outline."""
    rows: Sequence[Area] = session.scalars(select(Area).order_by(Area.kind, Area.code)).all()
    outlines = []
    for area in rows:
        key = hashlib.sha256(area.geometry.encode()).hexdigest()
        if key not in _cache:
            _cache[key] = simplify_geometry(json.loads(area.geometry))
        outlines.append(
            AreaOutline(
                kind=area.kind,
                code=area.code,
                name=area.name,
                note=area.note,
                geometry=_cache[key],
            )
        )
    return outlines
