"""Puente beside Datasette under concurrent load, in one run on one machine.

Both servers run at once, one worker process each, over the same rows: Puente with
``puente serve --workers 1`` (granian), Datasette (the ``bench`` extra) over an SQLite file
holding those rows. ``wrk`` then asks each in turn, at 1, 16 and 64 connections, alternating
which goes first in each round, so drift in the machine's speed falls on both alike. Every
request asks about a new point (nothing is answered from a cache):

* Puente: ``/api/v1/resources?near=…&radius_km=5&language=…&per_page=20``, ranked by
  great-circle distance with an exact total;
* Datasette: a canned query, the box around the same circle over the same tables with the
  same language filter, ``LIMIT 20``: unranked, no total.

The same seed draws the same points and languages for both. Puente's read rate limit is
lifted for these runs (one client is the whole load).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.settings import Settings
from bench.generate import METROS
from bench.measure_http import (
    LoadFigure,
    free_port,
    lua_metros_and_codes,
    run_wrk,
    server_env,
    stop_group,
    wait_for_nearby,
)
from bench.measure_search import RADIUS_KM, query_languages

__all__ = ["CONNECTIONS", "BesideFigure", "available", "measure"]

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = (1, 16, 64)
DATASETTE_QUERY = """
SELECT resource.id, resource.name, location.latitude, location.longitude
FROM resource
JOIN location ON location.id = resource.location_id
WHERE location.latitude BETWEEN :south AND :north
  AND location.longitude BETWEEN :west AND :east
  AND resource.status = 'active'
  AND resource.retired_at IS NULL AND location.retired_at IS NULL
  AND EXISTS (
    SELECT 1 FROM resource_language
    WHERE resource_language.resource_id = resource.id AND resource_language.code = :code
  )
