"""GDAL (``ogrinfo``, Debian's gdal-bin) opens the GeoJSON and CSV feeds by URL.

``/vsicurl/`` asks for the size with ``HEAD`` and reads pieces with ``Range``; this is the
client the feeds' lengths and byte ranges exist for.
"""

from __future__ import annotations

import os
import re
import subprocess

import httpx
from litestar import Litestar
from sqlalchemy import Engine

from tests.api.formats.rows import Directory
from tests.api.http.served import served
from tests.clients import gdal_program

RESOURCES = 25


def seed(engine: Engine) -> None:
    rows = Directory(engine)
    for n in range(RESOURCES):
        venue = rows.location(
            32.7 + n / 100, -96.8, address=f"{n} Main St", city="Dallas", state="TX"
        )
        rows.resource(f"Resource {n:02d}", location_id=venue, description="x" * 2000)


def ogrinfo(url: str, *options: str) -> str:
    done = subprocess.run(
        [gdal_program(), "-ro", "-al", "-so", *options, f"/vsicurl/{url}"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        # Small chunks: the file is read in several ranges, not one.
        env={**os.environ, "CPL_VSIL_CURL_CHUNK_SIZE": "16384", "GDAL_HTTP_MAX_RETRY": "0"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def fields(report: str) -> dict[str, str]:
    return dict(re.findall(r"^(\w+): (\w+)", report, flags=re.MULTILINE))


def test_gdal_opens_the_geojson_feed_by_url(app: Litestar, engine: Engine) -> None:
    seed(engine)
    with served(app) as base:
        size = len(httpx.get(f"{base}/api/v1/resources.geojson").content)
        report = ogrinfo(f"{base}/api/v1/resources.geojson")
    assert size > 3 * 16384
    assert f"Feature Count: {RESOURCES}" in report
    assert "Geometry: Point" in report
    found = fields(report)
    assert found["id"] == "Integer"
    assert {"name", "category", "languages", "updated_at"} <= found.keys()


def test_gdal_opens_the_csv_feed_by_url(app: Litestar, engine: Engine) -> None:
    seed(engine)
    with served(app) as base:
        report = ogrinfo(
            f"{base}/api/v1/resources.csv",
            "-oo",
            "X_POSSIBLE_NAMES=longitude",
            "-oo",
            "Y_POSSIBLE_NAMES=latitude",
        )
    assert f"Feature Count: {RESOURCES}" in report
    assert "Geometry: Point" in report
    assert {"external_id", "name", "category", "address", "latitude", "longitude"} <= (
        fields(report).keys()
    )
