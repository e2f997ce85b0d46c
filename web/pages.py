"""The resident pages: ``GET /`` (map and list) and ``GET /list`` (the printable list).

Both call ``api.search`` in process with the filters from the URL, once: ``overview``
gives the page of results, the form's counts and the map's points from one ranking, whose
candidates are kept until the directory changes (``web.marker_cache``). The map gets every
match (one clustered layer); the list under it shows one page of them, ordered by distance
when a point is given. Inline scripts carry the request's CSP nonce
(``api.http.middleware.security_headers``). What the pages keep between requests (asset
URLs, the search cache) is made once per app (:func:`app_state`), never at module level.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from markupsafe import Markup
from sqlalchemy.orm import Session

from api.db.models import Category
from api.db.version import read_directory_version
from api.directory.schemas import FacetCount
from api.http.middleware.security_headers import csp_nonce
from api.search import (
    Candidates,
    Placed,
    ResourceQuery,
    gather,
    overview,
    widest_search,
)
from api.settings import Settings
from web.assets import AssetUrls
from web.clusters import Cells, cells, read_view, view_items
from web.filters import RADII_KM, PageFilters, build_query
from web.i18n import (
    UiLocale,
    available_locales,
    language_notices,
    negotiate,
    translations,
    ui_locale,
)
from web.icons import build_sprite
from web.labels import area_kind_label, area_name, category_label, category_style
from web.links import EMERGENCY_PATH, MANIFEST_PATH, SERVICE_WORKER_PATH
from web.listing import ListedResource, format_distance, listed
from web.map import MapLabels, build_map, marker_rows, render_map
from web.marker_cache import MarkerCache
from web.outlines import AreaOutline, load_outlines, short_note
from web.page_config import client_config, privacy_line
from web.places import (
    OUTLINES_PATH,
    PLACES_PATH,
    encode_places,
    encode_view,
    outline_collection,
)
from web.rendering import environment

__all__ = [
    "LIST_PER_PAGE",
    "MAP_PER_PAGE",
    "PageState",
    "app_state",
    "base_context",
    "list_page",
    "map_outlines",
    "map_page",
    "map_places",
    "page_cache_control",
    "page_state",
    "request_locale",
]

SEARCH_CACHE = "no-store"
"""Where a resident looked, for what, in which language: a shared phone's browser cache must
not keep it (the offline copy of the last results is the service worker's, see
``web.offline``)."""
PLAIN_CACHE = "private, max-age=300"
OUTLINES_CACHE = "public, max-age=86400"
"""Outline URLs carry the directory version, so a changed area gets a new URL."""

MAP_PER_PAGE = 50
"""Places listed under the map per page (the map itself shows every match)."""
LIST_PER_PAGE = 100
"""Places on one printable page."""

_STATE_KEY = "pages"


@dataclass(frozen=True, kw_only=True)
class PageState:
    """What the pages keep between requests, one per app."""

    assets: AssetUrls
    markers: MarkerCache
    """Map searches (candidates and marker rows) until the directory changes."""
    sprite: Markup
    """The icons every page carries inline (``web.icons``)."""


def app_state() -> dict[str, PageState]:
    """The pages' entry of a new app's ``state``."""
    return {
        _STATE_KEY: PageState(
            assets=AssetUrls.default(), markers=MarkerCache(), sprite=build_sprite()
        )
    }


def page_state(request: Request[Any, Any, Any]) -> PageState:
    state: PageState = request.app.state[_STATE_KEY]
    return state


@dataclass(frozen=True, kw_only=True)
class Option:
    value: str
    label: str
    count: int = 0
    selected: bool = False


@dataclass(frozen=True, kw_only=True)
class OptionGroup:
    label: str
    options: list[Option]


@dataclass(frozen=True, kw_only=True)
class Wider:
    label: str
    url: str
    count: int


@get("/", name="map-page", include_in_schema=False, sync_to_thread=True)
def map_page(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
) -> Response[str]:
    """The map of every match, with the list of the first ones under it."""
    return _page(request, db_session, settings, path="/", per_page=MAP_PER_PAGE, with_map=True)


@get("/list", name="list-page", include_in_schema=False, sync_to_thread=True)
def list_page(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
) -> Response[str]:
    """The same results as a printable list in large type."""
    return _page(
        request, db_session, settings, path="/list", per_page=LIST_PER_PAGE, with_map=False
    )


def _page(
    request: Request[Any, Any, Any],
    session: Session,
    settings: Settings,
    *,
    path: str,
    per_page: int,
    with_map: bool,
) -> Response[str]:
    ui = request_locale(request)
    gettext = translations(ui.code).gettext
    asked = PageFilters.from_query(request.query_params)
    query, filters, errors = build_query(session, settings, asked, per_page=per_page)
    now = datetime.now(UTC)
    state = page_state(request)
    search = _Search(request=request, session=session, settings=settings, now=now)
    candidates = search.candidates

    # with no language chosen, each is counted under the spoken/written choice all the same
    searched = overview(
        session,
        query,
        now=now,
        settings=settings,
        candidates=candidates(query),
        facet_support=filters.language_support,
    )
    found = searched.page
    outlines = load_outlines(session)
    categories = [category.value for category in Category]
    language_options = _language_options(searched.facets["language"], query, ui)
    form: dict[str, Any] = {
        "action": path,
        "address": filters.address or "",
        "near": filters.near or "",
        "languages": language_options,
        "supports": [
            Option(value="", label=gettext("Spoken (staff or an interpreter)")),
            Option(
                value="written",
                label=gettext("Written materials"),
                selected=filters.support == "written",
            ),
        ],
        "area_groups": _area_groups(outlines, searched.facets["area"], query, gettext),
        "categories": _category_options(searched.facets["category"], query, gettext),
        "radii": [
            Option(
                value=str(km),
                label=gettext("Within %(distance)s") % {"distance": format_distance(km, ui)},
                selected=query.radius_km == km,
            )
            for km in RADII_KM
        ],
        "clear_url": f"{path}?lang={ui.code}",
    }
    language_codes = [option.value for option in language_options]
    results: list[ListedResource] = [
        listed(resource, ui=ui, gettext=gettext, zone=settings.zone) for resource in found.items
    ]
    page_filters = filters.without("page")
    context = base_context(
        request,
        ui,
        settings,
        switch_url=lambda code: filters.url(path, lang=code),
        language_codes=language_codes,
    )
    context |= {
        "form": form,
        "errors": errors,
        "results": results,
        "total": found.total,
        "page": found.page,
        "pages": found.pages,
        "first_number": (found.page - 1) * found.per_page + 1,
        "previous_url": _page_url(filters, path, ui, found.page - 1) if found.page > 1 else None,
        "next_url": _page_url(filters, path, ui, found.page + 1)
        if found.page < found.pages
        else None,
        "by_distance": query.near is not None and query.order == "distance",
        "wider": _wider(filters, query, path, ui, gettext, searched.candidates, candidates)
        if found.total == 0
        else [],
        "active_filters": filters.active,
        "open_filters": filters.active == 0 or bool(errors),
        "list_url": page_filters.url("/list", lang=ui.code),
        "map_url": page_filters.url("/", lang=ui.code),
        "summary": _summary(query, filters, form, gettext, ui),
        "translation_url": f"{results[0].report_url}?lang={ui.code}&kind=other#r-message"
        if results
        else None,
        "legend": [
            {
                "label": category_label(code, gettext),
                "color": category_style(code).color,
                "icon": category_style(code).icon,
            }
            for code in categories
        ],
    }
    template = "map.html" if with_map else "list.html"
    if with_map:
        rows = search.rows(query, lambda: searched.places)
        folium_map = build_map(
            rows,
            places_url=_places_filters(filters, query).url(PLACES_PATH, lang=ui.code),
            outlines=outlines,
            outlines_url=f"{OUTLINES_PATH}/{{kind}}?v={search.version}",
            settings=settings,
            assets=state.assets,
            labels=MapLabels(
                resources=gettext("Places"),
                search_point=gettext("Your search point"),
                area_kinds={o.kind: area_kind_label(o.kind, gettext) for o in outlines},
            ),
            point=query.near,
        )
        context["map"] = render_map(folium_map)
    html = environment(ui.code).get_template(template).render(context)
    status = 400 if errors else 200
    return Response(
        content=html,
        media_type=MediaType.HTML,
        status_code=status,
        headers={
            "Content-Language": ui.code,
            "Vary": "Accept-Language",
            "Cache-Control": page_cache_control(asked),
        },
    )


def page_cache_control(filters: PageFilters) -> str:
    """A page showing a resident's search is kept by no cache; the plain pages briefly,
    by the browser only (each carries its own CSP nonce)."""
    return SEARCH_CACHE if filters.params() else PLAIN_CACHE


@dataclass(frozen=True, kw_only=True)
class _Search:
    """One request's access to the app's kept searches (``web.marker_cache``)."""

    request: Request[Any, Any, Any]
    session: Session
    settings: Settings
    now: datetime

    @property
    def database(self) -> str:
        return str(self.session.get_bind().engine.url)

    @cached_property
    def version(self) -> int:
        return read_directory_version(self.session.get_bind().engine)

    def candidates(self, search: ResourceQuery) -> Candidates:
        return page_state(self.request).markers.candidates(
            database=self.database,
            version=self.version,
            query=widest_search(search),
            build=lambda: gather(self.session, search, now=self.now, settings=self.settings),
        )

    def rows(self, query: ResourceQuery, places: Callable[[], list[Placed]]) -> list[list[Any]]:
        categories = [category.value for category in Category]
        return page_state(self.request).markers.rows(
            database=self.database,
            version=self.version,
            query=query,
            build=lambda: marker_rows(places(), categories),
        )

    def cells(self, query: ResourceQuery, zoom: int, rows: Callable[[], list[list[Any]]]) -> Cells:
        return page_state(self.request).markers.cells(
            database=self.database,
            version=self.version,
            query=query,
            zoom=zoom,
            build=lambda: cells(rows(), zoom),
        )


def _places_filters(filters: PageFilters, query: ResourceQuery) -> PageFilters:
    """The filters the map's places are loaded with: the page's, with an address already
    turned into its point (so it is not geocoded again) and no page number."""
    places = filters.without("page", "address")
    if filters.address and query.near is not None:
        places = replace(places, near=f"{query.near[0]},{query.near[1]}")
    return places


@get(PLACES_PATH, name="map-places", include_in_schema=False, sync_to_thread=True)
def map_places(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
) -> Response[dict[str, Any]]:
    """The map's places for the page's filters, as compact columns (``web.places``): all of
    them, or with ``zoom`` and ``bbox`` those of one view, clustered (``web.clusters``)."""
    asked = PageFilters.from_query(request.query_params)
    query, _, _ = build_query(db_session, settings, asked, per_page=1)
    search = _Search(request=request, session=db_session, settings=settings, now=datetime.now(UTC))

    def places() -> list[Placed]:
        found = overview(
            db_session,
            query,
            now=search.now,
            settings=settings,
            candidates=search.candidates(query),
        )
        return found.places

    view = read_view(request.query_params)
    rows = search.rows(query, places)
    if view is None:
        content = encode_places(rows)
    else:
        grouped = search.cells(query, view.zoom, lambda: rows)
        content = encode_view(*view_items(grouped, view))
    return Response(
        content=content,
        media_type=MediaType.JSON,
        headers={"Cache-Control": page_cache_control(asked)},
    )


@get(
    f"{OUTLINES_PATH}/{{kind:str}}",
    name="map-outlines",
    include_in_schema=False,
    sync_to_thread=True,
)
def map_outlines(
    kind: FromPath[str],
    db_session: NamedDependency[Session],
) -> Response[dict[str, Any]]:
    """One kind of area outline, simplified, for a map layer turned on later."""
    outlines = [outline for outline in load_outlines(db_session) if outline.kind == kind]
    if not outlines:
        raise NotFoundException(f"no areas of kind {kind}")
    return Response(
        content=outline_collection(outlines),
        media_type=MediaType.JSON,
        headers={"Cache-Control": OUTLINES_CACHE},
    )


def _page_url(filters: PageFilters, path: str, ui: UiLocale, page: int) -> str:
    return replace(filters, page=str(page) if page > 1 else None).url(path, lang=ui.code)


def request_locale(request: Request[Any, Any, Any]) -> UiLocale:
    """``?lang=`` when the page has that language, else the browser's best match."""
    return ui_locale(
        negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))
    )


