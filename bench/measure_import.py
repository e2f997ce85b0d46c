"""Import throughput: the generated CSV through the real importer (``seed.importer``)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from api.db.engine import create_database_engine
from api.settings import Settings

__all__ = ["ImportFigure", "load"]


@dataclass(frozen=True, kw_only=True)
class ImportFigure:
    rows: int
    created: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def load(settings: Settings, csv_path: Path, rows: int) -> ImportFigure:
    """Import every row (all with coordinates); fails loudly if any row is refused."""
    from seed.importer import import_paths

    engine = create_database_engine(settings.sqlalchemy_url)
    try:
        started = time.perf_counter()
        report = import_paths(engine, settings, [csv_path], kind="resources")
        seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    if not report.written:
        first = "; ".join(str(problem) for problem in report.problems[:3])
        raise RuntimeError(f"the import refused the generated data: {first}")
    created = report.counts["resources"].created
    if created != rows:
        raise RuntimeError(f"expected {rows} resources created, the import made {created}")
    return ImportFigure(rows=rows, created=created, seconds=seconds)
