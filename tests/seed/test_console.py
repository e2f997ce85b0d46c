"""The terminal output of ``puente import``: a bar only when it helps, and the summary."""

from __future__ import annotations

import io

from rich.console import Console

from seed.console import ProgressBar, print_report
from seed.report import ImportReport, RowProblem


def drawn(description: str, total: int) -> str:
    out = io.StringIO()
    bar = ProgressBar(Console(file=out, force_terminal=True, width=100))
    bar.start(description, total)
    bar.advance(total)
    bar.finish()
    return out.getvalue()


def test_bar_for_geocoding_and_long_phases_only() -> None:
    assert "Geocoding" in drawn("Geocoding (nominatim)", 3)
    assert "Writing resources" in drawn("Writing resources", 500)
    assert drawn("Writing resources", 20) == ""


def test_summary_lists_problems_whole_and_says_nothing_was_written() -> None:
    report = ImportReport()
    long_value = "x" * 70
    report.reject(
        "resources",
        [RowProblem(file="r.csv", line=7, column="name", value=long_value, reason="too odd")],
    )
    out = io.StringIO()
    print_report(report, Console(file=out, width=80))
    text = out.getvalue()
    assert f"r.csv:7: name: {long_value}: too odd" in text  # not wrapped mid-message
    assert "nothing was written" in text
    assert "resources" in text and "rejected" in text
