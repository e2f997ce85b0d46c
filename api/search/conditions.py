"""The one place filters become SQL: language, area, category, distance, text, status.

Filters combine with AND; the values of one filter with OR. A radius is an index-backed
box holding every location within it and a few more (SQLite: the ``location_rtree``
R*Tree, or with a language filter ``resource_language_rtree``, which narrows by place and
language together; PostgreSQL: ``ST_DWithin`` on the ``geog`` column's GiST index); the
exact great-circle distance then decides (``api.search.ranking``). Confidential locations are
gathered apart (a small partial index), since they are measured at their public point.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    and_,
    column,
    exists,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session
from sqlmodel import col

from api.db.models import Area, Location, LocationArea, Resource, ResourceLanguage, table_of
from api.geo.distance import bounding_box
from api.search.changes import changed_at
from api.search.query import BBox, ResourceQuery
from api.search.results import KnownAreas, public_point
from api.search.text import search_terms, text_match

__all__ = [
    "CONFIDENTIAL",
    "RESOURCE_CHANGED_AT",
    "SECRET",
    "bbox_condition",
    "dialect_of",
    "in_areas",
    "language_key",
    "near_condition",
    "pg_point",
    "resource_conditions",
]

CONFIDENTIAL = cast(ColumnElement[bool], Location.confidential)
SECRET = col(Location.id).in_(
    text("SELECT id FROM location WHERE confidential").columns(column("id", Integer))
)
"""Confidential locations, written so both databases read them off the partial index
``ix_location_confidential`` (``location.confidential = 1`` would scan every row)."""


RESOURCE_CHANGED_AT = changed_at(table_of(Resource), table_of(Location))
"""When a resource's listing last changed (``api.search.changes``)."""


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


def resource_conditions(
    query: ResourceQuery, now: datetime, session: Session
) -> list[ColumnElement[bool]]:
    """Every filter of ``query`` but distance and ``open_now`` (decided in Python).

    With ``include_retired``, a retired resource (or one at a retired location) matches
    too, whatever the other filters: it is sent as a tombstone. ``updated_since`` holds
    for both."""
    live = _live_conditions(query, now, session)
    if query.include_retired:
        retired = or_(col(Resource.retired_at).is_not(None), col(Location.retired_at).is_not(None))
        live = [or_(and_(*live), retired)]
    if query.updated_since is not None:
        live.append(query.updated_since <= RESOURCE_CHANGED_AT)
    return live


def _live_conditions(
    query: ResourceQuery, now: datetime, session: Session
) -> list[ColumnElement[bool]]:
    dialect = dialect_of(session)
    conditions: list[ColumnElement[bool]] = [
        col(Resource.retired_at).is_(None),
        col(Location.retired_at).is_(None),
    ]
    if query.statuses:
        conditions.append(col(Resource.status).in_([s.value for s in query.statuses]))
    if query.categories:
        conditions.append(col(Resource.category).in_([c.value for c in query.categories]))
    if query.languages or query.language_support:
        language = [col(ResourceLanguage.resource_id) == col(Resource.id)]
        if query.languages:
            language.append(col(ResourceLanguage.code).in_(query.languages))
        if query.language_support:
            language.append(
                col(ResourceLanguage.support).in_([s.value for s in query.language_support])
            )
        conditions.append(exists().where(*language))
    if query.areas:
        conditions.append(in_areas(col(Resource.location_id), query.areas))
    if query.verified_within_days is not None:
        since = now - timedelta(days=query.verified_within_days)
        conditions.append(col(Resource.verified_at) >= since)
    if query.q is not None and (terms := search_terms(query.q)):
        conditions.append(text_match(terms, dialect))
    if query.bbox is not None:
        conditions.append(bbox_condition(session, query.bbox))
    return conditions


