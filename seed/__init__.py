"""The importer: staff files (CSV, JSON, GeoJSON) into the directory, and the example data."""

from seed.areas import AreaOptions
from seed.importer import import_paths, import_sources
from seed.readers import Source, sources_from_paths
from seed.report import ImportReport, KindCounts, RowProblem

__all__ = [
    "AreaOptions",
    "ImportReport",
    "KindCounts",
    "RowProblem",
    "Source",
    "import_paths",
    "import_sources",
    "sources_from_paths",
]
