"""HTTP throughput on loopback: the production server (granian, one worker per CPU) serving
Puente and a bare Litestar endpoint; ``wrk`` as the load generator (an asyncio client when
``wrk`` is not installed). Every run is bounded in time; the server is stopped afterwards.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.settings import Settings
from bench.generate import METROS, random_points
from bench.measure_search import RADIUS_KM, query_languages
from bench.serve import BARE_PATH

__all__ = [
    "HttpFigure",
    "LoadFigure",
    "free_port",
    "measure",
    "parse_wrk",
    "run_wrk",
    "server_env",
    "stop_group",
    "wait_for_nearby",
]

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = 32
CACHED_QUERIES = 16


@dataclass(frozen=True, kw_only=True)
class LoadFigure:
    requests_per_s: float
    p99_ms: float
    requests: int
    errors: int


@dataclass(frozen=True, kw_only=True)
class HttpFigure:
    tool: str
    workers: int
    seconds: float
    bare: LoadFigure
    uncached: LoadFigure
    cached: LoadFigure
    health: LoadFigure | None
    """``/health``: Puente's middleware around the smallest answer."""
    rss_mb: float
    """Resident memory of the whole server (main process and workers) after the runs."""
    worker_rss_mb: float
    """The largest worker's resident memory."""


def search_path(point: tuple[float, float], code: str) -> str:
    return (
        f"/api/v1/resources?near={point[0]:.6f},{point[1]:.6f}"
        f"&radius_km={RADIUS_KM:g}&language={code}&per_page=20"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(settings: Settings) -> dict[str, str]:
    """The environment of a served Puente under load: the bench's database, no tiles, no
    Redis, and the per-client read budget lifted (the benchmark is one client)."""
    env = {
        **os.environ,
        "PUENTE_DATABASE_URL": settings.database_url,
        "PUENTE_TILE_URL": "none",
        "PUENTE_RATE_LIMIT_READS": "1000000000/second",
    }
    env.pop("PUENTE_REDIS_URL", None)
    return env


@contextmanager
def running_server(settings: Settings, workers: int) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = server_env(settings)
    command = [
        str(Path(sys.executable).with_name("granian")),
        "--interface", "asgi", "--factory", "--workers", str(workers),
        "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
        "bench.serve:create_bench_app",
    ]  # fmt: skip
    # Its own process group: stopping the server stops its workers too, so no worker of one
    # run is left serving (and taking CPU) while the next run measures.
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the server stopped: {server.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer /health within 60 s")
            time.sleep(0.2)
        wait_for_nearby(base, workers)
        yield base, server.pid
    finally:
        stop_group(server)


def wait_for_nearby(base: str, workers: int, *, timeout: float = 600) -> None:
    """Wait until every worker has built its nearby arrays (``/ready`` says so), as a
    server in service would have long before: a load run measures the search as served,
    not a process's first seconds. Any worker may answer, so enough answers in a row must
    agree."""
    deadline = time.monotonic() + timeout
    agreeing = 0
    while agreeing < 10 * workers:
        nearby = httpx.get(f"{base}/ready", timeout=10).json().get("nearby")
        agreeing = agreeing + 1 if nearby == "ready" else 0
        if time.monotonic() > deadline:
            raise RuntimeError(f"the nearby arrays were not built within {timeout:g} s")
        if not agreeing:
            time.sleep(0.2)


def stop_group(server: subprocess.Popen[bytes]) -> None:
    """Stop the server and every process of its group, by force after 20 s."""
    os.killpg(server.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while _group_alive(server.pid) and time.monotonic() < deadline:
        server.poll()  # reaps the main process once it exits, so it leaves the group
        time.sleep(0.2)
    if _group_alive(server.pid):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def process_tree_rss_mb(pid: int) -> tuple[float, float]:
    """(total, largest child) resident memory of ``pid`` and its descendants, in MB."""

    def rss(p: int) -> float:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def children(p: int) -> list[int]:
        found: list[int] = []
        for task in Path(f"/proc/{p}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
        return found

    pending, everyone = [pid], []
    while pending:
        current = pending.pop()
        everyone.append(current)
        pending += children(current)
    sizes = {p: rss(p) for p in everyone}
    workers = [size for p, size in sizes.items() if p != pid]
    return sum(sizes.values()), max(workers, default=sizes[pid])


LUA_LIST = """
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
"""

LUA_DISTINCT = """
local metros = {%s}
local codes = {%s}
math.randomseed(%d)
request = function()
  local m = metros[math.random(#metros)]
  local lat = m[1] + (math.random() - 0.5) * 2 * m[3]
  local lon = m[2] + (math.random() - 0.5) * 2 * m[4]
  local code = codes[math.random(#codes)]
  return wrk.format("GET", string.format(
    "/api/v1/resources?near=%%.6f,%%.6f&radius_km=%g&language=%%s&per_page=20", lat, lon, code))
end
"""


def lua_metros_and_codes(seed: int) -> tuple[str, str]:
    """The entries of two Lua tables: each metro area's box (centre and half-sizes, two
    standard deviations each way), and 200 language codes drawn as the in-process searches
    draw them."""
    boxes = []
    for m in METROS:
        half_lat = 2 * m.spread_km / 111.32
        half_lon = half_lat / math.cos(math.radians(m.latitude))
        boxes.append(f"{{{m.latitude:f}, {m.longitude:f}, {half_lat:f}, {half_lon:f}}}")
    codes = ", ".join(f'"{c}"' for c in query_languages(200, seed=seed))
    return ", ".join(boxes), codes


def _lua_distinct(seed: int) -> str:
    """Points spread over each metro area's box."""
    metros, codes = lua_metros_and_codes(seed)
    return LUA_DISTINCT % (metros, codes, seed, RADIUS_KM)


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(output: str) -> LoadFigure:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    total = re.search(r"(\d+) requests in", output)
    if not (rate and p99 and total):
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    failed = int(errors.group(1)) if errors else 0
    if socket_errors:
        failed += sum(int(g) for g in socket_errors.groups())
    return LoadFigure(
        requests_per_s=float(rate.group(1)),
        p99_ms=float(p99.group(1)) * UNITS_MS[p99.group(2)],
        requests=int(total.group(1)),
        errors=failed,
    )


def run_wrk(
    base: str, script: str, seconds: float, *, connections: int = CONNECTIONS
) -> LoadFigure:
    """Load ``base`` with ``wrk`` running the Lua ``script`` for ``seconds``."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        command = [
            "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s",
            "--timeout", "10s", "--latency", "-s", handle.name, base,
        ]  # fmt: skip
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60, check=True
        )
    finally:
        os.unlink(handle.name)
    return parse_wrk(done.stdout)


async def _client_load(base: str, paths: Sequence[str], seconds: float) -> LoadFigure:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limit = 200_000
    counter = iter(range(limit))

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        for n in counter:
            if time.perf_counter() > deadline:
                return
            started = time.perf_counter()
            try:
                response = await client.get(paths[n % len(paths)])
                if response.status_code >= 400:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    limits = httpx.Limits(max_connections=CONNECTIONS)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:
        await asyncio.gather(*(worker(client) for _ in range(CONNECTIONS)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return LoadFigure(
        requests_per_s=len(latencies) / elapsed,
        p99_ms=latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))],
        requests=len(latencies),
        errors=errors,
    )


def measure(settings: Settings, *, seconds: float, workers: int | None = None) -> HttpFigure:
    workers = workers or os.cpu_count() or 1
    use_wrk = shutil.which("wrk") is not None
    points = random_points(CACHED_QUERIES, seed=23)
    codes = query_languages(CACHED_QUERIES, seed=23)
    repeated = [search_path(p, c) for p, c in zip(points, codes, strict=True)]
    distinct_points = random_points(20_000, seed=29)
    distinct_codes = query_languages(20_000, seed=29)
    distinct = [search_path(p, c) for p, c in zip(distinct_points, distinct_codes, strict=True)]
    with running_server(settings, workers) as (base, pid):
        for path in [*repeated, BARE_PATH]:  # warm: every worker has the cached answers
            for _ in range(workers * 3):
                httpx.get(base + path, timeout=30).raise_for_status()

        def run(kind: str) -> LoadFigure:
            if use_wrk:
                if kind in ("bare", "health"):
                    script = LUA_LIST % f'"{BARE_PATH if kind == "bare" else "/health"}"'
                elif kind == "cached":
                    script = LUA_LIST % ", ".join(f'"{p}"' for p in repeated)
                else:  # the warm-up must not ask the measured run's questions
                    run_wrk(base, _lua_distinct(seed=37), 1)
                    return run_wrk(base, _lua_distinct(seed=31), seconds)
                run_wrk(base, script, 1)  # warm-up
                return run_wrk(base, script, seconds)
            paths = {
                "bare": [BARE_PATH],
                "health": ["/health"],
                "cached": repeated,
                "uncached": distinct,
            }[kind]
            return asyncio.run(_client_load(base, paths, seconds))

        bare, health = run("bare"), run("health")
        uncached, cached = run("uncached"), run("cached")
        rss, worker_rss = process_tree_rss_mb(pid)
    return HttpFigure(
        tool="wrk" if use_wrk else "httpx (asyncio)",
        workers=workers,
        seconds=seconds,
        bare=bare,
        uncached=uncached,
        cached=cached,
        health=health,
        rss_mb=rss,
        worker_rss_mb=worker_rss,
    )
