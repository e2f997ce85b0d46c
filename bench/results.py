"""``bench/RESULTS.md``: every figure beside its target, rebuilt from ``results.json``.

Each run adds or replaces the figures of the (database, size) pairs it measured, so a long
run at one million rows can land after the smaller ones without losing them.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
import textwrap
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["Results", "machine"]

TARGET_SEARCH_P99_MS = {"sqlite": 2.0, "postgresql": 5.0}
TARGET_SPEEDUP = 10.0
TARGET_SCALING = 2.0
TARGET_SHARE_OF_BARE = 0.50
"""``/health`` and cached nearby requests/s over the bare endpoint's."""
TARGET_MAP_S = 0.3
TARGET_MAP_GZIP_BYTES = 300_000
TARGET_IMPORT_ROWS_S = 4000.0
TARGET_RSS_MB = 300.0
TARGET_BESIDE_RATIO = 5.0
"""Uncached nearby requests/s over Datasette's, at 16 connections."""


def machine(postgres_version: str | None) -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
        memory = f"{memory_kb / 1024 / 1024:.1f} GB"
    except (OSError, StopIteration):
        memory = "unknown"
    try:
        wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1]
    except (OSError, IndexError):
        wrk = "not installed"
    return {
        "cpu": f"{cpu}, {os.cpu_count()} logical CPUs",
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres_version or "not used",
        "wrk": wrk,
    }


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in asdict(value).items()}
    return value


