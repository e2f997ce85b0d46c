"""Conditional GET: strong ETags per representation, 304 Not Modified, cache headers."""

from __future__ import annotations

import pytest
from litestar import Litestar, get
from litestar.testing import TestClient
from sqlalchemy import Engine

from api.directory.schemas import AreaPublic
from api.http.caching import ConditionalGet, cacheable_json, etag_for, etag_matches
from tests.api.search_data import Directory


def test_etag_is_a_strong_hash_of_the_body() -> None:
    tag = etag_for(b'{"a":1}')
    assert tag.startswith('"') and tag.endswith('"') and not tag.startswith("W/")
    assert tag == etag_for(b'{"a":1}')
    assert tag != etag_for(b'{"a":2}')


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        ('"abc"', True),
        ('W/"abc"', True),
        ('"x", "abc"', True),
        ("*", True),
        ('"abcd"', False),
        ('"abc-gzip"', False),
        ("", False),
        (None, False),
    ],
)
def test_if_none_match_comparison(header: str | None, matches: bool) -> None:
    assert etag_matches(header, '"abc"') is matches


@get("/thing", sync_to_thread=False)
def thing() -> object:
    return cacheable_json(AreaPublic(kind="zip", code="75217", name="x" * 2000))


@get("/bare", sync_to_thread=False)
def bare() -> dict[str, str]:
    return {"no": "etag"}


@pytest.fixture
def small_app() -> TestClient[Litestar]:
    from litestar.config.compression import CompressionConfig

    app = Litestar(
        [thing, bare],
        middleware=[ConditionalGet()],
        compression_config=CompressionConfig(backend="gzip"),
    )
    return TestClient(app)


def test_each_coding_has_its_own_tag(small_app: TestClient[Litestar]) -> None:
    with small_app as client:
        plain = client.get("/thing", headers={"Accept-Encoding": "identity"})
        zipped = client.get("/thing", headers={"Accept-Encoding": "gzip"})
        assert plain.headers.get("content-encoding") is None
        assert zipped.headers["content-encoding"] == "gzip"
        assert zipped.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
        assert plain.headers["etag"] == etag_for(plain.content)
        assert plain.headers["vary"] == "Accept-Encoding"
        assert zipped.headers["vary"].lower() == "accept-encoding"

        again = client.get(
            "/thing",
            headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]},
        )
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == zipped.headers["etag"]
        assert again.headers["cache-control"] == "public, max-age=60"

        crossed = client.get(
            "/thing",
            headers={"Accept-Encoding": "identity", "If-None-Match": zipped.headers["etag"]},
        )
        assert crossed.status_code == 200


def test_responses_without_a_tag_pass_through(small_app: TestClient[Litestar]) -> None:
    with small_app as client:
        response = client.get("/bare", headers={"If-None-Match": "*"})
    assert response.status_code == 200
    assert response.json() == {"no": "etag"}


def test_resource_reads_revalidate(client: TestClient[Litestar], engine: Engine) -> None:
    with Directory(engine) as directory:
        for n in range(30):
            directory.resource(f"Place {n}", description="words " * 20)
        directory.commit()
    gzip = {"Accept-Encoding": "gzip"}
    first = client.get("/api/v1/resources", params={"per_page": 30}, headers=gzip)
    assert first.status_code == 200
    assert first.headers["cache-control"] == "public, max-age=60"
    assert first.headers["vary"].lower() == "accept-encoding"
    assert first.headers["content-encoding"] == "gzip"
    tag = first.headers["etag"]
    assert tag.endswith('-gzip"')
    assert tag == etag_for(first.content)[:-1] + '-gzip"'

    second = client.get(
        "/api/v1/resources", params={"per_page": 30}, headers={**gzip, "If-None-Match": tag}
    )
    assert second.status_code == 304, (tag, dict(second.headers))
    assert second.content == b""

    other_page = client.get(
        "/api/v1/resources", params={"per_page": 10}, headers={"If-None-Match": tag}
    )
    assert other_page.status_code == 200

    one = client.get("/api/v1/resources/1")
    assert (
        client.get(
            "/api/v1/resources/1", headers={"If-None-Match": one.headers["etag"]}
        ).status_code
        == 304
    )

    with Directory(engine) as directory:
        directory.resource("Place 99")
        directory.commit()
    changed = client.get(
        "/api/v1/resources", params={"per_page": 30}, headers={"If-None-Match": tag}
    )
    assert changed.status_code == 200
    assert changed.headers["etag"] != tag
