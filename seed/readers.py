"""Turn an uploaded or on-disk file into rows of text cells, whatever its format.

CSV (a UTF-8 BOM, CRLF line ends and trailing blank lines are what spreadsheets write, and
are accepted; a cell the export made formula-safe with a leading quote is read back to its
original text, see ``api.formats.csv``), a JSON list of objects, or a GeoJSON
FeatureCollection. Each row keeps the line it starts on, so every later message can point
at it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.formats.csv import unescape_cell
from seed.report import Kind, RowProblem

__all__ = [
    "SIDECAR_SUFFIX",
    "RawRow",
    "ReadError",
    "Source",
    "Table",
    "detect_kind",
    "read_table",
    "sources_from_paths",
]

SIDECAR_SUFFIX = ".area.json"
DATA_SUFFIXES = (".csv", ".json", ".geojson")
_ORDER: dict[Kind | None, int] = {"areas": 0, "resources": 1, "events": 2, None: 3}


@dataclass(frozen=True, kw_only=True)
class Source:
    """A named file's bytes: what the command line reads from disk and an upload sends."""

    name: str
    data: bytes


@dataclass(frozen=True, kw_only=True)
class RawRow:
    file: str
    line: int
    cells: dict[str, str]
    geometry: dict[str, Any] | None = None

    def nul_problems(self, columns: Iterable[str] | None = None) -> list[RowProblem]:
        """A problem for each cell (of ``columns``, else of the row) holding a NUL byte: no
        text the directory keeps may contain one (PostgreSQL cannot store it at all)."""
        return [
            RowProblem(
                file=self.file,
                line=self.line,
                column=column,
                value=self.cells[column].replace("\x00", "\\x00"),
                reason="contains a NUL byte (\\x00), which text may not hold",
            )
            for column in (self.cells if columns is None else columns)
            if "\x00" in self.cells.get(column, "")
        ]


@dataclass(kw_only=True)
class Table:
    name: str
    columns: list[str]
    rows: list[RawRow] = field(default_factory=list)
    geojson: bool = False
    geometry_types: set[str] = field(default_factory=set)