LIMIT 20
""".strip()

LUA = """
local metros = {%(metros)s}
local codes = {%(codes)s}
math.randomseed(%(seed)d)
local radius = %(radius)f
request = function()
  local m = metros[math.random(#metros)]
  local lat = m[1] + (math.random() - 0.5) * 2 * m[3]
  local lon = m[2] + (math.random() - 0.5) * 2 * m[4]
  local code = codes[math.random(#codes)]
  local path
  if %(datasette)s then
    local dlat = radius / 111.32
    local dlon = dlat / math.cos(math.rad(lat))
    path = string.format(
      "%(prefix)s?code=%%s&south=%%.6f&north=%%.6f&west=%%.6f&east=%%.6f",
      code, lat - dlat, lat + dlat, lon - dlon, lon + dlon)
  else
    path = string.format(
      "/api/v1/resources?near=%%.6f,%%.6f&radius_km=%%g&language=%%s&per_page=20",
      lat, lon, radius, code)
  end
  return wrk.format("GET", path)
end
"""


@dataclass(frozen=True, kw_only=True)
class BesideFigure:
    rows: int
    seconds: float
    rounds: int
    tool: str
    datasette_version: str
    puente: dict[str, LoadFigure]
    """Per number of connections: the median round by requests/s."""
    datasette: dict[str, LoadFigure]
    rss_mb: dict[str, float]


def available() -> bool:
    return shutil.which("wrk") is not None and _datasette() is not None


def _datasette() -> str | None:
    found = Path(sys.executable).with_name("datasette")
    return str(found) if found.exists() else shutil.which("datasette")


def _script(*, datasette: bool, seed: int, prefix: str) -> str:
    metros, codes = lua_metros_and_codes(seed)
    return LUA % {
        "metros": metros,
        "codes": codes,
        "seed": seed,
        "radius": RADIUS_KM,
        "datasette": "true" if datasette else "false",
        "prefix": prefix,
    }


def _wait(server: subprocess.Popen[bytes], url: str, name: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            error = server.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
            raise RuntimeError(f"{name} stopped: {error}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not answer {url} within 60 s")
        time.sleep(0.2)


@contextmanager
def _server(command: list[str], env: dict[str, str], ready: str, name: str) -> Iterator[int]:
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # stopping the group stops the workers too
    )
    try:
        _wait(server, ready, name)
        yield server.pid
    finally:
        stop_group(server)


@contextmanager
def _puente(settings: Settings) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = server_env(settings)
    puente = str(Path(sys.executable).with_name("puente"))
    command = [puente, "serve", "--workers", "1", "--host", "127.0.0.1", "--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    with _server(command, env, f"{base}/health", "puente serve") as pid:
        wait_for_nearby(base, 1)
        yield base, pid


@contextmanager
def _datasette_server(sqlite_path: Path, workdir: Path) -> Iterator[tuple[str, str, str, int]]:
    port = free_port()
    name = sqlite_path.stem
    metadata = workdir / "datasette-metadata.json"
    metadata.write_text(
        json.dumps({"databases": {name: {"queries": {"nearby": {"sql": DATASETTE_QUERY}}}}})
    )
    command = [
        _datasette() or "datasette", "serve", str(sqlite_path),
        "--host", "127.0.0.1", "--port", str(port), "--metadata", str(metadata),
    ]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with _server(command, dict(os.environ), f"{base}/-/versions.json", "datasette") as pid:
        version = httpx.get(f"{base}/-/versions.json").json()["datasette"]["version"]
        yield base, f"/{name}/nearby.json", str(version), pid


def _check(base: str, path: str, key: str) -> None:
    """One answer of each kind before the load, so a broken query fails the run loudly."""
    response = httpx.get(base + path, timeout=30)
    response.raise_for_status()
    if key not in response.json():
        raise RuntimeError(f"{base + path}: no {key!r} in the answer")


def _median(figures: list[LoadFigure]) -> LoadFigure:
    ordered = sorted(figures, key=lambda f: f.requests_per_s)
    return ordered[(len(ordered) - 1) // 2] if len(ordered) % 2 else _mean(ordered)


def _mean(figures: list[LoadFigure]) -> LoadFigure:
    return LoadFigure(
        requests_per_s=statistics.fmean(f.requests_per_s for f in figures),
        p99_ms=statistics.fmean(f.p99_ms for f in figures),
        requests=sum(f.requests for f in figures),
        errors=sum(f.errors for f in figures),
    )


def measure(
    settings: Settings,
    sqlite_path: Path,
    *,
    rows: int,
    seconds: float,
    rounds: int = 2,
    log: Callable[[str], None] = print,
) -> BesideFigure:
    """Both servers up at once; for each round and number of connections, each in turn."""
    from bench.measure_http import process_tree_rss_mb

    results: dict[str, dict[int, list[LoadFigure]]] = {
        "puente": {c: [] for c in CONNECTIONS},
        "datasette": {c: [] for c in CONNECTIONS},
    }
    with tempfile.TemporaryDirectory(prefix="puente_beside_") as tmp, ExitStack() as stack:
        puente_base, puente_pid = stack.enter_context(_puente(settings))
        data_base, prefix, version, data_pid = stack.enter_context(
            _datasette_server(sqlite_path, Path(tmp))
        )
        lat, lon = METROS[0].latitude, METROS[0].longitude
        code = query_languages(1, seed=1)[0]
        dlat = RADIUS_KM / 111.32
        dlon = dlat / math.cos(math.radians(lat))
        _check(
            puente_base,
            f"/api/v1/resources?near={lat},{lon}&radius_km={RADIUS_KM:g}&language={code}",
            "items",
        )
        _check(
            data_base,
            f"{prefix}?code={code}&south={lat - dlat}&north={lat + dlat}"
            f"&west={lon - dlon}&east={lon + dlon}",
            "rows",
        )
        targets = {
            "puente": (puente_base, False, "/api/v1/resources"),
            "datasette": (data_base, True, prefix),
        }
        for round_ in range(rounds):
            order = ["puente", "datasette"] if round_ % 2 == 0 else ["datasette", "puente"]
            for connections in CONNECTIONS:
                for name in order:
                    base, is_datasette, path = targets[name]
                    # A warm-up with other points, then the measured run; the seed differs by
                    # round, so no round repeats another's questions.
                    warm = _script(datasette=is_datasette, seed=1000 + round_, prefix=path)
                    run_wrk(base, warm, 1, connections=connections)
                    script = _script(datasette=is_datasette, seed=41 + round_, prefix=path)
                    figure = run_wrk(base, script, seconds, connections=connections)
                    results[name][connections].append(figure)
                    log(
                        f"  round {round_ + 1}, {connections} connections, {name}:"
                        f" {figure.requests_per_s:,.0f} req/s, p99 {figure.p99_ms:.1f} ms"
                        + (f", {figure.errors} errors" if figure.errors else "")
                    )
        rss = {
            "puente": process_tree_rss_mb(puente_pid)[0],
            "datasette": process_tree_rss_mb(data_pid)[0],
        }
    return BesideFigure(
        rows=rows,
        seconds=seconds,
        rounds=rounds,
        tool="wrk",
        datasette_version=version,
        puente={str(c): _median(f) for c, f in results["puente"].items()},
        datasette={str(c): _median(f) for c, f in results["datasette"].items()},
        rss_mb=rss,
    )
