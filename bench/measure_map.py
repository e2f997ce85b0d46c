"""The map page at 1,000 and 10,000 resources, through ``bench/map_page.py`` (kept by the map
page's owners): it is called when present, and its figures are recorded as given."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Sequence
from typing import Any

from api.settings import Settings

__all__ = ["MAP_SIZES", "available", "measure"]

MAP_SIZES = (1_000, 10_000)


def available() -> bool:
    return importlib.util.find_spec("bench.map_page") is not None


def measure(settings: Settings, sizes: Sequence[int] = MAP_SIZES) -> list[dict[str, Any]]:
    """``[{"resources", "seconds", "cold_seconds", "bytes", "gzip_bytes"}, ...]``: the page's
    median and first (cold) render time and its size as is and gzipped, over a database the
    module loads itself."""
    module = importlib.import_module("bench.map_page")
    figures = module.measure(settings, sizes)
    plain = []
    for figure in figures:
        values = figure if isinstance(figure, dict) else vars(figure)
        seconds = float(values["seconds"])
        plain.append(
            {
                "resources": int(values["resources"]),
                "seconds": seconds,
                "cold_seconds": float(values.get("cold_seconds", seconds)),
                "bytes": int(values["bytes"]),
                "gzip_bytes": int(values.get("gzip_bytes", values["bytes"])),
            }
        )
    return plain
