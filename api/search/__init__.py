"""Search: filters become SQL, hits are ranked by distance or name, and shaped for the public.

``query`` holds what a search asks for, ``params`` builds it from request parameters,
``ranking`` runs it (resources, events and facet counts), ``results`` publishes the hits
(confidential places at their area's centre) and ``text`` is the full-text index.
"""

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
from api.search.ranking import (
    facet_counts,
    get_resource,
    iter_events,
    iter_resources,
    place_resources,
    search_events,
    search_resources,
)
from api.search.results import Placed, public_point

__all__ = [
    "DEFAULT_PER_PAGE",
    "MAX_PER_PAGE",
    "MAX_RADIUS_KM",
    "EventQuery",
    "Facet",
    "Placed",
    "ResourceQuery",
    "SortKey",
    "event_query_from_params",
    "facet_counts",
    "get_resource",
    "iter_events",
    "iter_resources",
    "place_resources",
    "public_point",
    "resource_query_from_params",
    "search_events",
    "search_resources",
]
