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
    "EventQuery",
    "Facet",
    "ResourceQuery",
    "SortKey",
]

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_RADIUS_KM = 200.0

SortKey = Literal["distance", "name", "verified"]
Facet = Literal["language", "category", "area"]


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
    statuses: tuple[ResourceStatus, ...] = (ResourceStatus.ACTIVE,)
    sort: SortKey | None = None
    """``None``: by distance when ``near`` is given, else by name."""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def order(self) -> SortKey:
        return self.sort or ("distance" if self.near is not None else "name")

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
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
