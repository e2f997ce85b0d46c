"""The resource and event filters as documented query parameters, read once for every
endpoint that takes them. The aliases (``CategoryParam``, ``Near``, ...) declare one
parameter each with its description and example; ``RESOURCE_QUERY`` and ``EVENT_QUERY`` are
dependencies (register them under ``resource_query`` / ``event_query``: ``query`` is a name
Litestar reserves) giving a parsed ``ResourceQuery`` / ``EventQuery``, or a 400 problem
naming each bad parameter. ``RESOURCE_FILTERS`` / ``EVENT_FILTERS`` are the same without
paging (nor ``include_retired``), for answers that are whole (feeds, facets);
``RESOURCE_SYNC_FILTERS`` adds ``include_retired`` for the GeoJSON feed.

Each filter is declared once, in ``provide_resource_params`` / ``provide_event_params``,
which hand the raw values on; the paged and whole dependencies parse them (with ``page``
and ``per_page`` when paged) in one call, so one problem names every bad parameter. The
raw values are dependencies of their own, registered for the whole app
(``PARAMS_DEPENDENCIES``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated, Any

from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import Example
from litestar.params import FromQuery, QueryParameter
from sqlalchemy.orm import Session

from api.search import (
    EventQuery,
    ResourceQuery,
    event_query_from_params,
    resource_query_from_params,
)
from api.settings import Settings

__all__ = [
    "EVENT_FILTERS",
    "EVENT_QUERY",
    "PARAMS_DEPENDENCIES",
    "RESOURCE_FILTERS",
    "RESOURCE_QUERY",
    "RESOURCE_SYNC_FILTERS",
    "Address",
    "AreaParam",
    "BBoxParam",
    "CategoryParam",
    "EventParams",
    "EventStatusParam",
    "From",
    "IncludeRetired",
    "LanguageParam",
    "LanguageSupportParam",
    "Near",
    "OpenNow",
    "PageParam",
    "PerPage",
    "Q",
    "RadiusKm",
    "ResourceParams",
    "Sort",
    "StatusParam",
    "To",
    "UpdatedSince",
    "VerifiedWithinDays",
]


def _param(
    description: str, example: object, *, name: str, schema: dict[str, Any] | None = None
) -> QueryParameter:
    """A documented query parameter. ``schema`` gives the type the value is read as (the
    handler receives the text and parses it itself, naming a bad value in its 400)."""
    return QueryParameter(
        name=name,
        description=description,
        examples=[Example(value=example)],
        required=False,
        schema_extra={"one_of": None, **schema} if schema else None,
    )


CategoryParam = FromQuery[
    Annotated[
        list[str] | None,
        _param(
            "Category of the resource (of the venue, for events); repeat for any of several: "
            "meeting_venue, legal_aid, community_partner, consulate, police_station",
            ["legal_aid"],
            name="category",
        ),
    ]
]
LanguageParam = FromQuery[
    Annotated[
        list[str] | None,
        _param(
            "Language spoken there: an ISO 639-1 or 639-3 code or a name in English or in the "
            "language itself (case and accents ignored); repeat for any of several",
            ["es"],
            name="language",
        ),
    ]
]
LanguageSupportParam = FromQuery[
    Annotated[
        list[str] | None,
        _param(
            "How the language is offered: staff, interpreter or materials; repeat for any",
            ["staff"],
            name="language_support",
        ),
    ]
]
AreaParam = FromQuery[
    Annotated[
        list[str] | None,
        _param(
            "An area as kind:code (see /api/v1/areas); repeat for any of several",
            ["zip:75217"],
            name="area",
        ),
    ]
]
Near = FromQuery[
    Annotated[
        str | None,
        _param(
            "A point as latitude,longitude in decimal degrees",
            "32.7767,-96.7970",
            name="near",
        ),
    ]
]
Address = FromQuery[
    Annotated[
        str | None,
        _param(
            "An address to measure from instead of near; geocoded by the configured geocoder, "
            "never logged",
            "1500 Marilla St, Dallas, TX 75201",
            name="address",
        ),
    ]
]
RadiusKm = FromQuery[
    Annotated[
        str | None,
        _param(
            "Only within this many km of near/address (more than 0, at most 200); without it "
            "results are ranked by distance with no cap",
            10,
            name="radius_km",
            schema={"type": "number", "exclusiveMinimum": 0, "maximum": 200},
        ),
    ]
]
Q = FromQuery[
    Annotated[
        str | None,
        _param(
            "Words to find in name, description, organization and services (accents and case "
            "ignored)",
            "asesoria",
            name="q",
        ),
    ]
]
OpenNow = FromQuery[
    Annotated[
        str | None,
        _param(
            "Only places open now by their weekly hours: true or false",
            True,
            name="open_now",
            schema={"type": "boolean"},
        ),
    ]
]
VerifiedWithinDays = FromQuery[
    Annotated[
        str | None,
        _param(
            "Only listings verified within this many days",
            365,
            name="verified_within_days",
            schema={"type": "integer", "minimum": 1, "maximum": 36500},
        ),
    ]
]
StatusParam = FromQuery[
    Annotated[
        list[str] | None,
        _param(
            "Status of the listing: active (the default), inactive, temporarily_closed; "
            "repeat for any",
            ["active"],
            name="status",
        ),
    ]
]
EventStatusParam = FromQuery[
    Annotated[
        list[str] | None,
        _param(
            "Status of the meeting: scheduled, cancelled or postponed (all by default); "
            "repeat for any",
            ["scheduled"],
            name="status",
        ),
    ]
]
Sort = FromQuery[
    Annotated[
        str | None,
        _param(
            "Order: distance (needs near or address), name, verified, or updated (latest "
            "change first); by distance when a point is given, else by updated with "
            "updated_since or include_retired, else by name",
            "name",
            name="sort",
        ),
    ]
]
PageParam = FromQuery[
    Annotated[
        str | None,
        _param(
            "Page number, from 1",
            1,
            name="page",
            schema={"type": "integer", "minimum": 1, "maximum": 1_000_000},
        ),
    ]
]
PerPage = FromQuery[
    Annotated[
        str | None,
        _param(
            "Items per page, 1 to 100 (default 20)",
            20,
            name="per_page",
            schema={"type": "integer", "minimum": 1, "maximum": 100},
        ),
    ]
]
From = FromQuery[
    Annotated[
        str | None,
        _param(
            "Events that have not ended by this ISO 8601 date or date-time (now by default); "
            "a date or a time without offset is read in the region's time zone",
            "2026-03-01",
            name="from",
        ),
    ]
]
BBoxParam = FromQuery[
    Annotated[
        str | None,
        _param(
            "Only places shown inside this box: min_lon,min_lat,max_lon,max_lat in decimal "
            "degrees (GeoJSON's order; a confidential place at its public point)",
            "-96.9,32.7,-96.7,32.9",
            name="bbox",
            schema={"type": "string", "pattern": r"^[^,]+,[^,]+,[^,]+,[^,]+$"},
        ),
    ]
]
UpdatedSince = FromQuery[
    Annotated[
        str | None,
        _param(
            "Only listings changed at or after this RFC 3339 date-time (their own fields, "
            "their place or their organization); they then come latest change first, the "
            "order a sync pages in",
            "2026-01-01T00:00:00Z",
            name="updated_since",
            schema={"type": "string", "format": "date-time"},
        ),
    ]
]
IncludeRetired = FromQuery[
    Annotated[
        str | None,
        _param(
            "Retired listings too, as tombstones ({id, status: retired, updated_at}), "
            "whatever the other filters, so a mirror can delete them; latest change first",
            True,
            name="include_retired",
            schema={"type": "boolean"},
        ),
    ]
]
To = FromQuery[
    Annotated[
        str | None,
        _param(
            "Events that start before this ISO 8601 date-time; a date includes that whole day",
            "2026-03-31",
            name="to",
        ),
    ]
]


@dataclass(frozen=True, kw_only=True)
class ResourceParams:
    """The resource filters as the URL gives them, not yet parsed."""

    category: list[str]
    language: list[str]
    language_support: list[str]
    area: list[str]
    near: str | None
    address: str | None
    radius_km: str | None
    q: str | None
    open_now: str | None
    verified_within_days: str | None
    status: list[str]
    sort: str | None
    bbox: str | None
    updated_since: str | None


@dataclass(frozen=True, kw_only=True)
class EventParams:
    """The event filters as the URL gives them, not yet parsed."""

    from_: str | None
    to: str | None
    status: list[str]
    category: list[str]
    language: list[str]
    area: list[str]
    near: str | None
    address: str | None
    radius_km: str | None
    updated_since: str | None


def provide_resource_params(
    category: CategoryParam = None,
    language: LanguageParam = None,
    language_support: LanguageSupportParam = None,
    area: AreaParam = None,
    near: Near = None,
    address: Address = None,
    radius_km: RadiusKm = None,
    q: Q = None,
    open_now: OpenNow = None,
    verified_within_days: VerifiedWithinDays = None,
    status: StatusParam = None,
    sort: Sort = None,
    bbox: BBoxParam = None,
    updated_since: UpdatedSince = None,
) -> ResourceParams:
    return ResourceParams(
        category=category or [],
        language=language or [],
        language_support=language_support or [],
        area=area or [],
        near=near,
        address=address,
        radius_km=radius_km,
        q=q,
        open_now=open_now,
        verified_within_days=verified_within_days,
        status=status or [],
        sort=sort,
        bbox=bbox,
        updated_since=updated_since,
    )


def provide_event_params(
    from_: From = None,
    to: To = None,
    status: EventStatusParam = None,
    category: CategoryParam = None,
    language: LanguageParam = None,
    area: AreaParam = None,
    near: Near = None,
    address: Address = None,
    radius_km: RadiusKm = None,
    updated_since: UpdatedSince = None,
) -> EventParams:
    return EventParams(
        from_=from_,
        to=to,
        status=status or [],
        category=category or [],
        language=language or [],
        area=area or [],
        near=near,
        address=address,
        radius_km=radius_km,
        updated_since=updated_since,
    )


def provide_resource_query(
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    resource_params: NamedDependency[ResourceParams],
    include_retired: IncludeRetired = None,
    page: PageParam = None,
    per_page: PerPage = None,
) -> ResourceQuery:
    return resource_query_from_params(
        db_session,
        settings=settings,
        **asdict(resource_params),
        include_retired=include_retired,
        page=page,
        per_page=per_page,
    )


def provide_event_query(
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    event_params: NamedDependency[EventParams],
    include_retired: IncludeRetired = None,
    page: PageParam = None,
    per_page: PerPage = None,
) -> EventQuery:
    return event_query_from_params(
        db_session,
        settings=settings,
        **asdict(event_params),
        include_retired=include_retired,
        page=page,
        per_page=per_page,
    )


def provide_resource_filters(
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    resource_params: NamedDependency[ResourceParams],
) -> ResourceQuery:
    return resource_query_from_params(db_session, settings=settings, **asdict(resource_params))


def provide_resource_sync_filters(
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    resource_params: NamedDependency[ResourceParams],
    include_retired: IncludeRetired = None,
) -> ResourceQuery:
    return resource_query_from_params(
        db_session, settings=settings, **asdict(resource_params), include_retired=include_retired
    )


def provide_event_filters(
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    event_params: NamedDependency[EventParams],
) -> EventQuery:
    return event_query_from_params(db_session, settings=settings, **asdict(event_params))


PARAMS_DEPENDENCIES = {
    "resource_params": Provide(provide_resource_params, sync_to_thread=False),
    "event_params": Provide(provide_event_params, sync_to_thread=False),
}
"""The raw filters every query dependency below reads: register them on the app."""
RESOURCE_QUERY = Provide(provide_resource_query, sync_to_thread=True)
EVENT_QUERY = Provide(provide_event_query, sync_to_thread=True)
RESOURCE_FILTERS = Provide(provide_resource_filters, sync_to_thread=True)
"""The resource filters without ``page``/``per_page``: for feeds and facets, which are whole."""
RESOURCE_SYNC_FILTERS = Provide(provide_resource_sync_filters, sync_to_thread=True)
"""The resource filters and ``include_retired``, without pages: for the GeoJSON feed."""
EVENT_FILTERS = Provide(provide_event_filters, sync_to_thread=True)
"""The event filters without ``page``/``per_page``: for the calendar feed."""