def bbox_condition(session: Session, bbox: BBox) -> ColumnElement[bool]:
    """Locations shown inside ``bbox``: a public one at its point (the ``(latitude,
    longitude)`` index narrows), a confidential one at its public point, found in Python
    among the few confidential places."""
    shown = and_(
        not_(CONFIDENTIAL),
        col(Location.latitude).between(bbox.min_lat, bbox.max_lat),
        col(Location.longitude).between(bbox.min_lon, bbox.max_lon),
    )
    secret = session.execute(
        select(col(Location.id), col(Location.latitude), col(Location.longitude)).where(
            SECRET, col(Location.retired_at).is_(None)
        )
    ).all()
    known = KnownAreas(session=session).of(row.id for row in secret)
    inside = [
        row.id
        for row in secret
        if bbox.holds(*public_point(row.latitude, row.longitude, True, known[row.id]))
    ]
    return or_(shown, col(Location.id).in_(inside)) if inside else shown


def in_areas(location_id: Any, areas: Sequence[tuple[str, str]]) -> ColumnElement[bool]:
    return exists().where(
        col(LocationArea.location_id) == location_id,
        col(LocationArea.area_id) == col(Area.id),
        or_(*(and_(col(Area.kind) == kind, col(Area.code) == code) for kind, code in areas)),
    )


LANGUAGE_KEY_SPAN = 32768
"""An entry of ``resource_language_rtree`` has the id ``resource_id * LANGUAGE_KEY_SPAN +
language_key(code)`` (migration 0008)."""
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


def language_key(code: str) -> int | None:
    """A language code (two or three lower-case letters) as the number the index keeps: its
    letters as base-27 digits, a missing third letter as 0 (so every code has its own key,
    below 2**15 and exact in the index's 32-bit floats). ``None`` for anything else."""
    if not _LANGUAGE_CODE.fullmatch(code):
        return None
    digits = [ord(letter) - 96 for letter in code] + [0]
    return digits[0] * 729 + digits[1] * 27 + digits[2]


def near_condition(
    near: tuple[float, float],
    radius_km: float,
    dialect: str,
    languages: Sequence[str] = (),
) -> ColumnElement[bool]:
    """A cheap, index-backed condition holding every location within the radius (and a few
    more, which the exact distance then drops). With ``languages`` on SQLite, it holds every
    resource there offering one of them (and a few more: the language filter itself still
    decides)."""
    latitude, longitude = near
    if dialect == "postgresql":
        metres = radius_km * 1000 * (1 + 1e-6) + 1
        # Used bare (not ``IS true``), so the planner can take the GiST index.
        return func.ST_DWithin(
            literal_column("location.geog"), pg_point(near), metres, false(), type_=Boolean
        )
    box = bounding_box(latitude, longitude, radius_km)
    slack = 1e-5  # R*Tree keeps 32-bit floats, rounded outwards
    keys = [language_key(code) for code in languages]
    if keys and None not in keys:
        known = [key for key in keys if key is not None]
        offering = text(
            "SELECT id / 32768 AS resource_id FROM resource_language_rtree"  # LANGUAGE_KEY_SPAN
            " WHERE max_lat >= :box_s AND min_lat <= :box_n"
            " AND max_lon >= :box_w AND min_lon <= :box_e"
            " AND max_code >= :code_low AND min_code <= :code_high"
        ).bindparams(
            box_s=box.min_lat - slack,
            box_n=box.max_lat + slack,
            box_w=box.min_lon - slack,
            box_e=box.max_lon + slack,
            code_low=min(known),
            code_high=max(known),
        )
        return col(Resource.id).in_(offering.columns(column("resource_id", Integer)))
    boxed = text(
        "SELECT id FROM location_rtree WHERE max_lat >= :box_s AND min_lat <= :box_n"
        " AND max_lon >= :box_w AND min_lon <= :box_e"
    ).bindparams(
        box_s=box.min_lat - slack,
        box_n=box.max_lat + slack,
        box_w=box.min_lon - slack,
        box_e=box.max_lon + slack,
    )
    return col(Location.id).in_(boxed.columns(column("id", Integer)))


def pg_point(near: tuple[float, float]) -> Any:
    latitude, longitude = near
    return func.ST_SetSRID(func.ST_MakePoint(longitude, latitude), 4326).op("::")(
        literal_column("geography")
    )
