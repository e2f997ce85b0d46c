"""Import staff files into the directory: the one path the command line and uploads share.

A run reads every file, validates every row, places rows without coordinates through the
geocoder (cache first), then writes areas, resources and events in one transaction. Areas
and events have a savepoint per row; resources go a batch at a time (``seed.batches``), a
savepoint per batch, and a batch the database refuses is written again row by row, so the
refused row is the one reported. By default one refused row refuses the run: the
transaction is rolled back and the directory is exactly as it was. ``partial`` keeps the
good rows; ``dry_run`` always rolls back (geocoder answers stay cached).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlmodel import Session

from api.db.engine import begin_writing
from api.db.models import utcnow
from api.geo.areas import AreaLookup, retag_locations
from api.search.text import reindex_resources
from api.settings import Settings
from seed.areas import AreaOptions, AreaRecord, AreaWriter, area_record, check_options, read_sidecar
from seed.batches import BATCH_SIZE, ResourceBatch
from seed.duplicates import unique_areas, unique_events, unique_resources
from seed.events import EventWriter
from seed.geocoding import place_records
from seed.hsds import holds_hsds, read_hsds
from seed.locations import Locations, Point
from seed.organizations import Organizations
from seed.progress import READING, Progress, Silent
from seed.readers import (
    SIDECAR_SUFFIX,
    ReadError,
    Source,
    Table,
    detect_kind,
    order_key,
    read_table,
    sources_from_paths,
)
from seed.records import (
    EVENT_COLUMNS,
    RESOURCE_COLUMNS,
    RESOURCE_EXTRA_COLUMNS,
    EventRecord,
    ResourceRecord,
    event_record,
    resource_record,
)
from seed.report import ImportReport, Kind, Outcome, RowError, RowProblem
from seed.resources import ResourceWriter

__all__ = ["AreaOptions", "Source", "import_paths", "import_sources", "sources_from_paths"]

ANALYZE_AFTER_ROWS = 1000
"""An import that creates or changes this many rows refreshes the planner's statistics."""
STATISTICS_TABLES = (
    "organization",
    "location",
    "location_area",
    "resource",
    "resource_language",
    "resource_fts",
    "event",
    "event_language",
    "area",
)

_REQUIRED: dict[Kind, tuple[str, ...]] = {
    "resources": ("category", "name"),
    "events": ("title", "venue", "starts_at"),
    "areas": (),
}
_KNOWN: dict[Kind, set[str]] = {
    "resources": set(RESOURCE_COLUMNS) | set(RESOURCE_EXTRA_COLUMNS),
    "events": set(EVENT_COLUMNS),
    "areas": set(),
}


@dataclass(kw_only=True)
class _Planned:
    kind: Kind
    table: Table
    options: AreaOptions | None = None


def import_paths(
    engine: Engine, settings: Settings, paths: Sequence[Path], **options: Any
) -> ImportReport:
    """:func:`import_sources` over files and folders on disk."""
    return import_sources(engine, settings, sources_from_paths(tuple(paths)), **options)


