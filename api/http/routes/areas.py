"""Areas: the named polygons locations are tagged with, and how many resources each holds.

``GET /api/v1/areas`` is the full list, not paginated: a region has at most a few hundred
areas, and a map legend or a filter menu needs all of them at once. Each area's count is its
active, non-retired resources at non-retired locations tagged with it.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import FromPath, FromQuery, Parameter
from pydantic import BaseModel
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from api.db.models import Area, Location, LocationArea, Resource, ResourceStatus
from api.formats.geojson import MEDIA_TYPE as GEOJSON
from api.formats.geojson import area_feature
from api.http.caching import cacheable_json
from api.http.problems import Problem, invalid

__all__ = ["AreaList", "AreaSummary", "get_area", "list_areas"]


class AreaSummary(BaseModel):
    kind: str
    code: str
    name: str
    note: str | None = None
    """What a reader must know about the area, e.g. which districting plan it comes from."""
    source_url: str | None = None
    resources: int
    """Active resources at locations inside the area."""


class AreaList(BaseModel):
    items: list[AreaSummary]
    total: int


def _code_order(code: str) -> tuple[int, int | str]:
    """Numeric codes in numeric order (district 2 before district 10), the rest by text."""
    return (0, int(code)) if code.isdigit() else (1, code)


def _counts(
    session: Session, kind: str | None, *, area_id: int | None = None
) -> list[tuple[Area, int]]:
    resource_join = and_(
        col(Resource.location_id) == col(Location.id),
        col(Resource.status) == ResourceStatus.ACTIVE.value,
        col(Resource.retired_at).is_(None),
    )
    location_join = and_(
        col(Location.id) == col(LocationArea.location_id), col(Location.retired_at).is_(None)
    )
    statement = (
        select(Area, func.count(func.distinct(col(Resource.id))))
        .outerjoin(LocationArea, col(LocationArea.area_id) == col(Area.id))
        .outerjoin(Location, location_join)
        .outerjoin(Resource, resource_join)
        .group_by(col(Area.id))
    )
    if kind is not None:
        statement = statement.where(col(Area.kind) == kind)
    if area_id is not None:
        statement = statement.where(col(Area.id) == area_id)
    rows = [(area, int(count)) for area, count in session.execute(statement).all()]
    return sorted(rows, key=lambda row: (row[0].kind, _code_order(row[0].code)))


def _summary(area: Area, count: int) -> AreaSummary:
    return AreaSummary(
        kind=area.kind,
        code=area.code,
        name=area.name,
        note=area.note,
        source_url=area.source_url,
        resources=count,
    )


def _kinds(session: Session) -> list[str]:
    return sorted(session.scalars(select(col(Area.kind)).distinct()).all())


def _unknown_kind(session: Session, kind: str, *, where: str) -> Problem:
    known = ", ".join(_kinds(session)) or "none loaded yet"
    return invalid(
        [{"name": "kind", "in": where, "reason": f"unknown area kind {kind!r}: expected {known}"}],
        status=404 if where == "path" else 400,
    )


@get(
    "/api/v1/areas",
    tags=["areas"],
    summary="All areas, with how many resources each holds",
    sync_to_thread=True,
)
def list_areas(
    db_session: NamedDependency[Session],
    kind: FromQuery[
        Annotated[
            str | None,
            Parameter(
                description="Only areas of this kind, e.g. `zip` or `council_district`",
                examples=[Example(value="council_district")],
            ),
        ]
    ] = None,
) -> Response[AreaList]:
    if kind is not None:
        kind = kind.strip().lower()
        if kind not in _kinds(db_session):
            raise _unknown_kind(db_session, kind, where="query")
    items = [_summary(area, count) for area, count in _counts(db_session, kind)]
    return cacheable_json(AreaList(items=items, total=len(items)))


@get(
    "/api/v1/areas/{kind:str}/{code:str}",
    tags=["areas"],
    summary="One area as a GeoJSON Feature",
    media_type=GEOJSON,
    sync_to_thread=True,
)
def get_area(
    db_session: NamedDependency[Session],
    kind: FromPath[
        Annotated[
            str, Parameter(description="Area kind", examples=[Example(value="council_district")])
        ]
    ],
    code: FromPath[
        Annotated[
            str, Parameter(description="Area code within its kind", examples=[Example(value="5")])
        ]
    ],
) -> Response[dict[str, Any]]:
    kind = kind.strip().lower()
    area = db_session.scalars(
        select(Area).where(col(Area.kind) == kind, col(Area.code) == code)
    ).first()
    if area is None:
        if kind not in _kinds(db_session):
            raise _unknown_kind(db_session, kind, where="path")
        raise Problem(
            404,
            "Unknown area",
            f"There is no {kind} area with code {code!r}.",
            invalid_params=[
                {"name": "code", "in": "path", "reason": f"no {kind} area has code {code!r}"}
            ],
        )
    [(_, count)] = _counts(db_session, kind, area_id=area.id)
    feature = area_feature(_summary(area, count), area.geometry)
    feature["bbox"] = [area.min_longitude, area.min_latitude, area.max_longitude, area.max_latitude]
    feature["properties"]["center"] = {
        "latitude": area.center_latitude,
        "longitude": area.center_longitude,
    }
    body = json.dumps(feature, ensure_ascii=False, separators=(",", ":")).encode()
    return cacheable_json(body, media_type=GEOJSON)
