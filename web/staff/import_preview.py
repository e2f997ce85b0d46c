"""An import report shaped for its page: each file's counts and problems, one page of rows.

A 10,000-row file would make a page nobody can read (or load), so the rows are shown
``PER_PAGE`` at a time, and each file's problems up to ``PROBLEMS_SHOWN`` (the count says
how many more there are; the file's own order is kept).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["PER_PAGE", "PROBLEMS_SHOWN", "FileSummary", "PreviewPage", "preview_page"]

PER_PAGE = 50
PROBLEMS_SHOWN = 200
_LINKS_AROUND = 3


@dataclass(frozen=True, kw_only=True)
class FileSummary:
    name: str
    kind: str | None
    counts: Mapping[str, int]
    problems: list[str]
    """The file's problems as ``file:line: column: value: reason``, the first shown."""
    problem_count: int


@dataclass(frozen=True, kw_only=True)
class PreviewPage:
    files: list[FileSummary]
    other_problems: list[str]
    """Problems that name no uploaded file (a sidecar without its data file)."""
    rows: list[Mapping[str, Any]]
    page: int
    pages: int
    row_count: int
    links: list[int]
    """The page numbers linked from this one: the first, the last and those near it."""


def preview_page(report: Mapping[str, Any], *, page: int, per_page: int = PER_PAGE) -> PreviewPage:
    """The page of ``report`` (``ImportReport.to_dict(rows=True)``) numbered ``page``,
    clamped into range."""
    names = [f["name"] for f in report.get("files", [])]
    by_file: dict[str, list[str]] = {name: [] for name in names}
    others: list[str] = []
    for problem in report.get("problems", []):
        if problem["file"] in by_file:
            by_file[problem["file"]].append(problem["message"])
        else:
            others.append(problem["message"])
    files = [
        FileSummary(
            name=f["name"],
            kind=f.get("kind"),
            counts=f.get("counts", {}),
            problems=by_file[f["name"]][:PROBLEMS_SHOWN],
            problem_count=len(by_file[f["name"]]),
        )
        for f in report.get("files", [])
    ]
    rows = report.get("rows", [])
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(page, 1), pages)
    near = range(max(1, page - _LINKS_AROUND), min(pages, page + _LINKS_AROUND) + 1)
    links = sorted({1, pages, *near})
    return PreviewPage(
        files=files,
        other_problems=others[:PROBLEMS_SHOWN],
        rows=rows[(page - 1) * per_page : page * per_page],
        page=page,
        pages=pages,
        row_count=len(rows),
        links=links,
    )
