"""``HEAD`` answers wherever ``GET`` does, with the same status and headers and no body."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import timedelta
from typing import Any

from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient
from sqlalchemy import Engine

from tests.api.formats.rows import Directory

SAME_HEADERS = ("content-type", "etag", "cache-control", "content-disposition", "accept-ranges")


def concrete(path: str, ids: dict[str, int]) -> str:
    """A route template with its parameters filled in from the seeded rows."""
    values = {"kind": "zip", "code": "75201", "file_path": "favicon-32x32.png", "path": "x"}
    return re.sub(
        r"\{(\w+):\w+\}",
        lambda m: str(ids.get(m.group(1), values.get(m.group(1), 1))),
        path,
    )


def seed(engine: Engine) -> dict[str, int]:
    rows = Directory(engine)
    zip_area = rows.area("zip", "75201")
    venue = rows.location(address="1 Main St", city="Dallas", state="TX", areas=(zip_area,))
    resource_id = rows.resource("Clinic", location_id=venue)
    event_id = rows.event("Meeting", location_id=venue, starts_in=timedelta(days=3))
    return {"resource_id": resource_id, "event_id": event_id, "entity_id": venue}


def get_paths(app: Litestar, ids: dict[str, int]) -> list[str]:
    return [
        concrete(route.path, ids)
        for route in app.routes
        if isinstance(route, HTTPRoute) and "GET" in route.methods
    ]


def settle(client: TestClient[Litestar]) -> None:
    """Wait for ``/ready``'s one move of a server just started (``"nearby"`` from
    ``building`` to ``ready``), so its GET and HEAD describe the same answer."""
    deadline = time.monotonic() + 30
    while client.get("/ready").json()["nearby"] != "ready":
        assert time.monotonic() < deadline, "the nearby arrays were not built in 30 s"
        time.sleep(0.05)


def test_every_get_route_answers_head_alike(app: Litestar, engine: Engine) -> None:
    paths = get_paths(app, seed(engine))
    assert "/api/v1/resources.geojson" in paths and "/schema/openapi.json" in paths
    with TestClient(app) as client:
        client.headers["Accept-Encoding"] = "identity"
        settle(client)
        for path in paths:
            got = client.get(path)
            head = client.head(path)
            assert head.status_code == got.status_code != 405, path
            if path.startswith("/static/"):
                continue  # Litestar's own static files: its HEAD leaves out Content-Type
            for name in SAME_HEADERS:
                assert head.headers.get(name) == got.headers.get(name), (path, name)
            if "content-length" in head.headers:
                assert int(head.headers["content-length"]) == len(got.content), path


def head_on_the_wire(app: Litestar, path: str) -> tuple[int, dict[bytes, bytes], bytes]:
    """Status, headers and every body byte the app itself sends: no client or server between."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "HEAD",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    start, *bodies = sent
    return start["status"], dict(start["headers"]), b"".join(m.get("body", b"") for m in bodies)


def test_a_head_answer_has_no_body_on_the_wire(app: Litestar, engine: Engine) -> None:
    seed(engine)
    with TestClient(app):  # runs the app's start-up for the ASGI calls below
        for path in ("/api/v1/resources", "/api/v1/resources.geojson", "/api/v1/events.ics"):
            status, headers, body = head_on_the_wire(app, path)
            assert status == 200, path
            assert body == b"", path
            assert int(headers[b"content-length"]) > 0, path