def base_context(
    request: Request[Any, Any, Any],
    ui: UiLocale,
    settings: Settings,
    *,
    switch_url: Callable[[str], str],
    language_codes: Sequence[str] = (),
) -> dict[str, Any]:
    """What every page's frame needs: language, language switch, assets, privacy line,
    the script's configuration and the CSP nonce."""
    gettext = translations(ui.code).gettext
    emergency_url = f"{EMERGENCY_PATH}?lang={ui.code}"
    choices = []
    for code in available_locales():
        name = ui_locale(code).name
        choices.append(
            {
                "code": code,
                "name": name[:1].upper() + name[1:],
                "url": switch_url(code),
                "current": code == ui.code,
            }
        )
    return {
        "ui": ui,
        "ui_choices": choices,
        "assets": page_state(request).assets,
        "sprite": page_state(request).sprite,
        "home_url": f"/?lang={ui.code}",
        "privacy_line": privacy_line(settings, gettext),
        "language_notices": language_notices(request.query_params.get("lang"), ui.code),
        "config": client_config(
            ui=ui,
            gettext=gettext,
            settings=settings,
            categories=[category.value for category in Category],
            language_codes=language_codes,
        )
        | {"serviceWorker": SERVICE_WORKER_PATH, "emergencyUrl": emergency_url},
        "emergency_url": emergency_url,
        "manifest_url": f"{MANIFEST_PATH}?lang={ui.code}",
        "nonce": csp_nonce(request),
        "translation_url": None,
    }


