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

A search without a radius has every match as a candidate (a whole map): their points,
languages and areas are then read by the search's own conditions, not by listing ten
thousand ids in ``IN (...)``, which cost PostgreSQL more than the ranking itself.

Candidates hold plain data only, so a caller may keep them for as long as the directory
does not change (``api.db.version``), unless the search moves with the clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from api.db.models import (
    Area,
    Location,
    LocationArea,
    Resource,
    ResourceLanguage,
    Support,
    table_of,
)
from api.directory.languages import language_name
from api.directory.schemas import FacetCount, Page, ResourcePublic
from api.search.conditions import resource_conditions
from api.search.facets import sorted_facets
from api.search.query import Facet, ResourceQuery
from api.search.ranking import rank
from api.search.results import (
    AREA_COLUMNS,
    AreaRow,
    Hit,
    KnownAreas,
    Placed,
    offered_languages,
    place_at_locations,
    public_point,
    publish_resources,
)
from api.settings import Settings

__all__ = ["Candidates", "Overview", "gather", "moves_with_clock", "overview", "widest_search"]

_RESOURCE_PAGE = Page[ResourcePublic]
T = TypeVar("T")
_FACETS: tuple[Facet, ...] = ("language", "category", "area")


class Candidate(NamedTuple):
    """A tuple, not a dataclass: a whole map makes ten thousand of them."""

    hit: Hit
    place: Placed
    languages: frozenset[str]
    """Codes offered (in one of the search's ``language_support`` ways, when it names any)."""
    offered: frozenset[tuple[str, str | None]]
    """Every language offered, as ``(code, support)``: a language facet may count them
    offered in other ways than the search's (``overview``'s ``facet_support``)."""
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
    if widest.radius_km is None:
        placed, offered, location_areas = _read_matches(
            session, resource_conditions(widest, now, session)
        )
        hits = [hit for hit in hits if hit.id in placed]  # none, unless retired meanwhile
        placed_hits = [placed[hit.id] for hit in hits]
    else:
        ids = [hit.id for hit in hits]
        placed_hits = place_at_locations(session, ids, areas)
        offered = offered_languages(session, ids)
        location_areas = areas.of(location for _, location in placed_hits)
    support = {s.value for s in query.language_support}
    tags = {
        location: frozenset((a.kind, a.code, a.name) for a in rows)
        for location, rows in location_areas.items()
    }
    untagged: frozenset[tuple[str, str, str]] = frozenset()
    # one pair of sets per distinct list of languages: most candidates share a few
    interned: dict[tuple[Any, ...], tuple[frozenset[str], frozenset[Any]]] = {}
    items = []
    for hit, (place, location) in zip(hits, placed_hits, strict=True):
        key = tuple(offered.get(hit.id, ()))
        sets = interned.get(key)
        if sets is None:
            codes = frozenset(code for code, how in key if not support or how in support)
            sets = interned[key] = (codes, frozenset(key))
        items.append(Candidate(hit, place, *sets, tags.get(location, untagged)))
    known = dict.fromkeys((location for _, location in placed_hits), _NO_AREAS)
    known.update(location_areas)
    return Candidates(query=widest, items=items, location_areas=known)


_NO_AREAS: list[AreaRow] = []
"""Shared by every location in no area: nothing adds to a location's list once read."""


_resource = table_of(Resource)
_location = table_of(Location)
_resource_language = table_of(ResourceLanguage)
_location_area = table_of(LocationArea)
_area = table_of(Area)


def _read_matches(
    session: Session, conditions: list[ColumnElement[bool]]
) -> tuple[
    dict[int, tuple[Placed, int]],
    dict[int, list[tuple[str, Support | None]]],
    dict[int, list[AreaRow]],
]:
    """Every resource ``conditions`` match, at its public point with its location's id, its
    languages ``(code, support)`` and its location's areas, in three statements on the
    session's connection (ORM result rows would cost more than the reading)."""
    connection = session.connection()
    matches = (
        select(_resource.c.id, _resource.c.location_id)
        .join(_location, _location.c.id == _resource.c.location_id)
        .where(*conditions)
        .subquery()
    )
    location_areas: dict[int, list[AreaRow]] = {}
    located = select(matches.c.location_id).distinct().subquery()
    for location_id, *area in connection.execute(
        select(*AREA_COLUMNS)
        .join(_area, _area.c.id == _location_area.c.area_id)
        .join(located, located.c.location_id == _location_area.c.location_id)
        .order_by(_area.c.kind, _area.c.code)
    ):
        location_areas.setdefault(location_id, []).append(AreaRow(*area))
    offered: dict[int, list[tuple[str, Support | None]]] = {}
    for resource_id, code, support in connection.execute(
        select(
            _resource_language.c.resource_id,
            _resource_language.c.code,
            _resource_language.c.support,
        )
        .join(matches, matches.c.id == _resource_language.c.resource_id)
        .order_by(_resource_language.c.resource_id, _resource_language.c.code)
    ):
        offered.setdefault(resource_id, []).append((code, support))
    placed: dict[int, tuple[Placed, int]] = {}
    for (
        resource_id,
        category,
        name,
        location_id,
        latitude,
        longitude,
        confidential,
    ) in connection.execute(
        select(
            _resource.c.id,
            _resource.c.category,
            _resource.c.name,
            _location.c.id,
            _location.c.latitude,
            _location.c.longitude,
            _location.c.confidential,
        )
        .join(_location, _location.c.id == _resource.c.location_id)
        .where(*conditions)
    ):
        if confidential:
            latitude, longitude = public_point(
                latitude, longitude, True, location_areas.get(location_id, [])
            )
        placed[resource_id] = (
            Placed(resource_id, latitude, longitude, category, name),
            location_id,
        )
    return placed, offered, location_areas


def overview(
    session: Session,
    query: ResourceQuery,
    *,
    now: datetime,
    settings: Settings,
    candidates: Candidates | None = None,
    facet_support: Sequence[Support] | None = None,
) -> Overview:
    """The page ``query`` asks for, its facet counts and every match on the map, from
    ``candidates`` (gathered for it, or for it with a wider radius) or from a new gather.

    ``facet_support``: the ways of offering a language its facet counts (by default the
    search's own ``language_support``), as ``facet_counts`` would for the search with that
    ``language_support``. A page with no language chosen counts the spoken ones."""
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
        facets[facet] = _facet(facet, counted, facet_support)
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


def _facet(
    facet: Facet, candidates: Sequence[Candidate], support: Sequence[Support] | None
) -> list[FacetCount]:
    if facet == "language":
        if support is None:
            languages = _members(c.languages for c in candidates)
        else:
            ways = {s.value for s in support}
            languages = Counter()
            for offered, count in Counter(c.offered for c in candidates).items():
                for code in {code for code, how in offered if how in ways}:
                    languages[code] += count
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
    areas = _members(c.areas for c in candidates)
    return sorted_facets(
        FacetCount(value=f"{kind}:{code}", name=name, count=count, kind=kind, code=code)
        for (kind, code, name), count in areas.items()
    )


def _members(sets: Iterable[frozenset[T]]) -> Counter[T]:
    """How many of ``sets`` hold each member, the sets counted first: a map's candidates
    share a few sets of languages (and of areas, per place)."""
    counts: Counter[T] = Counter()
    for members, count in Counter(sets).items():
        for member in members:
            counts[member] += count
    return counts
