"""Request parameters to search queries, refusing bad ones with a problem naming each.

Every route that searches (the JSON lists, the feeds, the facets) and the map page parse
their parameters here, so they accept and refuse exactly the same things. Values arrive as
text, as from a URL; repeated parameters (or comma-separated values) mean any of them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any, get_args

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlmodel import Session as SQLModelSession
from sqlmodel import col

from api.db.models import Area, Category, EventStatus, ResourceStatus, Support
from api.directory.languages import UnknownLanguage, normalize_language
from api.errors import InvalidInput, InvalidParam, Unavailable, Unprocessable
from api.geo.geocoding import GeocodeUnavailable, geocode, geocoder_name
from api.search.query import (
    DEFAULT_PER_PAGE,
    MAX_PER_PAGE,
    MAX_RADIUS_KM,
    BBox,
    EventQuery,
    ResourceQuery,
    SortKey,
)
from api.search.text import MAX_TERMS, search_terms
from api.settings import Settings

__all__ = ["MAX_Q_LENGTH", "MAX_VALUES", "event_query_from_params", "resource_query_from_params"]

MAX_VALUES = 20
"""Most values one repeated parameter may carry."""
MAX_Q_LENGTH = 200
"""Longest search text, in characters."""

Raw = str | int | float | bool | None
_EARLIEST_YEAR, _LATEST_YEAR = 1900, 2200
"""Dates outside these years are typing slips, and near the calendar's ends they overflow."""


def resource_query_from_params(
    session: Session,
    *,
    settings: Settings,
    category: Sequence[str] = (),
    language: Sequence[str] = (),
    language_support: Sequence[str] = (),
    area: Sequence[str] = (),
    near: str | None = None,
    address: str | None = None,
    radius_km: Raw = None,
    q: str | None = None,
    open_now: Raw = None,
    verified_within_days: Raw = None,
    status: Sequence[str] = (),
    sort: str | None = None,
    bbox: str | None = None,
    updated_since: str | None = None,
    include_retired: Raw = None,
    page: Raw = None,
    per_page: Raw = None,
) -> ResourceQuery:
    """A query from request parameters as given, or ``InvalidInput`` naming each bad one.

    ``address`` is geocoded through the configured geocoder (and its cache): ``Unavailable``
    when the geocoder cannot be reached, ``Unprocessable`` naming ``address`` when it finds
    no such place.
    """
    errors: list[InvalidParam] = []
    point = _parse_point(errors, near, address, radius_km)
    radius = _parse_radius(errors, radius_km)
    parsed_sort = _parse_sort(errors, sort, has_point=near is not None or address is not None)
    query = ResourceQuery(
        categories=_parse_enums(errors, "category", category, Category),
        languages=_parse_languages(errors, language),
        language_support=_parse_enums(errors, "language_support", language_support, Support),
        areas=_parse_areas(errors, session, area),
        radius_km=radius,
        q=_parse_q(errors, q),
        open_now=_parse_bool(errors, "open_now", open_now),
        verified_within_days=_parse_int(
            errors, "verified_within_days", verified_within_days, 1, 36500
        ),
        statuses=_parse_enums(errors, "status", status, ResourceStatus) or (ResourceStatus.ACTIVE,),
        sort=parsed_sort,
        bbox=_parse_bbox(errors, bbox),
        updated_since=_parse_since(errors, updated_since),
        include_retired=_parse_bool(errors, "include_retired", include_retired),
        page=_parse_int(errors, "page", page, 1, 1_000_000) or 1,
        per_page=_parse_int(errors, "per_page", per_page, 1, MAX_PER_PAGE) or DEFAULT_PER_PAGE,
    )
    if query.include_retired:
        _check_tombstones(errors, near=near, address=address, open_now=query.open_now)
        if query.sort not in (None, "updated"):
            errors.append(
                {"name": "include_retired", "reason": "tombstones come in sort=updated order"}
            )
    if errors:
        raise InvalidInput(errors)
    if point is None and address is not None:
        point = _geocode(session, settings, address)
    return replace(query, near=point)