def _language_options(facet: list[FacetCount], query: ResourceQuery, ui: UiLocale) -> list[Option]:
    counts = {item.value: item.count for item in facet}
    for code in query.languages:
        counts.setdefault(code, 0)
    options = [
        Option(value=code, label=ui.language(code), count=count, selected=code in query.languages)
        for code, count in counts.items()
    ]
    return sorted(options, key=lambda option: option.label.casefold())


def _area_groups(
    outlines: list[AreaOutline], facet: list[FacetCount], query: ResourceQuery, gettext: Any
) -> list[OptionGroup]:
    counts = {item.value: item.count for item in facet}
    groups: dict[str, list[Option]] = {}
    for outline in outlines:
        value = f"{outline.kind}:{outline.code}"
        count = counts.get(value, 0)
        groups.setdefault(outline.kind, []).append(
            Option(
                value=value,
                label=f"{area_name(outline.kind, outline.code, outline.name, gettext)} ({count})",
                count=count,
                selected=(outline.kind, outline.code) in query.areas,
            )
        )
    result = []
    for kind, options in groups.items():
        notes = {short_note(o.note) for o in outlines if o.kind == kind and o.note}
        label = area_kind_label(kind, gettext)
        if len(notes) == 1:
            label = f"{label} ({notes.pop()})"
        result.append(OptionGroup(label=label, options=options))
    return result


