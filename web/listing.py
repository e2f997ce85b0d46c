"""A resource as the list shows it: words in the reader's language, links a phone can follow.

Everything here is plain text; the templates escape it (Jinja autoescape), so a name like
``<img src=x onerror=alert(1)>`` is shown, never run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.units import format_unit

from api.db.models import Category
from api.directory.schemas import ResourcePublic
from web.hours import local_hours
from web.i18n import UiLocale, uses_miles
from web.labels import (
    ORGANIZATION_KIND_LABELS,
    SUPPORT_LABELS,
    area_kind_label,
    area_name,
    category_label,
    category_style,
)
from web.links import (
    event_calendar_url,
    geo_url,
    osm_directions_url,
    report_url,
    safe_url,
    tel_url,
)

__all__ = ["ListedLanguage", "ListedResource", "format_distance", "listed"]

Gettext = Callable[[str], str]


@dataclass(frozen=True, kw_only=True)
class ListedLanguage:
    name: str
    support: str | None


@dataclass(frozen=True, kw_only=True)
class ListedResource:
    id: int
    name: str
    category: str
    category_label: str
    color: str
    icon: str
    organization: str | None
    run_by: str | None
    doj_recognized: bool | None
    """Only for legal aid: whether the organization is DOJ-recognized (None: not known)."""
    is_legal_aid: bool
    confidential: bool
    address: str | None
    areas: list[str]
    geo_url: str | None
    directions_url: str | None
    phone: str | None
    tel_url: str | None
    website: str | None
    languages: list[ListedLanguage]
    hours: str | None
    open_now: bool | None
    next_event_title: str | None
    next_event_when: str | None
    next_event_calendar: str | None
    verified: str | None
    source_url: str | None
    distance: str | None
    report_url: str


KM_PER_MILE = 1.609344


def format_distance(kilometres: float, ui: UiLocale) -> str:
    """``1,2 km`` by the locale's rules, with miles beside where the locale uses them
    (``1.2 km (0.7 mi)`` in American English)."""

    def unit(value: float, name: str) -> str:
        return format_unit(value, name, "short", locale=ui.locale, format="#,##0.#")

    metric = unit(kilometres, "length-kilometer")
    if not uses_miles(ui.locale):
        return metric
    return f"{metric} ({unit(kilometres / KM_PER_MILE, 'length-mile')})"


def _address(resource: ResourcePublic) -> str | None:
    location = resource.location
    if location.confidential or not location.address:
        return None
    city_line = " ".join(
        part for part in (location.city, location.state, location.postal_code) if part
    )
    return ", ".join(part for part in (location.address, city_line) if part)


def listed(
    resource: ResourcePublic, *, ui: UiLocale, gettext: Gettext, zone: ZoneInfo
) -> ListedResource:
    location = resource.location
    style = category_style(resource.category)
    organization = resource.organization
    address = _address(resource)
    confidential = location.confidential or address is None
    next_event = resource.next_event
    return ListedResource(
        id=resource.id,
        name=resource.name,
        category=resource.category,
        category_label=category_label(resource.category, gettext),
        color=style.color,
        icon=style.icon,
        organization=organization.name if organization else None,
        run_by=(
            gettext(ORGANIZATION_KIND_LABELS.get(organization.kind, organization.kind))
            if organization
            else None
        ),
        doj_recognized=organization.doj_recognized if organization else None,
        is_legal_aid=resource.category == Category.LEGAL_AID,
        confidential=confidential,
        address=address,
        areas=[
            f"{area_kind_label(area.kind, gettext)}: "
            f"{area_name(area.kind, area.code, area.name, gettext)}"
            for area in location.areas
        ],
        geo_url=None
        if confidential
        else geo_url(location.latitude, location.longitude, resource.name),
        directions_url=None
        if confidential
        else osm_directions_url(location.latitude, location.longitude),
        phone=resource.phone,
        tel_url=tel_url(resource.phone),
        website=safe_url(resource.website),
        languages=[
            ListedLanguage(
                name=ui.language(language.code),
                support=gettext(SUPPORT_LABELS[language.support])
                if language.support in SUPPORT_LABELS
                else None,
            )
            for language in resource.languages
        ],
        hours=local_hours(resource.hours, ui, gettext) if resource.hours else None,
        open_now=resource.open_now,
        next_event_title=next_event.title if next_event else None,
        next_event_when=_when(next_event.starts_at, ui, zone) if next_event else None,
        next_event_calendar=event_calendar_url(resource.id, next_event.id) if next_event else None,
        verified=format_date(resource.verified_at, format="long", locale=ui.locale)
        if resource.verified_at
        else None,
        source_url=safe_url(resource.source_url),
        distance=format_distance(resource.distance_km, ui)
        if resource.distance_km is not None
        else None,
        report_url=report_url(resource.id),
    )


def _when(moment: datetime, ui: UiLocale, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    day = format_date(local, format="full", locale=ui.locale)
    return f"{day}, {format_time(local, format='short', locale=ui.locale)}"
