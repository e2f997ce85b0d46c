"""One search for a whole map page: the page of results, the facet counts and the map's
points, all from the same ranked candidates.

A page shows what choosing each language, category or area would give, so its facets
need the matches of three wider searches (each leaving out its own filter). Instead of
ranking four times, :func:`gather` ranks once with those three filters left out and reads,
for each candidate, its category, languages and areas; :func:`overview` then filters
the candidates in Python. The ranking order is total (distance or name, then id), so the
filtered candidates are in exactly the order, with exactly the distances, that ranking the
narrower search itself would give. Candidates gathered with a wider radius (or none) also
answer a search within a smaller one, which is how the "wider search" hints are counted.

Candidates hold plain data only, so a caller may keep them for as long as the directory
does not change (``api.db.version``), unless the search moves with the clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import chain

from sqlalchemy.orm import Session

from api.directory.languages import language_name
from api.directory.schemas import FacetCount, Page, ResourcePublic
from api.search.facets import sorted_facets
from api.search.query import Facet, ResourceQuery
from api.search.ranking import rank
from api.search.results import (
    AreaRow,
    Hit,
    KnownAreas,
    Placed,
    offered_languages,
    place_at_locations,
    publish_resources,
)
from api.settings import Settings

__all__ = ["Candidates", "Overview", "gather", "moves_with_clock", "overview", "widest_search"]

_RESOURCE_PAGE = Page[ResourcePublic]
_FACETS: tuple[Facet, ...] = ("language", "category", "area")


@dataclass(frozen=True, kw_only=True)
class Candidate:
    hit: Hit
    place: Placed
    languages: frozenset[str]
    """Codes offered (in one of the search's ``language_support`` ways, when it names any)."""
    areas: frozenset[tuple[str, str, str]]
    """The location's areas as ``(kind, code, name)``."""


@dataclass(frozen=True, kw_only=True)
class Candidates:
    """The ranked matches of a search with its language, category and area filters left
    out, each with what those filters look at."""

    query: ResourceQuery
    """The search gathered (first page, one per page: paging is not part of it)."""
    items: list[Candidate]
    location_areas: dict[int, list[AreaRow]] = field(repr=False)
    """The candidates' locations' areas, so publishing a page reads none again."""

    def __len__(self) -> int:
        return len(self.items)

    def covers(self, query: ResourceQuery) -> bool:
        """Whether ``query``'s matches are among these candidates."""
        gathered = self.query.radius_km
        if _widest(query, radius_km=gathered) != self.query:
            return False
        return gathered is None or (query.radius_km is not None and query.radius_km <= gathered)

    def count(self, query: ResourceQuery) -> int:
        """How many resources ``query`` matches (its ``total``)."""
        return _Checks.for_query(self, query).failed(self.items).count(0)


@dataclass(frozen=True, kw_only=True)
class Overview:
    page: Page[ResourcePublic]
    facets: dict[Facet, list[FacetCount]]
    """Per facet, what choosing each value would give (``api.search.facet_counts``)."""
    places: list[Placed]
    """Every match, in order, at its public point (``api.search.place_resources``)."""
    candidates: Candidates


def moves_with_clock(query: ResourceQuery) -> bool:
    """Whether the answer to ``query`` changes with time, not only with the directory."""
    return query.open_now or query.verified_within_days is not None


def widest_search(query: ResourceQuery) -> ResourceQuery:
    """What :func:`gather` ranks for ``query``: its language, category and area filters and
    its paging left out (searches differing only in those share their candidates)."""
    return _widest(query, radius_km=query.radius_km)


def gather(
    session: Session, query: ResourceQuery, *, now: datetime, settings: Settings
) -> Candidates:
    """Rank ``query`` once with its language, category and area filters left out."""
    widest = widest_search(query)
    areas = KnownAreas(session=session)
    hits, _ = rank(session, widest, now, settings, window=None, areas=areas)
    ids = [hit.id for hit in hits]
    placed = place_at_locations(session, ids, areas)
    location_areas = areas.of(location for _, location in placed)
    support = {s.value for s in query.language_support}
    offered = offered_languages(session, ids)
    items = [
        Candidate(
            hit=hit,
            place=place,
            languages=frozenset(
                code for code, how in offered.get(hit.id, []) if not support or how in support
            ),
            areas=frozenset((a.kind, a.code, a.name) for a in location_areas[location]),
        )
        for hit, (place, location) in zip(hits, placed, strict=True)
    ]
    return Candidates(
        query=widest,
        items=items,
        location_areas={location: location_areas[location] for _, location in placed},
    )


def overview(
    session: Session,
    query: ResourceQuery,
    *,
    now: datetime,
    settings: Settings,
    candidates: Candidates | None = None,
) -> Overview:
    """The page ``query`` asks for, its facet counts and every match on the map, from
    ``candidates`` (gathered for it, or for it with a wider radius) or from a new gather."""
    if candidates is None:
        candidates = gather(session, query, now=now, settings=settings)
    failed = _Checks.for_query(candidates, query).failed(candidates.items)
    matching = [c for c, mask in zip(candidates.items, failed, strict=True) if not mask]
    window = matching[query.offset : query.offset + query.per_page]
    areas = KnownAreas(session=session, known=candidates.location_areas)
    items = publish_resources(session, [c.hit for c in window], now, settings, areas)
    page = _RESOURCE_PAGE.of(items, total=len(matching), page=query.page, per_page=query.per_page)
    facets = {}
    for position, facet in enumerate(_FACETS):
        own = 1 << position  # a candidate failing only the facet's own filter still counts
        counted = [c for c, mask in zip(candidates.items, failed, strict=True) if not mask & ~own]
        facets[facet] = _facet(facet, counted)
    return Overview(
        page=page, facets=facets, places=[c.place for c in matching], candidates=candidates
    )


def _widest(query: ResourceQuery, *, radius_km: float | None) -> ResourceQuery:
    return replace(
        query, languages=(), categories=(), areas=(), radius_km=radius_km, page=1, per_page=1
    )


@dataclass(frozen=True, kw_only=True)
class _Checks:
    """A search's facet filters and radius, as tests of one candidate."""

    languages: frozenset[str]
    categories: frozenset[str]
    areas: frozenset[tuple[str, str]]
    radius_km: float | None

    @classmethod
    def for_query(cls, candidates: Candidates, query: ResourceQuery) -> _Checks:
        if not candidates.covers(query):
            raise ValueError("the candidates were gathered for another search")
        return cls(
            languages=frozenset(query.languages),
            categories=frozenset(c.value for c in query.categories),
            areas=frozenset(query.areas),
            radius_km=None if query.radius_km == candidates.query.radius_km else query.radius_km,
        )

    def failed(self, candidates: Sequence[Candidate]) -> list[int]:
        """For each candidate, the filters it fails as bits (in ``_FACETS`` order, then the
        radius): 0 for a match."""
        masks = [0] * len(candidates)
        if self.languages:
            for index, c in enumerate(candidates):
                if c.languages.isdisjoint(self.languages):
                    masks[index] |= 1
        if self.categories:
            for index, c in enumerate(candidates):
                if c.place.category not in self.categories:
                    masks[index] |= 2
        if self.areas:
            for index, c in enumerate(candidates):
                if not any((kind, code) in self.areas for kind, code, _ in c.areas):
                    masks[index] |= 4
        if self.radius_km is not None:
            for index, c in enumerate(candidates):
                distance = c.hit.distance_km
                if distance is None or distance > self.radius_km:
                    masks[index] |= 8
        return masks


def _facet(facet: Facet, candidates: Sequence[Candidate]) -> list[FacetCount]:
    if facet == "language":
        languages = Counter(chain.from_iterable(c.languages for c in candidates))
        return sorted_facets(
            FacetCount(value=code, name=language_name(code), count=count)
            for code, count in languages.items()
        )
    if facet == "category":
        categories = Counter(c.place.category for c in candidates)
        return sorted_facets(
            FacetCount(value=str(category), name=str(category), count=count)
            for category, count in categories.items()
        )
    areas = Counter(chain.from_iterable(c.areas for c in candidates))
    return sorted_facets(
        FacetCount(value=f"{kind}:{code}", name=name, count=count, kind=kind, code=code)
        for (kind, code, name), count in areas.items()
    )
