"""The importer's public surface changes only on purpose (an upload route depends on it)."""

from __future__ import annotations

import seed


def test_exported_public_surface() -> None:

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


def test_report_to_dict_is_json_ready() -> None:
    import json

    from seed.report import ImportReport

    report = ImportReport(dry_run=True)
    report.reject(
        "resources",
        [seed.RowProblem(file="r.csv", line=4, column="latitude", value="123", reason="bad")],
    )
    data = json.loads(json.dumps(report.to_dict()))
    assert data["ok"] is False and data["written"] is False and data["dry_run"] is True
    assert data["counts"]["resources"]["rejected"] == 1
    assert data["problems"][0]["message"] == "r.csv:4: latitude: 123: bad"