def import_sources(
    engine: Engine,
    settings: Settings,
    sources: Sequence[Source],
    *,
    kind: Kind | None = None,
    dry_run: bool = False,
    partial: bool = False,
    area_options: AreaOptions | None = None,
    actor: str = "cli",
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Validate and import ``sources``; the report says what was (or would be) written.

    ``kind`` forces what every file holds (else it is read from the header or shape);
    ``area_options`` name the kind, code and name properties of area files without a
    sidecar; ``actor`` is written to the audit trail.
    """
    report = ImportReport(dry_run=dry_run, partial=partial)
    progress = progress or Silent()
    now = now or utcnow()
    plans = _plan(sources, kind, area_options, report)

    areas: list[AreaRecord] = []
    resources: list[ResourceRecord] = []
    events: list[EventRecord] = []
    refused: dict[str, str] = {}
    """external_id of each refused resource row -> its file:line, to explain its events."""
    _phase(progress, READING, sum(len(plan.table.rows) for plan in plans))
    for plan in plans:
        for raw in plan.table.rows:
            progress.advance()
            problems: list[RowProblem]
            if plan.kind == "areas":
                assert plan.options is not None
                area, problems = area_record(raw, plan.options)
                if area is not None:
                    areas.append(area)
            elif plan.kind == "resources":
                resource, problems = resource_record(raw, zone=settings.zone, now=now)
                if resource is not None:
                    resources.append(resource)
                elif external_id := raw.cells.get("external_id", "").strip():
                    refused.setdefault(external_id, f"{raw.file}:{raw.line}")
            else:
                event, problems = event_record(raw, zone=settings.zone)
                if event is not None:
                    events.append(event)
            report.reject(plan.kind, problems)
    areas = unique_areas(areas, report)
    resources = unique_resources(resources, report)
    events = unique_events(events, report)

    points, problems = place_records(engine, settings, resources, progress=progress)
    for problem in problems:
        report.reject("resources", [problem])
    for resource in resources:
        if resource.external_id and (resource.file, resource.line) not in points:
            refused.setdefault(resource.external_id, f"{resource.file}:{resource.line}")

    session = Session(engine, expire_on_commit=False)
    # SQLite: other writers queue behind the import. A dry run writes too (then rolls back):
    # begun deferred, its first write would fail outright once another writer had
    # committed since its first read.
    begin_writing(session)
    try:
        organizations = Organizations(session, actor=actor)
        locations = Locations(session, actor=actor)
        area_writer = AreaWriter(session, actor=actor)
        resource_writer = ResourceWriter(
            session, actor=actor, organizations=organizations, locations=locations
        )
        event_writer = EventWriter(
            session, actor=actor, organizations=organizations, locations=locations
        )

        def row(
            kind: Kind, file: str, line: int, key: str, write: Callable[[], Outcome]
        ) -> Outcome | None:
            try:
                with session.begin_nested():
                    outcome = write()
            except RowError as exc:
                resource_writer.reset()
                report.reject(kind, [exc.problem])
                return None
            except (IntegrityError, DBAPIError) as exc:
                if _database_gone(exc):
                    raise
                resource_writer.reset()
                reason = f"the database refused this row: {_first_line(exc.orig)}"
                report.reject(kind, [RowProblem(file=file, line=line, reason=reason)])
                return None
            changes = resource_writer.changes if kind == "resources" else ()
            report.settle(kind, file=file, line=line, outcome=outcome, key=key, changes=changes)
            return outcome

        _phase(progress, "Writing areas", len(areas))
        areas_changed = False
        for area in areas:
            write_area = functools.partial(area_writer.write, area)
            outcome = row("areas", area.file, area.line, f"{area.kind}:{area.code}", write_area)
            areas_changed = areas_changed or outcome in ("created", "updated")
            progress.advance()
        if areas_changed:
            with session.begin_nested():
                retag_locations(session)

        _phase(progress, "Writing resources", len(resources))
        batch = ResourceBatch(
            session, actor=actor, writer=resource_writer, areas=AreaLookup.load(session)
        )

        def write_resource(resource: ResourceRecord, point: Point) -> None:
            write = functools.partial(resource_writer.write, resource, point)
            key = resource.external_id or resource.name
            outcome = row("resources", resource.file, resource.line, key, write)
            if outcome is None and resource.external_id:
                refused.setdefault(resource.external_id, f"{resource.file}:{resource.line}")

        def write_batch(taken: list[tuple[ResourceRecord, Point]]) -> None:
            if not taken:
                return
            try:
                with session.begin_nested():
                    outcomes = batch.write()
            except (IntegrityError, DBAPIError) as exc:
                if _database_gone(exc):
                    raise
                # Written again row by row, so the refused row is the one reported.
                batch.clear()
                resource_writer.reset()
                for resource, point in taken:
                    write_resource(resource, point)
            else:
                for (resource, _), (outcome, changes) in zip(taken, outcomes, strict=True):
                    report.settle(
                        "resources",
                        file=resource.file,
                        line=resource.line,
                        outcome=outcome,
                        key=resource.external_id or resource.name,
                        changes=changes,
                    )
            progress.advance(len(taken))
            taken.clear()

        for start in range(0, len(resources), BATCH_SIZE):
            chunk = resources[start : start + BATCH_SIZE]
            placed = [(r, p) for r in chunk if (p := points.get((r.file, r.line))) is not None]
            if unplaced := len(chunk) - len(placed):
                progress.advance(unplaced)
            batch.prefetch([resource for resource, _ in placed])
            taken: list[tuple[ResourceRecord, Point]] = []
            for resource, point in placed:
                if batch.add(resource, point):
                    taken.append((resource, point))
                    continue
                write_batch(taken)
                write_resource(resource, point)
                progress.advance()
            write_batch(taken)
        if resource_writer.touched:
            with session.begin_nested():
                reindex_resources(session, sorted(resource_writer.touched))

        _phase(progress, "Writing events", len(events))
        for event in events:
            if event.venue in refused:
                reason = f"its resource ({refused[event.venue]}) was refused"
                problem = RowProblem(
                    file=event.file,
                    line=event.line,
                    column="venue",
                    value=event.venue,
                    reason=reason,
                )
                report.reject("events", [problem])
            else:
                write_event = functools.partial(event_writer.write, event)
                key = event.external_id or str(event.values.get("title", ""))
                row("events", event.file, event.line, key, write_event)
            progress.advance()
        progress.finish()

        if not dry_run and (partial or report.ok):
            if _changed_rows(report) >= ANALYZE_AFTER_ROWS:
                _refresh_statistics(session)
            session.commit()
            report.written = True
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    return report


def _database_gone(exc: DBAPIError) -> bool:
    """Whether the error is the database's, not the row's: a lost connection, or one that
    cannot go on (SQLite locked). The import then fails as a whole, and nothing is written."""
    return exc.connection_invalidated or isinstance(exc, OperationalError)


def _refresh_statistics(session: Session) -> None:
    """Refresh PostgreSQL's planner statistics of the directory tables, in the import's own
    transaction. Planned on the statistics of tables that were nearly empty, searches scan
    rows instead of using their indexes (40 ms instead of 10 ms at 100,000 resources, and
    worse as the tables grow) until autovacuum gets round to them. SQLite plans these
    queries well without statistics."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {', '.join(STATISTICS_TABLES)}"))