class ReadError(Exception):
    """The file cannot be read at all; carries the problem to report."""

    def __init__(self, problem: RowProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def sources_from_paths(paths: list[Path] | tuple[Path, ...]) -> list[Source]:
    """Files named, and the data files in folders named (not their subfolders).

    Sidecar files (``NAME.area.json``) come along with their GeoJSON; the importer puts
    areas first, then resources, then events.
    """
    sources: list[Source] = []
    for path in paths:
        if path.is_dir():
            files = sorted(
                p
                for p in path.iterdir()
                if p.is_file() and p.name.endswith(DATA_SUFFIXES) and not p.name.startswith(".")
            )
        else:
            files = [path]
        for file in files:
            sources.append(Source(name=_display_name(file, path), data=file.read_bytes()))
    return sources


def _display_name(file: Path, given: Path) -> str:
    if given.is_dir():
        return str(given / file.name)
    return str(given)


def decode(source: Source) -> str:
    try:
        text = source.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = source.data[: exc.start].count(b"\n") + 1
        bad = source.data[exc.start : exc.end]
        raise ReadError(
            RowProblem(
                file=source.name,
                line=line,
                value=repr(bad),
                reason="the file is not UTF-8 text; save it as UTF-8 (in Excel: CSV UTF-8)",
            )
        ) from None
    return text


def read_table(source: Source) -> Table:
    """Parse a data file; raise ReadError when its syntax is broken."""
    text = decode(source)
    if source.name.lower().endswith(".csv"):
        return _read_csv(source.name, text)
    return _read_json(source.name, text)


def detect_kind(table: Table) -> Kind | None:
    """What the file holds, from its columns and geometry."""
    columns = set(table.columns)
    if (
        table.geojson
        and table.geometry_types
        and table.geometry_types
        <= {
            "Polygon",
            "MultiPolygon",
        }
    ):
        return "areas"
    if {"title", "starts_at"} <= columns or "venue" in columns:
        return "events"
    if "category" in columns or ({"name"} <= columns and not table.geojson):
        return "resources"
    if table.geojson and table.geometry_types == {"Point"}:
        return "resources"
    return None


def order_key(kind: Kind | None, name: str) -> tuple[int, str]:
    return (_ORDER[kind], name)


# --- CSV -----------------------------------------------------------------------------------


def _read_csv(name: str, text: str) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ReadError(_csv_problem(name, reader.line_num, exc)) from None
    if not header or not any(cell.strip() for cell in header):
        raise ReadError(RowProblem(file=name, line=1, reason="no header row: the file is empty"))
    columns = [cell.strip().lower() for cell in header]
    table = Table(name=name, columns=columns)
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ReadError(_csv_problem(name, start, exc)) from None
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, as spreadsheets leave at the end
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
            raise ReadError(
                RowProblem(
                    file=name,
                    line=line,
                    value=cells[len(columns)],
                    reason=f"{len(cells)} cells but the header has {len(columns)} columns",
                )
            )
        values = {
            col: (unescape_cell(cells[i]) if i < len(cells) else "")
            for i, col in enumerate(columns)
        }
        table.rows.append(RawRow(file=name, line=line, cells=values))
    return table


def _csv_problem(name: str, line: int, exc: csv.Error) -> RowProblem:
    return RowProblem(
        file=name,
        line=max(line, 1),
        reason=f"broken CSV quoting ({exc}); a quoted cell must end with a quote "
        'and a quote inside a cell is written twice ("")',
    )


# --- JSON and GeoJSON ----------------------------------------------------------------------


def _read_json(name: str, text: str) -> Table:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadError(
            RowProblem(file=name, line=exc.lineno, reason=f"invalid JSON: {exc.msg}")
        ) from None
    lines = list(_element_lines(text))
    if isinstance(document, list):
        table = Table(name=name, columns=[])
        for index, item in enumerate(document):
            line = lines[index] if index < len(lines) else 1
            if not isinstance(item, dict):
                raise ReadError(
                    RowProblem(file=name, line=line, reason="expected a list of objects")
                )
            table.rows.append(RawRow(file=name, line=line, cells=_cells(name, line, item)))
        table.columns = _union(row.cells for row in table.rows)
        return table
    if isinstance(document, dict) and document.get("type") == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise ReadError(
                RowProblem(file=name, line=1, column="features", reason="expected a list")
            )
        table = Table(name=name, columns=[], geojson=True)
        for index, feature in enumerate(features):
            line = lines[index] if index < len(lines) else 1
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                raise ReadError(RowProblem(file=name, line=line, reason="expected a Feature"))
            props = feature.get("properties") or {}
            geometry = feature.get("geometry")
            if not isinstance(props, dict) or not (geometry is None or isinstance(geometry, dict)):
                raise ReadError(
                    RowProblem(
                        file=name, line=line, reason="a Feature needs object properties/geometry"
                    )
                )
            if geometry and isinstance(geometry.get("type"), str):
                table.geometry_types.add(geometry["type"])
            table.rows.append(
                RawRow(file=name, line=line, cells=_cells(name, line, props), geometry=geometry)
            )
        table.columns = _union(row.cells for row in table.rows)
        return table
    raise ReadError(
        RowProblem(
            file=name,
            line=1,
            reason="expected a JSON list of objects or a GeoJSON FeatureCollection",
        )
    )


def _cells(name: str, line: int, item: dict[str, Any]) -> dict[str, str]:
    cells: dict[str, str] = {}
    for key, value in item.items():
        column = str(key).strip().lower()
        if value is None:
            cells[column] = ""
        elif isinstance(value, bool):
            cells[column] = "true" if value else "false"
        elif isinstance(value, int | float | str):
            cells[column] = str(value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            cells[column] = ";".join(value)
        else:
            raise ReadError(
                RowProblem(
                    file=name,
                    line=line,
                    column=column,
                    value=json.dumps(value)[:80],
                    reason="expected text, a number, true/false or a list of text",
                )
            )
    return cells


def _union(rows: Iterator[dict[str, str]] | Any) -> list[str]:
    seen: dict[str, None] = {}
    for cells in rows:
        for column in cells:
            seen.setdefault(column, None)
    return list(seen)


def _element_lines(text: str) -> Iterator[int]:
    """The line each element of the top-level list (or of ``features``) starts on."""
    decoder = json.JSONDecoder()
    index = _skip(text, 0)
    if index >= len(text):
        return
    if text[index] == "[":
        yield from _array_lines(decoder, text, index)
    elif text[index] == "{":
        index = _skip(text, index + 1)
        while index < len(text) and text[index] != "}":
            key, index = decoder.raw_decode(text, index)
            index = _skip(text, index)
            index = _skip(text, index + 1)  # the colon
            if key == "features" and text[index] == "[":
                yield from _array_lines(decoder, text, index)
                return
            _, index = decoder.raw_decode(text, index)
            index = _skip(text, index)
            if index < len(text) and text[index] == ",":
                index = _skip(text, index + 1)


def _array_lines(decoder: json.JSONDecoder, text: str, index: int) -> Iterator[int]:
    index = _skip(text, index + 1)
    line, counted = 1, 0
    while index < len(text) and text[index] != "]":
        line += text.count("\n", counted, index)
        counted = index
        yield line
        _, index = decoder.raw_decode(text, index)
        index = _skip(text, index)
        if index < len(text) and text[index] == ",":
            index = _skip(text, index + 1)


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index
