"""Facets: how many resources each language and each category would give, under the other
filters given (``/api/v1/languages?category=legal_aid`` counts legal aid only)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from babel import Locale, UnknownLocaleError
from litestar import Response, get
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import FromQuery, Parameter
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.directory.languages import language_name
from api.directory.schemas import FacetCount
from api.http.caching import cacheable_json
from api.http.problems import invalid
from api.http.routes.filters import RESOURCE_FILTERS
from api.search import ResourceQuery, facet_counts
from api.settings import Settings

__all__ = ["FacetList", "list_categories", "list_languages"]


class FacetList(BaseModel):
    items: list[FacetCount]
    """Each value with its count, most first; values no resource has are left out."""
    total: int
    """How many values are listed."""


Lang = FromQuery[
    Annotated[
        str | None,
        Parameter(
            description="UI language for the names, as a locale code (English by default)",
            examples=[Example(value="es")],
        ),
    ]
]

_FILTERS_NOTE = (
    "Takes the filters of `/api/v1/resources`; the facet's own filter is left out, so each "
    "count is what choosing that value would give. `sort` is ignored."
)


def _locale(lang: str | None) -> str:
    if lang is None or not lang.strip():
        return "en"
    try:
        return str(Locale.parse(lang.strip().replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError):
        raise invalid(
            [{"name": "lang", "reason": f"unknown locale {lang!r}: expected a code such as es"}]
        ) from None


@get(
    "/api/v1/languages",
    tags=["facets"],
    summary="Languages offered, with how many resources offer each",
    description=_FILTERS_NOTE,
    dependencies={"resource_query": RESOURCE_FILTERS},
    sync_to_thread=True,
)
def list_languages(
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    resource_query: NamedDependency[ResourceQuery],
    lang: Lang = None,
) -> Response[FacetList]:
    locale = _locale(lang)
    counts = facet_counts(
        db_session, resource_query, "language", now=datetime.now(UTC), settings=settings
    )
    items = [
        count.model_copy(update={"name": language_name(count.value, locale)}) for count in counts
    ]
    return cacheable_json(FacetList(items=items, total=len(items)))


@get(
    "/api/v1/categories",
    tags=["facets"],
    summary="Categories, with how many resources each holds",
    description=_FILTERS_NOTE,
    dependencies={"resource_query": RESOURCE_FILTERS},
    sync_to_thread=True,
)
def list_categories(
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    resource_query: NamedDependency[ResourceQuery],
) -> Response[FacetList]:
    counts = facet_counts(
        db_session, resource_query, "category", now=datetime.now(UTC), settings=settings
    )
    return cacheable_json(FacetList(items=counts, total=len(counts)))