def event_query_from_params(
    session: Session,
    *,
    settings: Settings,
    from_: str | None = None,
    to: str | None = None,
    status: Sequence[str] = (),
    category: Sequence[str] = (),
    language: Sequence[str] = (),
    area: Sequence[str] = (),
    near: str | None = None,
    address: str | None = None,
    radius_km: Raw = None,
    updated_since: str | None = None,
    include_retired: Raw = None,
    page: Raw = None,
    per_page: Raw = None,
) -> EventQuery:
    """An event query from request parameters; ``from``/``to`` take an ISO 8601 date or
    date-time (a date or a time without offset is read in the region's time zone; ``to`` as
    a date includes that whole day)."""
    errors: list[InvalidParam] = []
    point = _parse_point(errors, near, address, radius_km)
    query = EventQuery(
        starts_from=_parse_when(errors, "from", from_, settings, end_of_day=False),
        starts_to=_parse_when(errors, "to", to, settings, end_of_day=True),
        statuses=_parse_enums(errors, "status", status, EventStatus) or tuple(EventStatus),
        categories=_parse_enums(errors, "category", category, Category),
        languages=_parse_languages(errors, language),
        areas=_parse_areas(errors, session, area),
        radius_km=_parse_radius(errors, radius_km),
        updated_since=_parse_since(errors, updated_since),
        include_retired=_parse_bool(errors, "include_retired", include_retired),
        page=_parse_int(errors, "page", page, 1, 1_000_000) or 1,
        per_page=_parse_int(errors, "per_page", per_page, 1, MAX_PER_PAGE) or DEFAULT_PER_PAGE,
    )
    if query.include_retired:
        _check_tombstones(errors, near=near, address=address, open_now=False)
    if (
        query.starts_from is not None
        and query.starts_to is not None
        and query.starts_to <= query.starts_from
    ):
        errors.append({"name": "to", "reason": "must be later than 'from'"})
    if errors:
        raise InvalidInput(errors)
    if point is None and address is not None:
        point = _geocode(session, settings, address)
    return replace(query, near=point)


def _check_tombstones(
    errors: list[InvalidParam], *, near: str | None, address: str | None, open_now: bool
) -> None:
    """Tombstones have no place and no hours: they cannot be ranked by distance or open."""
    if near is not None or address is not None or open_now:
        errors.append(
            {
                "name": "include_retired",
                "reason": "tombstones have no place or hours: not with near, address or "
                "open_now (bbox narrows the live listings)",
            }
        )


_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")


def _parse_since(errors: list[InvalidParam], value: str | None) -> datetime | None:
    """An RFC 3339 date-time: a date, a time and its offset (``Z`` for UTC)."""
    if value is None:
        return None
    raw = value.strip()
    reason = "expected an RFC 3339 date-time with its offset, e.g. 2026-03-01T18:00:00Z"
    if not _RFC3339.fullmatch(raw):
        errors.append({"name": "updated_since", "reason": reason})
        return None
    try:
        moment = datetime.fromisoformat(f"{raw[:10]}T{raw[11:]}".upper())
    except ValueError:  # a day or an hour out of range: 2026-02-30, 25:00
        errors.append({"name": "updated_since", "reason": reason})
        return None
    if not _EARLIEST_YEAR <= moment.year <= _LATEST_YEAR:
        errors.append(
            {
                "name": "updated_since",
                "reason": f"expected a year from {_EARLIEST_YEAR} to {_LATEST_YEAR}",
            }
        )
        return None
    return moment


def _parse_bbox(errors: list[InvalidParam], value: str | None) -> BBox | None:
    """``min_lon,min_lat,max_lon,max_lat`` in decimal degrees (GeoJSON's order)."""
    if value is None:
        return None
    parts = value.split(",")
    shape = "expected min_lon,min_lat,max_lon,max_lat in decimal degrees, e.g. " + (
        "-96.9,32.7,-96.7,32.9"
    )
    if len(parts) != 4:
        errors.append({"name": "bbox", "reason": shape})
        return None
    try:
        min_lon, min_lat, max_lon, max_lat = (float(part) for part in parts)
    except ValueError:
        errors.append({"name": "bbox", "reason": shape})
        return None
    problems = []
    for name, number, limit in (
        ("min_lon", min_lon, 180),
        ("min_lat", min_lat, 90),
        ("max_lon", max_lon, 180),
        ("max_lat", max_lat, 90),
    ):
        if not (math.isfinite(number) and -limit <= number <= limit):
            problems.append(f"{name} {number:g} is outside -{limit}..{limit}")
    if not problems and min_lat > max_lat:
        problems.append("min_lat is greater than max_lat")
    if not problems and min_lon > max_lon:
        problems.append("min_lon is greater than max_lon (a box across the antimeridian is two)")
    if problems:
        errors.append({"name": "bbox", "reason": "; ".join(problems)})
        return None
    return BBox(min_lon, min_lat, max_lon, max_lat)


