"""The benchmark harness end to end at a tiny size: generate, import, search, serve, report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.clients import missing

ROOT = Path(__file__).resolve().parent.parent


def test_a_quick_run_measures_every_figure_and_writes_the_report(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--output", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    run = json.loads((tmp_path / "results.json").read_text())["runs"]["sqlite:200"]
    assert run["import"]["created"] == 200
    assert run["search"]["queries"] == 40
    assert run["search"]["mismatches"] == 0  # the index answered as the brute scan did
    for kind in ("bare", "health", "uncached", "cached"):
        assert run["http"][kind]["requests"] > 0
        assert run["http"][kind]["errors"] == 0
    assert run["http"]["rss_mb"] > 0
    report = (tmp_path / "RESULTS.md").read_text()
    assert "| import, rows with coordinates | sqlite | 200 |" in report
    assert "| HTTP nearby, cached: req/s, p99, share of bare | sqlite | 200 |" in report
    assert "| HTTP /health: req/s, p99, share of bare | sqlite | 200 |" in report
    assert "python -m bench --quick" in report


def test_a_quick_run_beside_datasette_measures_both_at_each_concurrency(tmp_path: Path) -> None:
    from bench import beside_datasette

    if not beside_datasette.available():
        missing(
            "PUENTE_REQUIRE_BENCH", "needs wrk (Debian) and Datasette (pip install -e '.[bench]')"
        )
    command = [sys.executable, "-m", "bench", "--quick", "--no-http", "--datasette"]
    done = subprocess.run(
        [*command, "--beside-rounds", "1", "--output", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    figure = json.loads((tmp_path / "results.json").read_text())["runs"]["sqlite:200"]
    beside = figure["beside_datasette"]
    for server in ("puente", "datasette"):
        for connections in ("1", "16", "64"):
            assert beside[server][connections]["requests"] > 0
            assert beside[server][connections]["errors"] == 0
    report = (tmp_path / "RESULTS.md").read_text()
    assert "| sqlite | 200 | 16 |" in report
