"""Uploaded files into the importer: the options checked, each file named, one report back.

``POST /api/v1/imports`` (``api.http.routes.imports``) hands its files here, so an upload is
validated and written exactly as ``puente import`` would; bad options are ``InvalidInput``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import Literal

from sqlalchemy import Engine

from api.errors import InvalidInput
from api.settings import Settings
from seed.areas import AreaOptions, check_options
from seed.importer import Source, import_sources
from seed.progress import Progress
from seed.report import ImportReport

__all__ = ["MAX_FILES", "import_upload"]

MAX_FILES = 20
"""Most files one upload may carry."""
MAX_NAME = 200


def import_upload(
    engine: Engine,
    settings: Settings,
    files: Sequence[tuple[str | None, bytes]],
    *,
    kind: Literal["resources", "events", "areas"] | None,
    dry_run: bool,
    partial: bool,
    area_kind: str | None,
    code_property: str | None,
    name_property: str | None,
    actor: str,
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``files`` (name as uploaded, content) as ``actor``; the importer's report.

    ``progress`` is told of each phase and row (the console's progress page)."""
    area_options = _area_options(area_kind, code_property, name_property)
    return import_sources(
        engine,
        settings,
        _sources(files),
        kind=kind,
        dry_run=dry_run,
        partial=partial,
        area_options=area_options,
        actor=actor,
        progress=progress,
    )


def _area_options(
    area_kind: str | None, code_property: str | None, name_property: str | None
) -> AreaOptions | None:
    if area_kind is None and code_property is None:
        return None
    if area_kind is None or code_property is None:
        missing = "area_kind" if area_kind is None else "code_property"
        raise InvalidInput(
            [{"name": missing, "in": "query", "reason": "area_kind and code_property go together"}]
        )
    options = AreaOptions(kind=area_kind, code_property=code_property, name_property=name_property)
    if reason := check_options(options):
        raise InvalidInput([{"name": "area_kind", "in": "query", "reason": reason}])
    return options


def _sources(files: Sequence[tuple[str | None, bytes]]) -> list[Source]:
    if not files:
        raise InvalidInput(
            [
                {
                    "name": "files",
                    "in": "body",
                    "reason": "attach at least one file as multipart/form-data",
                }
            ]
        )
    if len(files) > MAX_FILES:
        raise InvalidInput(
            [{"name": "files", "in": "body", "reason": f"at most {MAX_FILES} files per upload"}]
        )
    sources = []
    for filename, data in files:
        name = PurePath((filename or "upload").replace("\\", "/")).name[:MAX_NAME]
        sources.append(Source(name=name or "upload", data=data))
    return sources
