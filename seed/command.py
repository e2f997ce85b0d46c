"""``puente import``: read paths, run the importer with a progress bar, print the summary."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import cast

from rich.console import Console

from api.db.engine import create_database_engine
from api.settings import Settings
from seed.areas import AreaOptions
from seed.console import ProgressBar, print_report
from seed.importer import import_sources
from seed.readers import sources_from_paths
from seed.report import Kind

__all__ = ["run_import"]


def run_import(
    settings: Settings,
    paths: Sequence[str],
    *,
    dry_run: bool = False,
    partial: bool = False,
    kind: str | None = None,
    area_kind: str | None = None,
    code_property: str | None = None,
    name_property: str | None = None,
    console: Console | None = None,
) -> int:
    """Import and print; the exit code is 1 when any row or file was refused."""
    console = console or Console(stderr=True)
    area_options = None
    if area_kind and code_property:
        area_options = AreaOptions(
            kind=area_kind, code_property=code_property, name_property=name_property
        )
    engine = create_database_engine(settings.sqlalchemy_url)
    progress = ProgressBar(console)
    try:
        report = import_sources(
            engine,
            settings,
            sources_from_paths(tuple(Path(p) for p in paths)),
            kind=cast(Kind | None, kind),
            dry_run=dry_run,
            partial=partial,
            area_options=area_options,
            actor="cli",
            progress=progress,
        )
    finally:
        progress.finish()
        engine.dispose()
    print_report(report, console)
    return 0 if report.ok else 1
