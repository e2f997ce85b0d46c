"""Links the page builds from directory data: phone, directions, websites, calendar, reports.

A URL from the database becomes a link only when it is ``http`` or ``https``: a listing's
``javascript:`` website must not run when a resident taps it.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

__all__ = [
    "EMERGENCY_PATH",
    "EVENT_CALENDAR_PATH",
    "MANIFEST_PATH",
    "REPORT_PATH",
    "SERVICE_WORKER_PATH",
    "event_calendar_url",
    "geo_url",
    "osm_directions_url",
    "report_url",
    "safe_url",
    "tel_url",
]

EVENT_CALENDAR_PATH = "/calendar/{resource}/{event}"
"""One meeting as an iCalendar file, for "add to calendar"."""
REPORT_PATH = "/report/{id}"
"""The page where a resident says a listing is wrong."""
EMERGENCY_PATH = "/emergency"
"""The region's emergency and services numbers and the legal-aid lines, kept for use
without signal (``web.offline``)."""
SERVICE_WORKER_PATH = "/sw.js"
MANIFEST_PATH = "/manifest.webmanifest"

_NOT_DIALABLE = re.compile(r"[^0-9+]")


def safe_url(value: str | None) -> str | None:
    if not value:
        return None
    candidate = value.strip()
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return candidate


def tel_url(phone: str | None) -> str | None:
    """``tel:`` with the digits of the first number (extensions and words dropped)."""
    if not phone:
        return None
    first = re.split(r"(?i)\s*(?:ext\.?|x|,|;|/)\s*\d*", phone, maxsplit=1)[0]
    digits = _NOT_DIALABLE.sub("", first)
    if len(digits.lstrip("+")) < 3:
        return None
    return f"tel:{digits}"


def geo_url(latitude: float, longitude: float, label: str | None = None) -> str:
    """RFC 5870 ``geo:`` link; phones open it in their map app."""
    point = f"{latitude:.6f},{longitude:.6f}"
    query = f"?q={point}" + (f"({quote(label, safe='')})" if label else "")
    return f"geo:{point}{query}"


def osm_directions_url(latitude: float, longitude: float) -> str:
    """OpenStreetMap's directions, with the place as the destination."""
    return f"https://www.openstreetmap.org/directions?route=%3B{latitude:.6f}%2C{longitude:.6f}"


def event_calendar_url(resource_id: int, event_id: int) -> str:
    return EVENT_CALENDAR_PATH.format(resource=resource_id, event=event_id)


def report_url(resource_id: int) -> str:
    return REPORT_PATH.format(id=resource_id)
