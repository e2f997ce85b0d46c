"""The resident pages: Folium map, filters, list, print, report form, offline, 8 languages."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from web.assets import asset_routers
from web.calendar import event_calendar
from web.offline import emergency_page, manifest, service_worker
from web.pages import app_state, list_page, map_outlines, map_page, map_places
from web.report import report_form, send_report

__all__ = ["app_state", "route_handlers"]


def route_handlers() -> list[ControllerRouterHandler]:
    """Everything ``web`` serves: the pages and their static assets."""
    return [
        map_page,
        list_page,
        map_places,
        map_outlines,
        emergency_page,
        manifest,
        service_worker,
        report_form,
        send_report,
        event_calendar,
        *asset_routers(),
    ]
