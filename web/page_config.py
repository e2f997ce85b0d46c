"""What the page's script needs to know, as one JSON block, and the page's privacy line.

The block is data (``<script type="application/json">``), never executed, so it needs no
CSP allowance; ``web/static/puente.js`` reads it for the words of popups and the marker
colours.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from api.settings import Settings
from web.i18n import UiLocale, translations
from web.labels import (
    AREA_KIND_LABELS,
    ORGANIZATION_KIND_LABELS,
    OTHER_STYLE,
    SUPPORT_LABELS,
    category_label,
    category_style,
)
from web.links import EVENT_CALENDAR_PATH, REPORT_PATH

__all__ = ["RESOURCE_URL", "client_config", "plural_forms", "privacy_line"]

RESOURCE_URL = "/api/v1/resources/{id}"
"""Where a popup reads one resource's details (the public API, same origin)."""


def _popup_words(gettext: Callable[[str], str]) -> dict[str, str]:
    return {
        "loading": gettext("Loading details…"),
        "detailsFailed": gettext("The details could not be loaded. Try again later."),
        "runBy": gettext("Run by:"),
        "dojYes": gettext(
            "DOJ-recognized organization (can represent you before immigration authorities)."
        ),
        "dojNo": gettext("Not a DOJ-recognized organization."),
        "dojUnknown": gettext("DOJ recognition not confirmed."),
        "private": gettext("The address is kept private."),
        "area": gettext("Area:"),
        "directionsApp": gettext("Directions in your map app"),
        "directionsOsm": gettext("Directions on OpenStreetMap"),
        "phone": gettext("Phone:"),
        "website": gettext("Website"),
        "languages": gettext("Languages:"),
        "hours": gettext("Hours:"),
        "openNow": gettext("Open now"),
        "closedNow": gettext("Closed now"),
        "nextMeeting": gettext("Next meeting:"),
        "cancelled": gettext("Cancelled"),
        "addToCalendar": gettext("Add to calendar"),
        "verified": gettext("Last verified:"),
        "unverified": gettext("Not yet verified"),
        "source": gettext("Source"),
        "report": gettext("Report a problem"),
        "locating": gettext("Finding your location…"),
        "closed": gettext("closed"),
        "allDay": gettext("open 24 hours"),
        "locationFailed": gettext(
            "Your location is not available. Type an address or ZIP code instead."
        ),
        "call": gettext("Call"),
        "directions": gettext("Directions"),
        "zoomIn": gettext("Zoom in"),
        "zoomOut": gettext("Zoom out"),
        "close": gettext("Close"),
        "layers": gettext("Map layers"),
        "markers": gettext("Places on the map"),
        "district": gettext("District %(code)s"),
    }


def plural_forms(ui: UiLocale, singular: str, plural: str) -> dict[str, str]:
    """A counted message's translation for each of the language's CLDR plural categories
    (``one``, ``few``, ``other``, ...), which the script picks with ``Intl.PluralRules``."""
    rule = ui.locale.plural_form
    forms: dict[str, str] = {}
    for number in range(200):
        category = rule(number)
        if category not in forms:
            forms[category] = translations(ui.code).ngettext(singular, plural, number)
    return forms


def client_config(
    *,
    ui: UiLocale,
    gettext: Callable[[str], str],
    settings: Settings,
    categories: Sequence[str],
    language_codes: Sequence[str],
) -> dict[str, Any]:
    return {
        "lang": ui.code,
        "timezone": settings.timezone,
        "resourceUrl": RESOURCE_URL,
        "calendarUrl": EVENT_CALENDAR_PATH,
        "reportUrl": REPORT_PATH,
        "labels": _popup_words(gettext),
        "categories": [
            {
                "code": code,
                "label": category_label(code, gettext),
                "color": category_style(code).color,
                "icon": category_style(code).icon,
            }
            for code in categories
        ],
        "other": {"code": "", "label": "", "color": OTHER_STYLE.color, "icon": OTHER_STYLE.icon},
        "organizationKinds": {
            kind: gettext(text) for kind, text in ORGANIZATION_KIND_LABELS.items()
        },
        "supports": {support: gettext(text) for support, text in SUPPORT_LABELS.items()},
        "areaKinds": {kind: gettext(text) for kind, text in AREA_KIND_LABELS.items()},
        "languageNames": {code: ui.language(code) for code in language_codes},
        "placeCounts": plural_forms(ui, "%(num)s place", "%(num)s places"),
    }


def privacy_line(settings: Settings, gettext: Callable[[str], str]) -> str:
    if settings.tile_url is None:
        return gettext(
            "This page loads its scripts, styles, fonts and icons only from this site, and no "
            "map tiles. Searches are not logged."
        )
    host = urlsplit(settings.tile_url).hostname or settings.tile_url
    return gettext(
        "This page loads its scripts, styles, fonts and icons only from this site, and map "
        "tiles from %(host)s. Searches are not logged."
    ) % {"host": host}
