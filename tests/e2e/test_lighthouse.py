"""Lighthouse (npm ``lighthouse``, its default mobile preset) against Debian's Chromium.

One run per page: the map, the printable list and a report form. Accessibility, Best
Practices and SEO must be 100; Performance is measured and written to
``test-artifacts/lighthouse.json`` (and printed), never asserted: it moves with the load
on the machine.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.clients import node_module, node_program
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.browser

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
ASSERTED = ("accessibility", "best-practices", "seo")
PAGES = ("/", "/list", "/report/{id}")


def run_lighthouse(url: str, browser: str, output: Path) -> dict[str, object]:
    cli = node_module("lighthouse") / "cli" / "index.js"
    subprocess.run(
        [
            node_program(),
            str(cli),
            url,
            f"--chrome-path={browser}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            f"--only-categories={','.join(CATEGORIES)}",
            "--output=json",
            f"--output-path={output}",
            "--quiet",
        ],
        check=True,
        timeout=240,
    )
    report: dict[str, object] = json.loads(output.read_text(encoding="utf-8"))
    return report


def failing_audits(report: dict[str, object], category: str) -> list[str]:
    audits: dict[str, dict[str, object]] = report["audits"]  # type: ignore[assignment]
    refs = report["categories"][category]["auditRefs"]  # type: ignore[index]
    return [
        f"{ref['id']}: {audits[ref['id']].get('title')}"
        for ref in refs
        if ref["weight"]
        and audits[ref["id"]]["scoreDisplayMode"] in ("binary", "numeric")
        and (audits[ref["id"]]["score"] or 0) < 1  # type: ignore[operator]
    ]


def test_lighthouse_scores_on_the_resident_pages(
    live_server: LiveServer, browser_path: str, artifacts: Path, tmp_path: Path
) -> None:
    church = live_server.directory.resources["church"]
    scores: dict[str, dict[str, int]] = {}
    problems: dict[str, list[str]] = {}
    for page in PAGES:
        path = page.replace("{id}", str(church))
        report = run_lighthouse(f"{live_server.url}{path}", browser_path, tmp_path / "lh.json")
        categories: dict[str, dict[str, float | None]] = report["categories"]  # type: ignore[assignment]
        scores[page] = {name: round(100 * (categories[name]["score"] or 0)) for name in CATEGORIES}
        for name in ASSERTED:
            if scores[page][name] < 100:
                problems[f"{page} {name}"] = failing_audits(report, name)
    (artifacts / "lighthouse.json").write_text(json.dumps(scores, indent=2), encoding="utf-8")
    print("Lighthouse (mobile):", json.dumps(scores))
    assert problems == {}
