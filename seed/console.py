"""The terminal side of an import: a rich progress bar for long phases and a summary table."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress
from rich.table import Table

from seed.report import KINDS, ImportReport

__all__ = ["BAR_THRESHOLD", "ProgressBar", "print_report"]

BAR_THRESHOLD = 200
"""Phases with more rows than this, and every geocoding phase, get a progress bar."""


class ProgressBar:
    """Draws a bar for geocoding and for phases of more than ``BAR_THRESHOLD`` rows."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._bar: RichProgress | None = None
        self._task: int | None = None

    def start(self, description: str, total: int) -> None:
        self.finish()
        if total <= BAR_THRESHOLD and not description.startswith("Geocoding"):
            return
        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task(description, total=total)

    def advance(self, count: int = 1) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task, count)  # type: ignore[arg-type]

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.stop()
        self._bar = None
        self._task = None


def print_report(report: ImportReport, console: Console) -> None:
    for warning in report.warnings:
        console.print(
            f"warning: {warning}", style="yellow", markup=False, highlight=False, soft_wrap=True
        )
    for problem in report.problems:
        console.print(str(problem), style="red", markup=False, highlight=False, soft_wrap=True)
    table = Table(title="Import summary" + (" (dry run)" if report.dry_run else ""))
    table.add_column("kind")
    for column in ("created", "updated", "unchanged", "rejected"):
        table.add_column(column, justify="right")
    for kind in KINDS:
        counts = report.counts[kind]
        table.add_row(
            kind,
            str(counts.created),
            str(counts.updated),
            str(counts.unchanged),
            str(counts.rejected),
        )
    console.print(table)
    if report.dry_run:
        verdict = "dry run: nothing was written"
    elif report.written and report.ok:
        verdict = "imported"
    elif report.written:
        verdict = f"partial import: good rows written, {len(report.problems)} problem(s) reported"
    else:
        verdict = (
            f"nothing was written: {len(report.problems)} problem(s); fix them and run again, "
            "or use --partial to write the good rows"
        )
    style = "green" if report.ok else "red"
    console.print(verdict, style=style, markup=False, highlight=False, soft_wrap=True)
