"""What an import did: counts per kind, the rows it refused and why, and warnings.

A problem always names its place as ``file:line: column: value: reason`` so a person can
open the file, go to the line and fix the cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["KINDS", "ImportReport", "Kind", "KindCounts", "Outcome", "RowError", "RowProblem"]

Kind = Literal["areas", "resources", "events"]
KINDS: tuple[Kind, ...] = ("areas", "resources", "events")
Outcome = Literal["created", "updated", "unchanged"]

_VALUE_LIMIT = 80


@dataclass(frozen=True, kw_only=True)
class RowProblem:
    """One refused cell, row or file; ``column`` is ``-`` when no one column is at fault."""

    file: str
    line: int
    column: str = "-"
    value: str = ""
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {_shown(self.value)}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
            "message": str(self),
        }


class RowError(Exception):
    """A row the directory cannot take; raised inside the row's savepoint to roll it back."""

    def __init__(self, problem: RowProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(kw_only=True)
class KindCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def add(self, outcome: Outcome) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected

    def to_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


@dataclass(kw_only=True)
class ImportReport:
    """The result of one run. ``written`` says whether the directory was changed."""

    dry_run: bool = False
    partial: bool = False
    counts: dict[Kind, KindCounts] = field(
        default_factory=lambda: {kind: KindCounts() for kind in KINDS}
    )
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    files: list[tuple[str, Kind | None]] = field(default_factory=list)
    geocoder_requests: int = 0
    written: bool = False

    @property
    def ok(self) -> bool:
        """True when every row was accepted."""
        return not self.problems

    def problem(self, **values: Any) -> RowProblem:
        item = RowProblem(**values)
        self.problems.append(item)
        return item

    def warn(self, **values: Any) -> RowProblem:
        item = RowProblem(**values)
        self.warnings.append(item)
        return item

    def reject(self, kind: Kind, problems: list[RowProblem]) -> None:
        """Record the problems of one refused row."""
        if problems:
            self.problems.extend(problems)
            self.counts[kind].rejected += 1

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, for an HTTP upload's response."""
        return {
            "ok": self.ok,
            "written": self.written,
            "dry_run": self.dry_run,
            "partial": self.partial,
            "files": [{"name": name, "kind": kind} for name, kind in self.files],
            "counts": {kind: counts.to_dict() for kind, counts in self.counts.items()},
            "geocoder_requests": self.geocoder_requests,
            "problems": [p.to_dict() for p in self.problems],
            "warnings": [w.to_dict() for w in self.warnings],
        }


def _shown(value: str) -> str:
    text = value.replace("\r", "\\r").replace("\n", "\\n")
    if len(text) > _VALUE_LIMIT:
        text = text[: _VALUE_LIMIT - 1] + "…"
    return text if text else '""'
