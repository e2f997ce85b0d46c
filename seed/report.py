"""What an import did: counts per kind, the rows it refused and why, and warnings.

A problem always names its place as ``file:line: column: value: reason`` so a person can
open the file, go to the line and fix the cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "KINDS",
    "FieldChange",
    "ImportReport",
    "Kind",
    "KindCounts",
    "Outcome",
    "RowError",
    "RowOutcome",
    "RowProblem",
]

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


@dataclass(frozen=True, kw_only=True)
class FieldChange:
    """One field an update changes, as the listing shows it before and after."""

    field: str
    old: str
    new: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True, kw_only=True)
class RowOutcome:
    """What became (or would become) of one accepted row; ``key`` is how the row names its
    record (external_id, else name, title or code)."""

    kind: Kind
    file: str
    line: int
    outcome: Outcome
    key: str
    changes: tuple[FieldChange, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file,
            "line": self.line,
            "outcome": self.outcome,
            "key": self.key,
            "changes": [change.to_dict() for change in self.changes],
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
    rows: list[RowOutcome] = field(default_factory=list)
    """Every accepted row, in the order written."""
    file_counts: dict[str, KindCounts] = field(default_factory=dict)
    """Rows to create, update, leave unchanged or refuse, per file."""
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
            self._file(problems[0].file).rejected += 1

    def settle(
        self,
        kind: Kind,
        *,
        file: str,
        line: int,
        outcome: Outcome,
        key: str,
        changes: tuple[FieldChange, ...] = (),
    ) -> None:
        """Record an accepted row: what it does, and the fields an update changes."""
        self.counts[kind].add(outcome)
        self._file(file).add(outcome)
        self.rows.append(
            RowOutcome(kind=kind, file=file, line=line, outcome=outcome, key=key, changes=changes)
        )

    def _file(self, name: str) -> KindCounts:
        return self.file_counts.setdefault(name, KindCounts())

    def to_dict(self, *, rows: bool = False) -> dict[str, Any]:
        """A JSON-ready form, for an HTTP upload's response; ``rows`` adds every accepted
        row with the fields each update changes."""
        shown: dict[str, Any] = {
            "ok": self.ok,
            "written": self.written,
            "dry_run": self.dry_run,
            "partial": self.partial,
            "files": [
                {
                    "name": name,
                    "kind": kind,
                    "counts": self.file_counts.get(name, KindCounts()).to_dict(),
                }
                for name, kind in self.files
            ],
            "counts": {kind: counts.to_dict() for kind, counts in self.counts.items()},
            "geocoder_requests": self.geocoder_requests,
            "problems": [p.to_dict() for p in self.problems],
            "warnings": [w.to_dict() for w in self.warnings],
        }
        if rows:
            shown["rows"] = [row.to_dict() for row in self.rows]
        return shown


def _shown(value: str) -> str:
    text = value.replace("\r", "\\r").replace("\n", "\\n")
    if len(text) > _VALUE_LIMIT:
        text = text[: _VALUE_LIMIT - 1] + "…"
    return text if text else '""'
