"""What a search asks for: the filters of a resource or event search, already validated.

``api.search.params`` builds these from request parameters; ``api.search`` runs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from api.db.models import Category, EventStatus, ResourceStatus, Support

__all__ = [
    "DEFAULT_PER_PAGE",
    "MAX_PER_PAGE",
    "MAX_RADIUS_KM",
    "BBox",
    "EventQuery",
    "Facet",
    "ResourceQuery",
    "SortKey",
]

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_RADIUS_KM = 200.0

SortKey = Literal["distance", "name", "verified", "updated"]
"""``updated``: the latest change first (ties by the higher id), the order a sync pages in."""
Facet = Literal["language", "category", "area"]


@dataclass(frozen=True)
class BBox:
    """A box in WGS 84 degrees, as GeoJSON writes one: west, south, east, north."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def holds(self, latitude: float, longitude: float) -> bool:
        return (
            self.min_lat <= latitude <= self.max_lat and self.min_lon <= longitude <= self.max_lon
        )


@dataclass(frozen=True, kw_only=True)
class ResourceQuery:
    categories: tuple[Category, ...] = ()
    """Any of these categories (all when empty)."""
    languages: tuple[str, ...] = ()
    """Canonical language codes; a resource offering any of them matches."""
    language_support: tuple[Support, ...] = ()
    """How a language must be offered (any way when empty)."""
    areas: tuple[tuple[str, str], ...] = ()
    """``(kind, code)`` pairs; a resource in any of them matches."""
    near: tuple[float, float] | None = None
    """``(latitude, longitude)`` to measure from."""
    radius_km: float | None = None
    """Only resources this close to ``near``; no cap when ``None``."""
    q: str | None = None
    """Words that must all appear (as prefixes) in the resource's text; none: no filter."""
    open_now: bool = False
    """Only resources whose weekly hours say they are open at ``now``."""
    verified_within_days: int | None = None
    bbox: BBox | None = None
    """Only resources shown inside this box (a confidential place at its public point)."""
    updated_since: datetime | None = None
    """Only listings changed at or after this moment (``api.search.changes``)."""
    include_retired: bool = False
    """Retired listings too, as tombstones (they match whatever the other filters)."""
    statuses: tuple[ResourceStatus, ...] = (ResourceStatus.ACTIVE,)
    sort: SortKey | None = None
    """``None``: by distance when ``near`` is given, else by the latest change when syncing
    (``updated_since`` or ``include_retired``), else by name."""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def order(self) -> SortKey:
        if self.sort is not None:
            return self.sort
        if self.near is not None:
            return "distance"
        syncing = self.updated_since is not None or self.include_retired
        return "updated" if syncing else "name"

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True, kw_only=True)
class EventQuery:
    """Events that have not ended by ``starts_from`` (now when ``None``) and start before
    ``starts_to``, soonest first. The venue filters apply to the event's location: an
    event matches a language it lists itself or one a resource at its venue offers, and a
    category of a resource at its venue."""

    starts_from: datetime | None = None
    starts_to: datetime | None = None
    statuses: tuple[EventStatus, ...] = tuple(EventStatus)
    categories: tuple[Category, ...] = ()
    languages: tuple[str, ...] = ()
    areas: tuple[tuple[str, str], ...] = ()
    near: tuple[float, float] | None = None
    radius_km: float | None = None
    updated_since: datetime | None = None
    """Only events changed at or after this moment; they then come latest change first."""
    include_retired: bool = False
    """Retired events too, as tombstones (they match whatever the other filters)."""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def syncing(self) -> bool:
        return self.updated_since is not None or self.include_retired
