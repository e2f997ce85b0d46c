"""Areas from GeoJSON polygons: which property is the code, which the name, and of what kind.

The options come from the command line (``--area-kind``, ``--code-property``,
``--name-property``) or from a sidecar file ``NAME.area.json`` next to ``NAME.geojson``::

    {"kind": "council_district", "code_property": "COUNCIL", "name_property": "name",
     "note": "...", "source_url": "https://..."}
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from api.db.models import Area
from api.directory.audit import record as audit
from api.directory.audit import snapshot
from api.geo.areas import parse_area_geometry, upsert_area
from seed.readers import RawRow, Source
from seed.report import Outcome, RowError, RowProblem

__all__ = ["AreaOptions", "AreaRecord", "AreaWriter", "area_record", "read_sidecar"]

_KIND = re.compile(r"[a-z][a-z0-9_]{0,39}")
_SIDECAR_KEYS = {"kind", "code_property", "name_property", "note", "source_url"}


@dataclass(frozen=True, kw_only=True)
class AreaOptions:
    kind: str
    """The area kind, lower case: ``council_district``, ``zip``, ``neighborhood``, ..."""
    code_property: str
    """The feature property holding the area's code (``5``, ``75217``)."""
    name_property: str | None = None
    """The property holding its display name; the code when not given."""
    note: str | None = None
    """Shown with every area of the file, e.g. which plan or vintage the map is."""
    source_url: str | None = None


@dataclass(frozen=True, kw_only=True)
class AreaRecord:
    file: str
    line: int
    kind: str
    code: str
    name: str
    geometry: dict[str, Any]
    note: str | None
    source_url: str | None


def read_sidecar(source: Source) -> AreaOptions:
    """Parse a sidecar; raise ValueError with a message naming the problem."""
    try:
        data = json.loads(source.data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not a JSON object: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    unknown = set(data) - _SIDECAR_KEYS
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}; expected {sorted(_SIDECAR_KEYS)}")
    if not isinstance(data.get("kind"), str) or not isinstance(data.get("code_property"), str):
        raise ValueError("needs text values for kind and code_property")
    for key in ("name_property", "note", "source_url"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise ValueError(f"{key}: expected text")
    return AreaOptions(
        kind=data["kind"],
        code_property=data["code_property"],
        name_property=data.get("name_property"),
        note=data.get("note"),
        source_url=data.get("source_url"),
    )


def check_options(options: AreaOptions) -> str | None:
    """Why the options cannot be used, or None."""
    if not _KIND.fullmatch(options.kind):
        return "area kind: expected lower-case letters, digits and _ (e.g. council_district)"
    if options.note is not None and len(options.note) > 500:
        return "note: at most 500 characters"
    return None


def area_record(raw: RawRow, options: AreaOptions) -> tuple[AreaRecord | None, list[RowProblem]]:
    named = (options.code_property, options.name_property or options.code_property)
    problems: list[RowProblem] = raw.nul_problems(dict.fromkeys(c.lower() for c in named))

    def fail(column: str, value: str, reason: str) -> None:
        problems.append(
            RowProblem(file=raw.file, line=raw.line, column=column, value=value, reason=reason)
        )

    code = raw.cells.get(options.code_property.lower(), "").strip()
    if not code:
        fail(options.code_property, code, "the area code property is missing or empty")
    elif len(code) > 40:
        fail(options.code_property, code, "too long: at most 40 characters")
    name = code
    if options.name_property:
        name = raw.cells.get(options.name_property.lower(), "").strip()
        if not name:
            fail(options.name_property, name, "the area name property is missing or empty")
        elif len(name) > 200:
            fail(options.name_property, name, "too long: at most 200 characters")
    geometry = raw.geometry
    if not geometry:
        fail("geometry", "null", "expected a Polygon or MultiPolygon")
    else:
        try:
            parse_area_geometry(geometry)
        except ValueError as exc:
            fail("geometry", str(geometry.get("type")), str(exc))
    if problems or geometry is None:
        return None, problems
    return (
        AreaRecord(
            file=raw.file,
            line=raw.line,
            kind=options.kind,
            code=code,
            name=name,
            geometry=geometry,
            note=options.note,
            source_url=options.source_url,
        ),
        [],
    )


class AreaWriter:
    def __init__(self, session: Session, *, actor: str) -> None:
        self.session = session
        self.actor = actor

    def write(self, record: AreaRecord) -> Outcome:
        existing = self.session.exec(
            select(Area).where(Area.kind == record.kind, Area.code == record.code)
        ).first()
        before = _snapshot(existing)
        try:
            area, outcome = upsert_area(
                self.session,
                kind=record.kind,
                code=record.code,
                name=record.name,
                geometry=record.geometry,
                note=record.note,
                source_url=record.source_url,
            )
        except ValueError as exc:
            problem = RowProblem(file=record.file, line=record.line, reason=str(exc))
            raise RowError(problem) from None
        if outcome != "unchanged":
            self.session.flush()
            audit(
                self.session,
                actor=self.actor,
                action="import",
                entity="area",
                entity_id=area.id,
                before=before,
                after=_snapshot(area),
            )
        return outcome


def _snapshot(area: Area | None) -> dict[str, Any] | None:
    """The area without its (large) geometry, which is kept as a digest."""
    data = snapshot(area)
    if data is None or area is None:
        return None
    data["geometry"] = "sha256:" + hashlib.sha256(area.geometry.encode()).hexdigest()
    return data