class Results:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = {"runs": {}, "map": {}, "machine": {}, "commands": []}
        if path.exists():
            self.data = json.loads(path.read_text())

    def add(self, database: str, size: int, name: str, figure: Any) -> None:
        run = self.data["runs"].setdefault(f"{database}:{size}", {})
        run[name] = _plain(figure)
        run["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        self.save()

    def add_map(self, database: str, figures: Any) -> None:
        self.data["map"][database] = _plain(figures)
        self.save()

    def note_run(self, command: str, machine_info: dict[str, str]) -> None:
        machines = self.data.setdefault("machines", {})
        for earlier in self.data["commands"]:  # from before machines were kept per command
            machines.setdefault(earlier, self.data["machine"])
        if command not in self.data["commands"]:
            self.data["commands"].append(command)
        machines[command] = machine_info
        self.data["machine"] = machine_info
        self.save()

    def save(self) -> None:
        self.path.write_text(json.dumps(self.data, indent=1, sort_keys=True) + "\n")

    def run(self, database: str, size: int) -> dict[str, Any]:
        return dict(self.data["runs"].get(f"{database}:{size}", {}))

    def sizes(self, database: str) -> list[int]:
        return sorted(
            int(key.split(":")[1]) for key in self.data["runs"] if key.startswith(database + ":")
        )

    def databases(self) -> list[str]:
        return [d for d in ("sqlite", "postgresql") if self.sizes(d)]

    def render(self) -> str:
        lines = [
            "# Benchmark results",
            "",
            "Written by `python -m bench` (see `bench/README.md`); the raw figures are in",
            "`bench/results.json`. Every figure was measured on the machine below, in the runs",
            "listed under Commands; a row without a figure was not measured.",
            "",
            "## Machine",
            "",
        ]
        lines += [f"- {k}: {v}" for k, v in self.data["machine"].items()]
        lines += ["", "## Commands", ""]
        lines += [f"    {c}" for c in self.data["commands"]]
        machines = self.data.get("machines", {})
        if len({machines.get(c, {}).get("cpu") for c in self.data["commands"]}) > 1:
            lines += ["", "Not all on one machine; the CPU of each command's runs:", ""]
            lines += [
                f"{n}. {machines[c]['cpu'] if c in machines else 'not recorded'}"
                for n, c in enumerate(self.data["commands"], 1)
            ]
        lines += [
            "",
            "## Figures and targets",
            "",
            "| figure | database | rows | measured | target | met |",
            "|---|---|---:|---:|---|:-:|",
        ]
        for database in self.databases():
            for size in self.sizes(database):
                lines += self._rows(database, size)
            lines += self._scaling(database)
        for database, figures in self.data["map"].items():
            lines += self._map_rows(database, figures)
        if not self.data["map"]:
            lines.append(
                "| map page render time, bytes | - | 1,000 / 10,000 | not measured"
                " (`bench/map_page.py` absent) | <= 300 ms and <= 300 KB gzipped at 10k | |"
            )
        lines += self._beside()
        analysis = self.path.with_name("ANALYSIS.md")
        if analysis.exists():
            lines += ["", analysis.read_text().strip()]
        return "\n".join(lines) + "\n"

    def _rows(self, database: str, size: int) -> list[str]:
        run = self.run(database, size)
        rows: list[str] = []

        def row(name: str, measured: str, target: str, met: bool | None) -> None:
            mark = "" if met is None else ("yes" if met else "**no**")
            rows.append(f"| {name} | {database} | {size:,} | {measured} | {target} | {mark} |")

        if run.get("loader") == "sql":
            row(
                "import, rows with coordinates",
                "not measured: loaded with SQL (`--loader sql`)",
                f">= {TARGET_IMPORT_ROWS_S:,.0f} rows/s",
                None,
            )
        elif imp := run.get("import"):
            rate = imp["rows"] / imp["seconds"]
            row(
                "import, rows with coordinates",
                f"{rate:,.0f} rows/s ({imp['seconds']:.1f} s)",
                f">= {TARGET_IMPORT_ROWS_S:,.0f} rows/s",
                rate >= TARGET_IMPORT_ROWS_S,
            )
        if search := run.get("search"):
            at_target = size == 100_000
            limit = TARGET_SEARCH_P99_MS[database]
            row(
                "nearby search p50 / p99 (in process)",
                f"{search['p50_ms']:.2f} / {search['p99_ms']:.2f} ms"
                f" ({search['queries']} queries, {search['mean_matches']:.0f} matches avg)",
                f"p99 <= {limit:g} ms at 100k" if at_target else "-",
                search["p99_ms"] <= limit if at_target else None,
            )
            speedup = search["brute_p99_ms"] / search["p99_ms"]
            row(
                "brute-force scan p50 / p99; p99 ratio",
                f"{search['brute_p50_ms']:.1f} / {search['brute_p99_ms']:.1f} ms;"
                f" {speedup:.1f}x ({search['brute_queries']} queries,"
                f" {search['mismatches']} answers differ)",
                f">= {TARGET_SPEEDUP:g}x, answers equal",
                speedup >= TARGET_SPEEDUP and search["mismatches"] == 0,
            )
        if http := run.get("http"):
            bare = http["bare"]["requests_per_s"]
            for kind, label in (
                ("uncached", "HTTP nearby, uncached"),
                ("cached", "HTTP nearby, cached"),
                ("health", "HTTP /health"),
            ):
                if (figure := http.get(kind)) is None:
                    continue
                ratio = figure["requests_per_s"] / bare if bare else 0
                errors = f", {figure['errors']} errors" if figure["errors"] else ""
                targeted = kind != "uncached"
                row(
                    f"{label}: req/s, p99, share of bare",
                    f"{figure['requests_per_s']:,.0f} req/s, {figure['p99_ms']:.1f} ms,"
                    f" {ratio:.0%}{errors}",
                    f">= {TARGET_SHARE_OF_BARE:.0%} of bare" if targeted else "-",
                    ratio >= TARGET_SHARE_OF_BARE and not figure["errors"] if targeted else None,
                )
            row(
                "HTTP bare Litestar endpoint: req/s, p99",
                f"{bare:,.0f} req/s, {http['bare']['p99_ms']:.1f} ms"
                f" ({http['tool']}, {http['workers']} workers, {http['seconds']:g} s each)",
                "-",
                None,
            )
            at_target = size == 100_000
            row(
                "server RSS, all processes (largest worker)",
                f"{http['rss_mb']:.0f} MB ({http['worker_rss_mb']:.0f} MB)",
                f"<= {TARGET_RSS_MB:g} MB at 100k" if at_target else "-",
                http["rss_mb"] <= TARGET_RSS_MB if at_target else None,
            )
        return rows

    def _beside(self) -> list[str]:
        """The Datasette comparison: one table row per database, size and connections."""
        measured = [
            (database, size, self.run(database, size)["beside_datasette"])
            for database in self.databases()
            for size in self.sizes(database)
            if "beside_datasette" in self.run(database, size)
        ]
        if not measured:
            return []
        lines = [
            "",
            "## Puente beside Datasette",
            "",
            *textwrap.wrap(
                "Both servers up at once, one worker process each (`puente serve --workers 1`;"
                " `datasette serve`), asked in turn by `wrk` in the same run, alternating which"
                " goes first; every request a new point, so nothing comes from a cache. Puente:"
                " nearby search (5 km, one language, 20 per page, ranked by distance, exact total),"
                " with its read rate limit lifted for the run. Datasette: a canned query over the"
                " same rows, the box around the same circle with the same language filter,"
                " `LIMIT 20` (no ranking, no total). Figures are the median of the rounds"
                " (with two, their mean). The machine is shared: compare the two servers"
                " within a run. Datasette always reads SQLite; the PostgreSQL rows put Puente"
                " on PostGIS beside it.",
                width=92,
            ),
            "",
            "| database | rows | connections | Puente req/s, p99 | Datasette req/s, p99"
            " | Puente / Datasette | target | met |",
            "|---|---:|---:|---:|---:|---:|---|:-:|",
        ]
        for database, size, figure in measured:
            one = figure["puente"]["1"]["requests_per_s"]
            for connections in ("1", "16", "64"):
                puente, other = figure["puente"][connections], figure["datasette"][connections]
                ratio = puente["requests_per_s"] / other["requests_per_s"]
                targets, met = [], []
                if connections == "16":
                    targets.append(f">= {TARGET_BESIDE_RATIO:g}x")
                    met.append(ratio >= TARGET_BESIDE_RATIO)
                if connections != "1":
                    targets.append("Puente >= its 1-connection rate")
                    met.append(puente["requests_per_s"] >= one)
                errors = puente["errors"] + other["errors"]
                mark = "" if not met else ("yes" if all(met) and not errors else "**no**")
                lines.append(
                    f"| {database} | {size:,} | {connections} |"
                    f" {puente['requests_per_s']:,.0f}, {puente['p99_ms']:.1f} ms |"
                    f" {other['requests_per_s']:,.0f}, {other['p99_ms']:.1f} ms |"
                    f" {ratio:.2f}x{f' ({errors} errors)' if errors else ''} |"
                    f" {'; '.join(targets) or '-'} | {mark} |"
                )
        versions = sorted({f["datasette_version"] for _, _, f in measured})
        rounds = sorted({f"{f['rounds']} x {f['seconds']:g} s" for _, _, f in measured})
        lines += [
            "",
            f"Datasette {', '.join(versions)}; rounds per figure: {', '.join(rounds)}.",
        ]
        return lines

    def _scaling(self, database: str) -> list[str]:
        small, large = self.run(database, 10_000), self.run(database, 1_000_000)
        if not ("search" in small and "search" in large):
            return []
        ratio = large["search"]["p99_ms"] / small["search"]["p99_ms"]
        mark = "yes" if ratio <= TARGET_SCALING else "**no**"
        return [
            f"| nearby p99 at 1M / p99 at 10k | {database} | - | {ratio:.1f}x"
            f" | <= {TARGET_SCALING:g}x | {mark} |"
        ]

    def _map_rows(self, database: str, figures: Any) -> list[str]:
        rows = []
        for figure in figures:
            cold = figure.get("cold_seconds", figure["seconds"])
            gzipped = figure.get("gzip_bytes")
            at_target = figure["resources"] == 10_000
            met = None
            if at_target:
                small = gzipped is not None and gzipped <= TARGET_MAP_GZIP_BYTES
                met = cold <= TARGET_MAP_S and small
            mark = "" if met is None else ("yes" if met else "**no**")
            target = (
                f"<= {TARGET_MAP_S * 1000:.0f} ms and <= {TARGET_MAP_GZIP_BYTES // 1000} KB gzipped"
                if at_target
                else "-"
            )
            weight = f"{figure['bytes'] / 1e6:.2f} MB"
            weight += f" ({gzipped / 1000:.0f} KB gzipped)" if gzipped is not None else ""
            rows.append(
                f"| map page: first render, median render, bytes | {database} |"
                f" {figure['resources']:,} | {cold * 1000:.0f} ms, {figure['seconds'] * 1000:.0f}"
                f" ms, {weight} | {target} | {mark} |"
            )
        return rows