def _changed_rows(report: ImportReport) -> int:
    return sum(counts.created + counts.updated for counts in report.counts.values())


def _plan(
    sources: Sequence[Source],
    kind: Kind | None,
    area_options: AreaOptions | None,
    report: ImportReport,
) -> list[_Planned]:
    sidecars = {s.name[: -len(SIDECAR_SUFFIX)]: s for s in sources if _is_sidecar(s.name)}
    data_stems = {_stem(s.name) for s in sources if not _is_sidecar(s.name)}
    for stem, sidecar in sidecars.items():
        if stem not in data_stems:
            report.problem(
                file=sidecar.name,
                line=1,
                reason=f"an area sidecar without its data file ({Path(stem).name}.geojson)",
            )
    plans: list[_Planned] = []
    for source in sources:
        if _is_sidecar(source.name):
            continue
        try:
            table = read_hsds(source, report) if holds_hsds(source) else read_table(source)
        except ReadError as exc:
            report.problems.append(exc.problem)
            report.files.append((source.name, kind))
            continue
        found = kind or detect_kind(table)
        report.files.append((source.name, found))
        if found is None:
            report.problem(
                file=source.name,
                line=1,
                reason="cannot tell whether this file holds resources, events or areas "
                "(resources need category and name columns, events title, venue and "
                "starts_at, areas are GeoJSON polygons); say it with --kind",
            )
            continue
        plan = _Planned(kind=found, table=table)
        if found == "areas" and not _area_plan(plan, source, sidecars, area_options, report):
            continue
        missing = [c for c in _REQUIRED[found] if c not in table.columns]
        if missing:
            for column in missing:
                report.problem(
                    file=source.name,
                    line=1,
                    column=column,
                    reason=f"missing required column for {found}",
                )
            continue
        for column in table.columns:
            if found != "areas" and column not in _KNOWN[found]:
                report.warn(
                    file=source.name, line=1, column=column, reason="unknown column, ignored"
                )
        plans.append(plan)
    plans.sort(key=lambda p: order_key(p.kind, p.table.name))
    return plans


def _area_plan(
    plan: _Planned,
    source: Source,
    sidecars: dict[str, Source],
    area_options: AreaOptions | None,
    report: ImportReport,
) -> bool:
    if not plan.table.geojson:
        report.problem(file=source.name, line=1, reason="areas must be a GeoJSON FeatureCollection")
        return False
    options = area_options
    sidecar = sidecars.get(_stem(source.name))
    if sidecar is not None:
        try:
            options = read_sidecar(sidecar)
        except ValueError as exc:
            report.problem(file=sidecar.name, line=1, reason=str(exc))
            return False
    if options is None:
        report.problem(
            file=source.name,
            line=1,
            reason="areas need --area-kind and --code-property (and --name-property), "
            f"or a sidecar file {Path(_stem(source.name)).name}{SIDECAR_SUFFIX}",
        )
        return False
    if (why := check_options(options)) is not None:
        report.problem(file=sidecar.name if sidecar else source.name, line=1, reason=why)
        return False
    plan.options = options
    return True


def _phase(progress: Progress, description: str, total: int) -> None:
    if total:
        progress.start(description, total)


def _is_sidecar(name: str) -> bool:
    return name.lower().endswith(SIDECAR_SUFFIX)


def _stem(name: str) -> str:
    for suffix in (SIDECAR_SUFFIX, ".geojson", ".json", ".csv"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def _first_line(error: BaseException | None) -> str:
    text = str(error or "").strip().splitlines()
    return text[0][:200] if text else "constraint violated"
