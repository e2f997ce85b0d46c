"""Feeds answer ``HEAD`` with their length and ``Range`` with the piece asked for."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine

from tests.api.formats.rows import Directory

IDENTITY = {"Accept-Encoding": "identity"}
FEEDS = ("/api/v1/resources.geojson", "/api/v1/resources.csv", "/api/v1/events.ics")


def seed(engine: Engine) -> None:
    rows = Directory(engine)
    venue = rows.location(address="1 Main St", city="Dallas", state="TX")
    rows.resource("Clinic", location_id=venue)
    rows.event("Meeting", location_id=venue)


def test_head_gives_the_length_of_the_streamed_body(
    client: TestClient[Litestar], engine: Engine
) -> None:
    seed(engine)
    for path in FEEDS:
        whole = client.get(path, headers=IDENTITY)
        assert "content-length" not in whole.headers, path  # a plain GET streams
        head = client.head(path, headers=IDENTITY)
        assert int(head.headers["content-length"]) == len(whole.content), path
        assert head.headers["accept-ranges"] == "bytes"


def test_a_range_is_the_same_bytes_as_that_slice_of_the_whole(
    client: TestClient[Litestar], engine: Engine
) -> None:
    seed(engine)
    for path in FEEDS:
        whole = client.get(path, headers=IDENTITY).content
        size = len(whole)
        for asked, first, last in (
            ("bytes=0-9", 0, 9),
            ("bytes=10-", 10, size - 1),
            ("bytes=-7", size - 7, size - 1),
            (f"bytes=5-{size + 100}", 5, size - 1),
        ):
            part = client.get(path, headers={**IDENTITY, "Range": asked})
            assert part.status_code == 206, (path, asked)
            assert part.content == whole[first : last + 1], (path, asked)
            assert part.headers["content-range"] == f"bytes {first}-{last}/{size}"


def test_a_range_past_the_end_is_416_naming_the_length(
    client: TestClient[Litestar], engine: Engine
) -> None:
    seed(engine)
    size = len(client.get("/api/v1/resources.csv", headers=IDENTITY).content)
    refused = client.get("/api/v1/resources.csv", headers={**IDENTITY, "Range": f"bytes={size}-"})
    assert refused.status_code == 416
    assert refused.headers["content-range"] == f"bytes */{size}"
    assert refused.headers["content-type"].startswith("application/problem+json")


def test_ranges_it_cannot_honour_get_the_whole_body(
    client: TestClient[Litestar], engine: Engine
) -> None:
    seed(engine)
    whole = client.get("/api/v1/resources.csv", headers=IDENTITY).content
    for headers in (
        {"Range": "bytes=0-1,4-5"},
        {"Range": "bytes=0-9", "If-Range": 'W/"x"'},
        {"Range": "lines=1-2"},
        {"Range": "bytes=0-9", "Accept-Encoding": "gzip"},
    ):
        answer = client.get("/api/v1/resources.csv", headers={**IDENTITY, **headers})
        assert answer.status_code == 200, headers
        assert answer.content == whole, headers