def _parse_enums(errors: list[InvalidParam], name: str, values: Sequence[str], kind: Any) -> Any:
    members = []
    allowed = [member.value for member in kind]
    for value in _values(errors, name, values):
        try:
            member = kind(value.strip().lower())
        except ValueError:
            errors.append(
                {
                    "name": name,
                    "reason": f"unknown value {value!r}; expected one of: {', '.join(allowed)}",
                }
            )
            continue
        if member not in members:
            members.append(member)
    return tuple(members)


def _values(errors: list[InvalidParam], name: str, values: Sequence[str]) -> list[str]:
    if isinstance(values, str):
        values = [values]
    split = [part for value in values for part in value.split(",") if part.strip()]
    if len(split) > MAX_VALUES:
        errors.append({"name": name, "reason": f"at most {MAX_VALUES} values"})
        return []
    return split


def _parse_languages(errors: list[InvalidParam], values: Sequence[str]) -> tuple[str, ...]:
    codes: list[str] = []
    for value in _values(errors, "language", values):
        try:
            code = normalize_language(value)
        except UnknownLanguage as exc:
            errors.append({"name": "language", "reason": str(exc)})
            continue
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _parse_areas(
    errors: list[InvalidParam], session: Session, values: Sequence[str]
) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for value in _values(errors, "area", values):
        kind, sep, code = value.strip().partition(":")
        if not sep or not kind.strip() or not code.strip():
            errors.append(
                {"name": "area", "reason": f"{value!r}: expected kind:code, e.g. zip:75217"}
            )
            continue
        pair = (kind.strip().lower(), code.strip())
        if pair not in pairs:
            pairs.append(pair)
    if not pairs:
        return ()
    kinds = set(session.execute(select(col(Area.kind)).distinct()).scalars())
    known = set(
        session.execute(
            select(col(Area.kind), col(Area.code)).where(
                or_(*(and_(col(Area.kind) == kind, col(Area.code) == code) for kind, code in pairs))
            )
        )
    )
    for kind, code in pairs:
        if kind not in kinds:
            listed = ", ".join(sorted(kinds)) or "none loaded"
            errors.append(
                {"name": "area", "reason": f"unknown area kind {kind!r}; known kinds: {listed}"}
            )
        elif (kind, code) not in known:
            errors.append({"name": "area", "reason": f"no {kind} area with code {code!r}"})
    return tuple(pairs)


def _parse_point(
    errors: list[InvalidParam], near: str | None, address: str | None, radius_km: Raw
) -> tuple[float, float] | None:
    if near is not None and address is not None:
        errors.append({"name": "address", "reason": "give either near or address, not both"})
        return None
    if near is None:
        if address is not None and not address.strip():
            errors.append({"name": "address", "reason": "must not be empty"})
        if address is None and radius_km is not None:
            errors.append({"name": "radius_km", "reason": "needs a point: give near or address"})
        return None
    reason = "expected latitude,longitude in decimal degrees, e.g. 32.7767,-96.7970"
    parts = near.split(",")
    if len(parts) != 2:
        errors.append({"name": "near", "reason": reason})
        return None
    try:
        latitude, longitude = float(parts[0]), float(parts[1])
    except ValueError:
        errors.append({"name": "near", "reason": reason})
        return None
    if not (math.isfinite(latitude) and -90 <= latitude <= 90):
        errors.append({"name": "near", "reason": f"latitude {parts[0].strip()} is outside -90..90"})
        return None
    if not (math.isfinite(longitude) and -180 <= longitude <= 180):
        errors.append(
            {"name": "near", "reason": f"longitude {parts[1].strip()} is outside -180..180"}
        )
        return None
    return latitude, longitude


