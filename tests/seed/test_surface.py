"""The importer's public surface changes only on purpose (an upload route depends on it)."""

from __future__ import annotations


def test_exported_public_surface() -> None:
    import seed

    assert seed.__all__ == [
        "AreaOptions",
        "ImportReport",
        "KindCounts",
        "RowProblem",
        "Source",
        "import_paths",
        "import_sources",
        "sources_from_paths",
    ]
