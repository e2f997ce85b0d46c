"""Search: filters become SQL, hits are ranked by distance or name, and shaped for the public.

``query`` holds what a search asks for, ``params`` builds it from request parameters,
``conditions`` turns its filters into SQL, ``ranking`` runs it for resources, ``events``
for events, ``facets`` counts what each filter value would give, ``overview`` answers a
whole map page (its results, facets and points) from one ranking, ``detail`` shows one
resource, ``results`` publishes the hits (confidential places at their area's centre) and
``text`` is the full-text index.
"""

from api.search.detail import get_resource
from api.search.events import iter_events, search_events
from api.search.facets import facet_counts
from api.search.overview import (
    Candidates,
    Overview,
    gather,
    moves_with_clock,
    overview,
    widest_search,
)
from api.search.params import event_query_from_params, resource_query_from_params
from api.search.query import (
    DEFAULT_PER_PAGE,
    MAX_PER_PAGE,
    MAX_RADIUS_KM,
    EventQuery,
    Facet,
    ResourceQuery,
    SortKey,
)
from api.search.ranking import iter_listings, iter_resources, place_resources, search_resources
from api.search.results import Placed, public_point

__all__ = [
    "DEFAULT_PER_PAGE",
    "MAX_PER_PAGE",
    "MAX_RADIUS_KM",
    "Candidates",
    "EventQuery",
    "Facet",
    "Overview",
    "Placed",
    "ResourceQuery",
    "SortKey",
    "event_query_from_params",
    "facet_counts",
    "gather",
    "get_resource",
    "iter_events",
    "iter_listings",
    "iter_resources",
    "moves_with_clock",
    "overview",
    "place_resources",
    "public_point",
    "resource_query_from_params",
    "search_events",
    "search_resources",
    "widest_search",
]