def _parse_radius(errors: list[InvalidParam], value: Raw) -> float | None:
    if value is None or value == "":
        return None
    reason = f"expected a distance in km greater than 0 and at most {MAX_RADIUS_KM:g}"
    try:
        radius = float(value)
    except (TypeError, ValueError):
        errors.append({"name": "radius_km", "reason": reason})
        return None
    if not (math.isfinite(radius) and 0 < radius <= MAX_RADIUS_KM):
        errors.append({"name": "radius_km", "reason": reason})
        return None
    return radius


def _parse_sort(
    errors: list[InvalidParam], value: str | None, *, has_point: bool
) -> SortKey | None:
    if value is None or value == "":
        return None
    allowed = get_args(SortKey)
    key = value.strip().lower()
    if key not in allowed:
        errors.append({"name": "sort", "reason": f"expected one of: {', '.join(allowed)}"})
        return None
    if key == "distance" and not has_point:
        errors.append({"name": "sort", "reason": "sorting by distance needs near or address"})
        return None
    return key  # type: ignore[return-value]


def _parse_q(errors: list[InvalidParam], value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > MAX_Q_LENGTH:
        errors.append({"name": "q", "reason": f"at most {MAX_Q_LENGTH} characters"})
        return None
    terms = search_terms(value)
    if not terms:
        errors.append({"name": "q", "reason": "expected at least one word to search for"})
        return None
    if len(terms) > MAX_TERMS:
        errors.append({"name": "q", "reason": f"at most {MAX_TERMS} words"})
        return None
    return value


def _parse_bool(errors: list[InvalidParam], name: str, value: Raw) -> bool:
    if value is None or value == "" or isinstance(value, bool):
        return bool(value)
    text_value = str(value).strip().lower()
    if text_value in ("1", "true", "yes", "on"):
        return True
    if text_value in ("0", "false", "no", "off"):
        return False
    errors.append({"name": name, "reason": "expected true or false"})
    return False


def _parse_int(
    errors: list[InvalidParam], name: str, value: Raw, least: int, most: int
) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        errors.append({"name": name, "reason": f"expected a whole number from {least} to {most}"})
        return None
    if isinstance(value, bool) or not least <= number <= most:
        errors.append({"name": name, "reason": f"expected a whole number from {least} to {most}"})
        return None
    return number


def _parse_when(
    errors: list[InvalidParam],
    name: str,
    value: str | None,
    settings: Settings,
    *,
    end_of_day: bool,
) -> datetime | None:
    if value is None or not value.strip():
        return None
    raw = value.strip()
    try:
        whole_day = len(raw) == 10
        moment = datetime.combine(date.fromisoformat(raw), time()) if whole_day else None
        moment = moment or datetime.fromisoformat(raw)
    except ValueError:
        errors.append(
            {
                "name": name,
                "reason": "expected an ISO 8601 date or date-time, e.g. 2026-03-01 or "
                "2026-03-01T18:00:00-06:00",
            }
        )
        return None
    if not _EARLIEST_YEAR <= moment.year <= _LATEST_YEAR:
        errors.append(
            {"name": name, "reason": f"expected a year from {_EARLIEST_YEAR} to {_LATEST_YEAR}"}
        )
        return None
    if whole_day and end_of_day:
        moment += timedelta(days=1)
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=settings.zone)


def _geocode(session: Session, settings: Settings, address: str) -> tuple[float, float]:
    if not isinstance(session, SQLModelSession):
        # The geocoder's cache speaks SQLModel; share this session's connection and transaction.
        session = SQLModelSession(
            bind=session.connection(), join_transaction_mode="create_savepoint"
        )
    try:
        found = geocode(session, settings, address, resident=True)
    except GeocodeUnavailable as exc:
        raise Unavailable(
            "Geocoder", f"The address could not be looked up right now: {exc.reason}"
        ) from None
    except ValueError as exc:
        raise InvalidInput([{"name": "address", "reason": str(exc)}]) from None
    if found is None:
        raise Unprocessable(
            [
                {
                    "name": "address",
                    "reason": f"{geocoder_name(settings)} found no place for this address",
                }
            ]
        )
    return found.latitude, found.longitude
