"""``/staff/coverage``: where in the region can nobody help in a given language?

A choropleth of one kind of area (council districts, ZIP codes, ...) coloured by how many
active listings offer the chosen language (and, if chosen, are of a category), its legend,
and beside it the table of counts — sortable, and as CSV at ``/staff/coverage.csv``. The
counts are the public search's own (``api.search.facets`` over the same filters as
``GET /api/v1/resources?area=…&language=…``), so a confidential listing counts in its area
as it does there. The map loads only the app's own Leaflet and the configured tiles.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import folium
from litestar import Request, Response, get
from litestar.di import NamedDependency
from sqlmodel import Session, col, select

from api.db.models import Area, Category, ResourceLanguage
from api.directory.languages import UnknownLanguage, language_name, normalize_language
from api.formats.csv import escape_cell
from api.http.middleware.security_headers import csp_nonce
from api.search.facets import facet_counts
from api.search.query import ResourceQuery
from api.settings import Settings
from web.labels import area_kind_label, category_label
from web.map import render_map
from web.outlines import AreaOutline, load_outlines
from web.pages import page_state
from web.staff.choropleth import NONE_STYLE, Choropleth, choropleth, choropleth_layer
from web.staff.i18n import request_language
from web.staff.rendering import gettext_for, render
from web.staff.sessions import Member

__all__ = ["coverage", "coverage_counts", "coverage_csv"]

SORTS = ("count", "name", "code")


@dataclass(frozen=True, kw_only=True)
class Wanted:
    kind: str
    language: str
    category: str
    sort: str
    descending: bool
    errors: dict[str, str]


def coverage_counts(session: Session, *, kind: str, language: str, category: str) -> dict[str, int]:
    """Active listings offering ``language`` (of ``category`` when given), by area code."""
    query = ResourceQuery(
        languages=(language,), categories=(Category(category),) if category else ()
    )
    return {
        facet.code: facet.count
        for facet in facet_counts(session, query, "area")
        if facet.kind == kind and facet.code is not None
    }


def _kinds(session: Session) -> list[str]:
    return list(session.exec(select(col(Area.kind)).distinct().order_by(col(Area.kind))))


def _languages_in_use(session: Session) -> list[str]:
    return list(
        session.exec(select(ResourceLanguage.code).distinct().order_by(col(ResourceLanguage.code)))
    )


def _wanted(
    request: Request[Any, Any, Any], kinds: list[str], languages: list[str], gettext: Any
) -> Wanted:
    query = request.query_params
    errors: dict[str, str] = {}
    kind = query.get("kind", "")
    if kind not in kinds:
        if kind:
            errors["kind"] = gettext("Choose one of the kinds of area listed.")
        kind = "council_district" if "council_district" in kinds else (kinds[0] if kinds else "")
    asked = query.get("language", "").strip()[:60]
    language = ""
    if asked:
        try:
            language = normalize_language(asked)
        except UnknownLanguage:
            errors["language"] = gettext("No language is known by that code or name.")
    if not language:
        language = "es" if "es" in languages or not languages else languages[0]
    category = query.get("category", "")
    if category and category not in set(Category):
        errors["category"] = gettext("Choose one of the categories listed.")
        category = ""
    sort = query.get("sort", "count")
    return Wanted(
        kind=kind,
        language=language,
        category=category,
        sort=sort if sort in SORTS else "count",
        descending=query.get("order") == "desc",
        errors=errors,
    )


def _coverage(session: Session, wanted: Wanted) -> tuple[Choropleth, list[AreaOutline]]:
    outlines = [outline for outline in load_outlines(session) if outline.kind == wanted.kind]
    counts = coverage_counts(
        session, kind=wanted.kind, language=wanted.language, category=wanted.category
    )
    return choropleth(outlines, counts), outlines


def _sorted(data: Choropleth, wanted: Wanted) -> list[Any]:
    keys: dict[str, Callable[[Any], Any]] = {
        "count": lambda area: (area.count, area.name),
        "name": lambda area: (area.name.casefold(), area.code),
        "code": lambda area: (len(area.code), area.code),
    }
    return sorted(data.areas, key=keys[wanted.sort], reverse=wanted.descending)


def _map(
    data: Choropleth, outlines: list[AreaOutline], settings: Settings, assets: Any, label: str
) -> Any:
    m = folium.Map(location=None, tiles=None, control_scale=True, zoom_snap=0.25)
    m.default_js = [("leaflet", assets.leaflet_js)]
    m.default_css = [("leaflet_css", assets.leaflet_css)]
    if settings.tile_url is not None:
        folium.TileLayer(
            tiles=settings.tile_url, attr=settings.tile_attribution, name="tiles", control=False
        ).add_to(m)
    choropleth_layer(data, outlines, listings_label=label).add_to(m)
    points = [(lat, lon) for outline in outlines for lat, lon in _corners(outline.geometry)]
    if points:
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]])
    return render_map(m)


def _corners(geometry: dict[str, Any]) -> list[tuple[float, float]]:
    """Every vertex of a (multi)polygon as (latitude, longitude)."""
    polygons = (
        geometry["coordinates"]
        if geometry.get("type") == "MultiPolygon"
        else [geometry.get("coordinates", [])]
    )
    return [(lat, lon) for polygon in polygons for ring in polygon for lon, lat, *_ in ring]


@get("/coverage", name="staff-coverage", include_in_schema=False, sync_to_thread=True)
def coverage(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    member: NamedDependency[Member],
) -> Response[str]:
    gettext = gettext_for(request)
    code = request_language(request)
    kinds = _kinds(db_session)
    in_use = _languages_in_use(db_session)
    wanted = _wanted(request, kinds, in_use, gettext)
    data, outlines = _coverage(db_session, wanted)
    base = {"kind": wanted.kind, "language": wanted.language}
    if wanted.category:
        base["category"] = wanted.category

    def sort_url(key: str) -> str:
        descending = wanted.sort == key and not wanted.descending
        return "/staff/coverage?" + urlencode(
            {**base, "sort": key, **({"order": "desc"} if descending else {})}
        )

    language_label = language_name(wanted.language, code)
    rendered = (
        _map(data, outlines, settings, page_state(request).assets, gettext("Listings"))
        if outlines
        else None
    )
    languages = sorted({*in_use, wanted.language})
    return render(
        request,
        "coverage.html",
        member=member,
        wanted=wanted,
        data=data,
        rows=_sorted(data, wanted),
        map=rendered,
        nonce=csp_nonce(request),
        none_style=NONE_STYLE,
        kinds=[(kind, area_kind_label(kind, gettext)) for kind in kinds],
        kind_label=area_kind_label(wanted.kind, gettext) if wanted.kind else "",
        languages=[(c, language_name(c, code)) for c in languages],
        language_label=language_label,
        categories=[(c.value, category_label(c.value, gettext)) for c in Category],
        category_label=category_label(wanted.category, gettext) if wanted.category else "",
        sort_url=sort_url,
        csv_url="/staff/coverage.csv?" + urlencode(base),
        status=400 if wanted.errors else 200,
    )


@get("/coverage.csv", name="staff-coverage-csv", include_in_schema=False, sync_to_thread=True)
def coverage_csv(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    member: NamedDependency[Member],
) -> Response[str]:
    gettext = gettext_for(request)
    wanted = _wanted(request, _kinds(db_session), _languages_in_use(db_session), gettext)
    data, _ = _coverage(db_session, wanted)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["kind", "code", "name", "language", "category", "listings"])
    for area in _sorted(data, wanted):
        writer.writerow(
            [
                escape_cell(area.kind),
                escape_cell(area.code),
                escape_cell(area.name),
                wanted.language,
                wanted.category,
                area.count,
            ]
        )
    filename = re.sub(r"[^A-Za-z0-9_-]", "_", f"coverage-{wanted.kind}-{wanted.language}") + ".csv"
    return Response(
        content=out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
