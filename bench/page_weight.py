"""What a resident's phone downloads for the pages, and Lighthouse's mobile scores for them.

    python -m bench.page_weight --sizes 14,10000 [--no-lighthouse] [--json out.json]

For each size a throwaway SQLite directory is made: the Dallas example (``seed/dallas``:
its 14 places, council districts and ZIP codes), plus generated places
(``bench/generate.py``, written with ``bench/load_sql.py``) for any size above 14. The app
is served by uvicorn on 127.0.0.1 without map tiles, and Debian's Chromium (Playwright,
``PUENTE_BROWSER``) opens ``/``, ``/list`` and a report form in a fresh, empty cache with a
390x844 phone viewport. Per page it reports the bytes transferred (the navigation and every
resource's ``transferSize`` from the Resource Timing API: compressed bodies and headers),
once with the browser's own ``Accept-Encoding`` (brotli where the app offers it) and once
asking for gzip only, and the number of requests. Then Lighthouse (npm ``lighthouse``, its
default mobile preset, one run per page) against the same Chromium gives Performance,
Accessibility, Best Practices and SEO. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import select
from sqlmodel import Session

from api.app import create_app
from api.db import migrate
from api.db.engine import create_database_engine
from api.db.models import Resource
from api.settings import Settings
from bench import load_sql
from seed.importer import import_paths

__all__ = ["PageFigure", "measure"]

ROOT = Path(__file__).resolve().parent.parent
DALLAS = ROOT / "seed" / "dallas"
DALLAS_PLACES = 14
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

_TRANSFERRED = """() => {
    const entries = [...performance.getEntriesByType("navigation"),
                     ...performance.getEntriesByType("resource")];
    return { bytes: entries.reduce((sum, e) => sum + (e.transferSize || 0), 0),
             requests: entries.length,
             html: performance.getEntriesByType("navigation")[0].encodedBodySize };
}"""


@dataclass(kw_only=True)
class PageFigure:
    places: int
    page: str
    bytes: int
    """Transferred with the browser's own ``Accept-Encoding`` (gzip, deflate, br, zstd)."""
    gzip_bytes: int
    """Transferred when only gzip is accepted."""
    html_bytes: int
    """The page's own HTML, compressed as sent (browser's encodings)."""
    requests: int
    scores: dict[str, int] = field(default_factory=dict)
    lighthouse_bytes: int | None = None
    """Lighthouse's ``total-byte-weight`` (mobile run)."""
    failed: list[str] = field(default_factory=list)
    """The audits that cost Accessibility, Best Practices or SEO points."""


def prepare(workdir: Path, places: int) -> Settings:
    settings = Settings(
        database_url=f"sqlite:///{workdir / f'weight_{places}.db'}",
        geocoder="offline",
        tile_url=None,
    )
    migrate.upgrade(settings)
    if places > DALLAS_PLACES:
        load_sql.load(settings, places - DALLAS_PLACES)
    engine = create_database_engine(settings.sqlalchemy_url)
    try:
        import_paths(engine, settings, [DALLAS])
    finally:
        engine.dispose()
    return settings


@contextmanager
def served(settings: Settings) -> Iterator[str]:
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=0, log_level="warning", access_log=False
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def transferred(browser: Any, url: str, *, gzip_only: bool) -> dict[str, int]:
    headers = {"Accept-Encoding": "gzip"} if gzip_only else {}
    context = browser.new_context(**PHONE, extra_http_headers=headers)
    try:
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        figures: dict[str, int] = page.evaluate(_TRANSFERRED)
        return figures
    finally:
        context.close()


def lighthouse(
    url: str, browser_path: str, output: Path
) -> tuple[dict[str, int], int | None, list[str]]:
    cli = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
    subprocess.run(
        [
            "node",
            str(cli),
            url,
            f"--chrome-path={browser_path}",
            "--chrome-flags=--headless=new --no-sandbox",
            f"--only-categories={','.join(CATEGORIES)}",
            "--output=json",
            f"--output-path={output}",
            "--quiet",
        ],
        check=True,
        timeout=300,
    )
    report = json.loads(output.read_text(encoding="utf-8"))
    scores = {name: round(100 * (report["categories"][name]["score"] or 0)) for name in CATEGORIES}
    weight = report["audits"].get("total-byte-weight", {}).get("numericValue")
    failed = sorted(
        {
            ref["id"]
            for name in CATEGORIES[1:]
            for ref in report["categories"][name]["auditRefs"]
            if ref["weight"]
            and report["audits"][ref["id"]]["scoreDisplayMode"] in ("binary", "numeric")
            and (report["audits"][ref["id"]]["score"] or 0) < 1
        }
    )
    return scores, int(weight) if weight is not None else None, failed


def measure(
    sizes: Sequence[int], *, workdir: Path, with_lighthouse: bool = True
) -> list[PageFigure]:
    from playwright.sync_api import sync_playwright

    browser_path = os.environ.get("PUENTE_BROWSER", "/usr/bin/chromium")
    figures = []
    for places in sizes:
        settings = prepare(workdir, places)
        engine = create_database_engine(settings.sqlalchemy_url)
        with Session(engine) as session:
            first = session.scalars(select(Resource.id).order_by(Resource.id.desc())).first()
        engine.dispose()
        with served(settings) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=browser_path, args=["--no-sandbox"]
            )
            # warm the search cache so the timing of the first run does not differ
            for page in ("/", "/list", f"/report/{first}"):
                browser.new_page().goto(f"{base}{page}", wait_until="networkidle")
            for page in ("/", "/list", "/report/{id}"):
                url = f"{base}{page.replace('{id}', str(first))}"
                plain = transferred(browser, url, gzip_only=False)
                gzip_only = transferred(browser, url, gzip_only=True)
                figure = PageFigure(
                    places=places,
                    page=page,
                    bytes=plain["bytes"],
                    gzip_bytes=gzip_only["bytes"],
                    html_bytes=plain["html"],
                    requests=plain["requests"],
                )
                if with_lighthouse:
                    figure.scores, figure.lighthouse_bytes, figure.failed = lighthouse(
                        url, browser_path, workdir / f"lighthouse_{places}_{len(figures)}.json"
                    )
                figures.append(figure)
            browser.close()
    return figures


def table(figures: Sequence[PageFigure]) -> str:
    lines = [
        "| places | page | transferred | gzip only | HTML | requests"
        " | Perf | A11y | Best Pr. | SEO |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for f in figures:
        scores = [str(f.scores.get(name, "-")) for name in CATEGORIES]
        lines.append(
            f"| {f.places:,} | `{f.page}` | {f.bytes / 1000:,.1f} KB"
            f" | {f.gzip_bytes / 1000:,.1f} KB | {f.html_bytes / 1000:,.1f} KB | {f.requests}"
            f" | {' | '.join(scores)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.page_weight", description=__doc__)
    parser.add_argument("--sizes", default=f"{DALLAS_PLACES},10000")
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="puente_weight_") as tmp:
        figures = measure(sizes, workdir=Path(tmp), with_lighthouse=not args.no_lighthouse)
    print(table(figures))
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(f) for f in figures], indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
