"""The page's filters: read from the URL, turned into an ``api.search`` query, written back.

The form uses GET, so a search is a URL a resident can bookmark or share, and the list
works without JavaScript. Parameters mean what they mean in the public API (``language``,
``area=kind:code``, ``category``, ``address`` or ``near=lat,lon``, ``radius_km``), and
``api.search.resource_query_from_params`` parses them, so the page and the API can never
disagree about a filter. A value the parser rejects is dropped from the search and named
on the page, with the parser's reason, instead of failing the whole page.

A language is spoken (staff or an interpreter) unless ``support=written`` asks for written
materials in it instead: the API's ``language_support``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from api.db.models import Support
from api.errors import InvalidInput, InvalidParam, Unavailable
from api.search import ResourceQuery, resource_query_from_params
from api.settings import Settings

__all__ = ["RADII_KM", "SUPPORTS", "PageFilters", "build_query"]

RADII_KM = (1, 2, 5, 10, 25, 50, 100, 200)
"""Distances the form offers."""

SUPPORTS: dict[str, tuple[Support, ...]] = {
    "spoken": (Support.STAFF, Support.INTERPRETER),
    "written": (Support.MATERIALS,),
}
"""How the language filter's language must be offered, by the page's ``support`` value."""

_NAMES = ("language", "support", "area", "category", "address", "near", "radius_km", "page")


@dataclass(frozen=True, kw_only=True)
class PageFilters:
    language: str | None = None
    support: str | None = None
    """``written`` for written materials; spoken (staff or an interpreter) otherwise."""
    area: str | None = None
    category: str | None = None
    address: str | None = None
    near: str | None = None
    radius_km: str | None = None
    page: str | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> PageFilters:
        """The first non-empty value of each filter; unknown parameters are ignored."""
        values: dict[str, str | None] = {}
        getall = getattr(params, "getall", None)
        for name in _NAMES:
            raw = getall(name, []) if getall else [params.get(name)]
            given = [str(v).strip() for v in raw if v is not None and str(v).strip()]
            values[name] = given[0][:300] if given else None
        if values["support"] not in SUPPORTS or values["support"] == "spoken":
            values["support"] = None
        return cls(**values)

    @property
    def language_support(self) -> tuple[Support, ...]:
        return SUPPORTS[self.support or "spoken"]

    def without(self, *names: str) -> PageFilters:
        return replace(self, **dict.fromkeys(names))

    def params(self) -> dict[str, str]:
        return {f.name: value for f in fields(self) if (value := getattr(self, f.name))}

    def url(self, path: str, *, lang: str) -> str:
        return f"{path}?{urlencode({'lang': lang, **self.params()})}"

    @property
    def active(self) -> int:
        """How many filters narrow the search (the point counts once)."""
        point = bool(self.near or self.address)
        return sum(map(bool, (self.language, self.area, self.category, point, self.radius_km)))


def build_query(
    session: Session, settings: Settings, filters: PageFilters, *, per_page: int
) -> tuple[ResourceQuery, PageFilters, list[InvalidParam]]:
    """The search for ``filters`` and the filters actually used, with the errors of any
    value that had to be dropped."""
    errors: list[InvalidParam] = []
    for _ in range(len(_NAMES) + 1):
        try:
            query = resource_query_from_params(
                session,
                settings=settings,
                language=[filters.language] if filters.language else [],
                language_support=filters.language_support if filters.language else [],
                area=[filters.area] if filters.area else [],
                category=[filters.category] if filters.category else [],
                address=filters.address,
                near=filters.near,
                radius_km=filters.radius_km,
                page=filters.page,
                per_page=per_page,
            )
        except (InvalidInput, Unavailable) as exc:
            found = _invalid_params(exc)
            named = {param["name"] for param in found} & set(_NAMES)
            if not named:
                raise
            errors.extend(param for param in found if param["name"] in named)
            dropped = filters.without(*named)
            if dropped.radius_km and not (dropped.near or dropped.address):
                dropped = dropped.without("radius_km")
            filters = dropped
            continue
        return query, filters, errors
    raise RuntimeError("the search parameters could not be reduced to a valid query")


def _invalid_params(exc: InvalidInput | Unavailable) -> list[InvalidParam]:
    if isinstance(exc, Unavailable):
        # The geocoder is down: the address cannot be used right now.
        return [{"name": "address", "reason": exc.detail}]
    return exc.params
