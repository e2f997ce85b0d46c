"""Facet counts: how many resources match each language, category or area.

The facet's own filter is left out (the language facet counts every language under the
other filters given), so a client can show what choosing each value would yield. Counts
are grouped in SQL; when distance or ``open_now`` decides, over the ranked matches' ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from api.db.models import Area, Location, LocationArea, Resource, ResourceLanguage
from api.directory.languages import language_name
from api.directory.schemas import FacetCount
from api.search.conditions import resource_conditions
from api.search.query import Facet, ResourceQuery
from api.search.ranking import rank
from api.search.results import KnownAreas
from api.settings import Settings

__all__ = ["facet_counts", "sorted_facets", "without_facet"]

AnySelect = Select[*tuple[Any, ...]]

_IN_CHUNK = 5000


def without_facet(query: ResourceQuery, facet: Facet) -> ResourceQuery:
    """``query`` with the filter of ``facet`` left out."""
    if facet == "language":
        return replace(query, languages=())
    if facet == "category":
        return replace(query, categories=())
    return replace(query, areas=())


def facet_counts(
    session: Session,
    query: ResourceQuery,
    facet: Facet,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> list[FacetCount]:
    """How many resources match each language, category or area, most first.

    ``settings`` is needed when the query asks for ``open_now``.
    """
    query = without_facet(query, facet)
    now = now or datetime.now(UTC)
    matching = _matching_ids(session, query, now, settings)
    if facet == "language":
        language = select(
            col(ResourceLanguage.code), func.count(col(ResourceLanguage.resource_id).distinct())
        )
        if query.language_support:
            language = language.where(
                col(ResourceLanguage.support).in_([s.value for s in query.language_support])
            )
        rows = _grouped(
            session,
            language,
            col(ResourceLanguage.resource_id),
            matching,
            col(ResourceLanguage.code),
        )
        return sorted_facets(
            FacetCount(value=code, name=language_name(code), count=count) for code, count in rows
        )
    if facet == "category":
        rows = _grouped(
            session,
            select(col(Resource.category), func.count(col(Resource.id))),
            col(Resource.id),
            matching,
            col(Resource.category),
        )
        return sorted_facets(
            FacetCount(value=str(category), name=str(category), count=count)
            for category, count in rows
        )
    area = (
        select(
            col(Area.kind), col(Area.code), col(Area.name), func.count(col(Resource.id).distinct())
        )
        .join(LocationArea, col(LocationArea.area_id) == col(Area.id))
        .join(Resource, col(Resource.location_id) == col(LocationArea.location_id))
    )
    rows = _grouped(
        session, area, col(Resource.id), matching, col(Area.kind), col(Area.code), col(Area.name)
    )
    return sorted_facets(
        FacetCount(value=f"{kind}:{code}", name=name, count=count, kind=kind, code=code)
        for kind, code, name, count in rows
    )


def sorted_facets(counts: Iterable[FacetCount]) -> list[FacetCount]:
    return sorted(counts, key=lambda facet: (-facet.count, facet.value))


def _matching_ids(
    session: Session, query: ResourceQuery, now: datetime, settings: Settings | None
) -> AnySelect | list[int]:
    """The matching resources' ids: a subquery when SQL alone decides, else a list."""
    if not query.open_now and (query.near is None or query.radius_km is None):
        return (
            select(col(Resource.id))
            .join(
                Location,
                col(Location.id) == col(Resource.location_id),
            )
            .where(*resource_conditions(query, now, session))
        )
    hits, _ = rank(
        session,
        replace(query, sort="name"),
        now,
        settings,
        window=None,
        areas=KnownAreas(session=session),
    )
    return [hit.id for hit in hits]


def _grouped(
    session: Session,
    statement: AnySelect,
    key: Any,
    matching: AnySelect | list[int],
    *group: Any,
) -> list[tuple[Any, ...]]:
    if not isinstance(matching, list):
        return [
            tuple(row)
            for row in session.execute(statement.where(key.in_(matching)).group_by(*group))
        ]
    totals: dict[tuple[Any, ...], int] = {}
    for start in range(0, len(matching), _IN_CHUNK):
        chunk = matching[start : start + _IN_CHUNK]
        for row in session.execute(statement.where(key.in_(chunk)).group_by(*group)):
            totals[tuple(row[:-1])] = totals.get(tuple(row[:-1]), 0) + int(row[-1])
    return [(*values, count) for values, count in totals.items()]
