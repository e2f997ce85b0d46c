"""Points for resource rows: given coordinates as they are, the others through the geocoder.

Rows with coordinates are never sent to a geocoder. Each distinct address is looked up
once, through the cache, in its own short transaction: the cache keeps every answer even
when the import itself is refused or is a dry run, so trying again asks nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine
from sqlmodel import Session

from api.db.models import Precision
from api.geo.geocoding import GeocodeUnavailable, geocode
from api.settings import Settings
from seed.locations import Point
from seed.progress import Progress
from seed.records import ResourceRecord
from seed.report import RowProblem

__all__ = ["place_records"]


def place_records(
    engine: Engine,
    settings: Settings,
    records: Sequence[ResourceRecord],
    *,
    progress: Progress,
) -> tuple[dict[tuple[str, int], Point], list[RowProblem]]:
    """A point for each placeable row, keyed by (file, line), and a problem for each other."""
    points: dict[tuple[str, int], Point] = {}
    problems: list[RowProblem] = []
    pending = [r for r in records if r.location.needs_geocoding]
    for record in records:
        location = record.location
        if location.latitude is not None and location.longitude is not None:
            points[(record.file, record.line)] = Point(
                latitude=location.latitude,
                longitude=location.longitude,
                precision=location.precision or Precision.PROVIDED,
            )
    if not pending:
        return points, problems
    answers: dict[tuple[str, str | None], Point | str] = {}
    progress.start(f"Geocoding ({settings.geocoder})", len(pending))
    for record in pending:
        query = record.location.query
        postal_code = record.location.values.get("postal_code")
        key = (query, postal_code)
        if key not in answers:
            answers[key] = _lookup(engine, settings, query, postal_code)
        answer = answers[key]
        if isinstance(answer, Point):
            points[(record.file, record.line)] = answer
        else:
            problems.append(
                RowProblem(
                    file=record.file,
                    line=record.line,
                    column="address",
                    value=query,
                    reason=answer,
                )
            )
        progress.advance()
    progress.finish()
    return points, problems


def _lookup(engine: Engine, settings: Settings, query: str, postal_code: str | None) -> Point | str:
    with Session(engine) as session:
        try:
            result = geocode(session, settings, query, postal_code=postal_code)
        except GeocodeUnavailable as exc:
            session.commit()
            return f"geocoder unavailable ({exc.reason}); try again later or give coordinates"
        except ValueError as exc:
            return str(exc)
        session.commit()
    if result is None:
        if settings.geocoder == "offline" and not postal_code:
            return "the offline geocoder needs a postal_code; add one or give coordinates"
        return "the geocoder found no match for this address; check it or give coordinates"
    return Point(
        latitude=result.latitude,
        longitude=result.longitude,
        precision=Precision(result.precision),
    )