def _category_options(facet: list[FacetCount], query: ResourceQuery, gettext: Any) -> list[Option]:
    counts = {item.value: item.count for item in facet}
    return [
        Option(
            value=category.value,
            label=category_label(category.value, gettext),
            count=counts.get(category.value, 0),
            selected=category in query.categories,
        )
        for category in Category
    ]


def _summary(
    query: ResourceQuery, filters: PageFilters, form: dict[str, Any], gettext: Any, ui: UiLocale
) -> str:
    """The filters in words, for the printed flyer."""
    parts = []
    for option in form["languages"]:
        if option.selected and filters.support == "written":
            parts.append(gettext("Written materials in %(name)s") % {"name": option.label})
        elif option.selected:
            parts.append(gettext("Language: %(name)s") % {"name": option.label})
    for group in form["area_groups"]:
        for option in group.options:
            if option.selected:
                name = option.label.rsplit(" (", 1)[0]
                parts.append(gettext("Area: %(name)s") % {"name": f"{group.label} {name}"})
    for option in form["categories"]:
        if option.selected:
            parts.append(option.label)
    if filters.address:
        parts.append(gettext("Near %(place)s") % {"place": filters.address})
    elif query.near is not None:
        parts.append(gettext("Near the point you shared"))
    if query.near is not None:
        if query.radius_km is not None:
            distance = format_distance(query.radius_km, ui)
            parts.append(
                gettext("Within %(distance)s of the search point") % {"distance": distance}
            )
        else:
            parts.append(gettext("Nearest to the search point first"))
    return " · ".join(parts)


def _wider(
    filters: PageFilters,
    query: ResourceQuery,
    path: str,
    ui: UiLocale,
    gettext: Any,
    found: Candidates,
    wider: Callable[[ResourceQuery], Candidates],
) -> list[Wider]:
    """One-step wider searches that find something, in the order a resident would try them.

    Each is counted over candidates already ranked: the page's own (which hold every
    language, category and area), or for a larger radius those of ``wider``, once."""
    filters = filters.without("page")
    steps: list[tuple[str, PageFilters, ResourceQuery]] = []
    if filters.area:
        steps.append((gettext("Any area"), filters.without("area"), replace(query, areas=())))
    if filters.radius_km:
        bigger = [km for km in RADII_KM if km > float(filters.radius_km)]
        if bigger:
            label = gettext("Within %(distance)s") % {"distance": format_distance(bigger[0], ui)}
            steps.append(
                (
                    label,
                    replace(filters, radius_km=str(bigger[0])),
                    replace(query, radius_km=float(bigger[0])),
                )
            )
        else:
            steps.append(
                (
                    gettext("Any distance (nearest first)"),
                    filters.without("radius_km"),
                    replace(query, radius_km=None),
                )
            )
    if filters.language:
        steps.append(
            (gettext("Any language"), filters.without("language"), replace(query, languages=()))
        )
    if filters.category:
        steps.append(
            (
                gettext("Any kind of help"),
                filters.without("category"),
                replace(query, categories=()),
            )
        )
    if filters.active > 1:
        everything = filters.without("language", "area", "category", "radius_km")
        cleared = replace(query, languages=(), areas=(), categories=(), radius_km=None)
        steps.append((gettext("All filters cleared"), everything, cleared))
    searches = [search for _, _, search in steps]
    if not all(found.covers(search) for search in searches):
        radii = [search.radius_km for search in searches]
        widest = None if None in radii else max(r for r in radii if r is not None)
        found = wider(replace(query, radius_km=widest))
    options = []
    for label, step, search in steps:
        if count := found.count(search):
            options.append(Wider(label=label, url=step.url(path, lang=ui.code), count=count))
    return options
