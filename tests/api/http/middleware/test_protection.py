from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar, Request, get
from litestar.response import Response
from litestar.testing import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.http.middleware.protection import Limits
from api.http.middleware.security_headers import SecurityHeaders, csp_nonce, tile_origin
from api.settings import Settings
from tests.api.directory_rows import add_resource
from tests.api.staff_keys import bearer, issue_key
from tests.conftest import settings_with

READ = "/schema/openapi.json"
"""A public read every version of the app serves."""


def limited(settings: Settings, **changes: object) -> TestClient[Litestar]:
    return TestClient(create_app(settings, limits=Limits(**changes)))  # type: ignore[arg-type]


# --- headers --------------------------------------------------------------------------------


def test_every_answer_carries_the_security_headers(client: TestClient[Litestar]) -> None:
    for path in ("/health", READ, "/no/such/page", "/schema/openapi.json"):
        response = client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["referrer-policy"] == "no-referrer", path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path


def page_app(settings: Settings) -> Litestar:
    @get("/page", media_type="text/html", sync_to_thread=False)
    def page(request: Request[Any, Any, Any]) -> Response[str]:
        nonce = csp_nonce(request)
        return Response(f'<script nonce="{nonce}">1</script>', media_type="text/html")

    headers = SecurityHeaders.from_settings(settings)
    return Litestar([page], before_send=[headers.before_send])


def test_a_page_allows_only_itself_the_tile_host_and_its_own_nonce(settings: Settings) -> None:
    tiles = settings_with(settings, tile_url="https://{s}.tiles.example.org/{z}/{x}/{y}.png")
    with TestClient(page_app(tiles)) as client:
        first = client.get("/page")
        second = client.get("/page")
    policy = first.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    nonce = first.text.split('nonce="')[1].split('"')[0]
    assert directives["script-src"] == f"'self' 'nonce-{nonce}'"
    assert directives["img-src"] == "'self' data: https://*.tiles.example.org"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"]
    assert nonce not in second.headers["content-security-policy"]


def test_without_tiles_images_come_only_from_the_app(settings: Settings) -> None:
    with TestClient(page_app(settings_with(settings, tile_url=None))) as client:
        policy = client.get("/page").headers["content-security-policy"]
    assert "img-src 'self' data:;" in policy


def test_tile_origin_reads_the_template() -> None:
    assert tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == (
        "https://tile.openstreetmap.org"
    )
    assert tile_origin("http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png") == "http://127.0.0.1:8080"
    assert tile_origin(None) is None
    assert tile_origin("not a url") is None


# --- CORS -----------------------------------------------------------------------------------


def test_reads_are_open_to_any_origin(client: TestClient[Litestar]) -> None:
    origin = {"Origin": "https://partner.example"}
    response = client.get("/schema/openapi.json", headers=origin)
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        "/schema/openapi.json", headers={**origin, "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"


def test_writes_are_accepted_only_from_the_configured_origins(
    settings: Settings, engine: Engine
) -> None:
    resource_id = add_resource(engine)
    url = f"/api/v1/resources/{resource_id}/reports"
    allowed = settings_with(settings, cors_origins=("https://staff.example",))
    with TestClient(create_app(allowed)) as client:
        preflight = client.options(
            url,
            headers={
                "Origin": "https://staff.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == "https://staff.example"
        assert "POST" in preflight.headers["access-control-allow-methods"]
        ok = client.post(url, json={"kind": "closed"}, headers={"Origin": "https://staff.example"})
        assert ok.status_code == 201
        assert ok.headers["access-control-allow-origin"] == "https://staff.example"

        refused_preflight = client.options(
            url, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        )
        assert refused_preflight.status_code == 403
        assert "access-control-allow-origin" not in refused_preflight.headers
        refused = client.post(
            url, json={"kind": "closed"}, headers={"Origin": "https://evil.example"}
        )
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "https://evil.example" in refused.json()["detail"]
        staff = client.get("/api/v1/reports", headers=bearer(issue_key(engine, "admin"))).json()
        assert staff["total"] == 1  # the refused one never reached the database

        own = client.post(
            url, json={"kind": "other"}, headers={"Origin": "http://testserver.local"}
        )
        assert own.status_code == 201


def test_the_pages_own_form_posts_are_writes_from_the_app(
    client: TestClient[Litestar], engine: Engine
) -> None:
    """A browser posting a page's form under ``Referrer-Policy: no-referrer`` says
    ``Origin: null``; ``Sec-Fetch-Site`` (which no page can set) tells whose form it was."""
    url = f"/api/v1/resources/{add_resource(engine)}/reports"
    own = client.post(
        url,
        json={"kind": "closed"},
        headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"},
    )
    assert own.status_code == 201
    assert "access-control-allow-origin" not in own.headers
    for site in ("cross-site", "same-site", None):
        headers = {"Origin": "null"} | ({"Sec-Fetch-Site": site} if site else {})
        refused = client.post(url, json={"kind": "closed"}, headers=headers)
        assert refused.status_code == 403, site
    forged = client.post(
        url,
        json={"kind": "closed"},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert forged.status_code == 403


# --- size limits ----------------------------------------------------------------------------


def test_an_oversized_body_is_413_problem_json(settings: Settings, engine: Engine) -> None:
    resource_id = add_resource(engine)
    with limited(settings, max_body_bytes=1000) as client:
        response = client.post(
            f"/api/v1/resources/{resource_id}/reports",
            content=b'{"kind": "other", "message": "' + b"x" * 2000 + b'"}',
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "at most 1000 bytes" in response.json()["detail"]


# --- rate limits ----------------------------------------------------------------------------


def test_public_reads_have_a_budget_and_429_says_when_to_retry(settings: Settings) -> None:
    with limited(settings, reads=("minute", 3)) as client:
        statuses = [client.get(READ).status_code for _ in range(3)]
        refused = client.get(READ)
        assert client.get("/health").status_code == 200  # probes are never limited
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(refused.headers["retry-after"]) <= 60


def test_reports_and_staff_have_budgets_of_their_own(settings: Settings, engine: Engine) -> None:
    resource_id = add_resource(engine)
    key = bearer(issue_key(engine, "admin"))
    other_key = bearer(issue_key(engine, "reports:read"))
    url = f"/api/v1/resources/{resource_id}/reports"
    with limited(settings, reads=("minute", 2), reports=("hour", 2), staff=("minute", 2)) as client:
        assert [client.post(url, json={"kind": "closed"}).status_code for _ in range(3)] == [
            201,
            201,
            429,
        ]
        assert [client.get(READ).status_code for _ in range(2)] == [200, 200]
        assert [client.get("/api/v1/audit", headers=key).status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]
        # Staff budgets are per key, not per address.
        assert client.get("/api/v1/reports", headers=other_key).status_code == 200


def test_made_up_staff_tokens_share_their_clients_budget(
    settings: Settings, engine: Engine
) -> None:
    """A fresh random token per request must not buy a fresh budget."""
    key = bearer(issue_key(engine, "admin"))
    with limited(settings, staff=("minute", 2)) as client:
        statuses = [
            client.get(
                "/api/v1/audit", headers=bearer(f"made-up-{n}-{uuid.uuid4().hex}")
            ).status_code
            for n in range(4)
        ]
        assert statuses == [401, 401, 429, 429]
        assert client.get("/api/v1/audit").status_code == 429  # no token: the same client
        # A valid key is counted on its own, whoever sent the made-up ones.
        assert client.get("/api/v1/audit", headers=key).status_code == 200


def redis_url() -> str:
    value = os.environ.get("PUENTE_TEST_REDIS_URL", "").strip()
    if not value:
        reason = "Redis not configured: set PUENTE_TEST_REDIS_URL to run this test"
        if os.environ.get("PUENTE_REQUIRE_REDIS") == "1":
            pytest.fail(f"PUENTE_REQUIRE_REDIS=1 but {reason}")
        pytest.skip(reason)
    return value


@pytest.fixture
def shared_apps(settings: Settings) -> Iterator[tuple[TestClient[Litestar], TestClient[Litestar]]]:
    url = redis_url()
    limits = Limits(reads=("minute", 3), namespace=f"puente_test_{uuid.uuid4().hex[:10]}")
    # One key for both workers, as ``puente serve`` gives its workers.
    with_redis = settings_with(settings, redis_url=url, hash_key=uuid.uuid4().hex)
    with (
        TestClient(create_app(with_redis, limits=limits)) as first,
        TestClient(create_app(with_redis, limits=limits)) as second,
    ):
        yield first, second
    import redis

    connection = redis.Redis.from_url(url)
    keys = list(connection.scan_iter(f"{limits.namespace}*"))
    if keys:
        connection.delete(*keys)
    connection.close()


def test_a_budget_is_shared_by_two_workers_through_redis(
    shared_apps: tuple[TestClient[Litestar], TestClient[Litestar]],
) -> None:
    first, second = shared_apps
    assert first.get(READ).status_code == 200
    assert second.get(READ).status_code == 200
    assert first.get(READ).status_code == 200
    refused = second.get(READ)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert first.get(READ).status_code == 429


def test_limits_read_from_the_environment() -> None:
    from api.settings import SettingsError

    settings = Settings.from_env(
        {"PUENTE_RATE_LIMIT_READS": "50/second", "PUENTE_MAX_BODY_BYTES": "10"}
    )
    limits = Limits.from_settings(settings)
    assert limits.reads == ("second", 50) and limits.max_body_bytes == 10
    assert limits.staff == ("minute", 300)

    with pytest.raises(SettingsError, match="PUENTE_RATE_LIMIT_STAFF"):
        Settings.from_env({"PUENTE_RATE_LIMIT_STAFF": "lots"})
    with pytest.raises(SettingsError, match="PUENTE_MAX_UPLOAD_BYTES"):
        Settings.from_env({"PUENTE_MAX_UPLOAD_BYTES": "0"})


def test_an_unreachable_redis_does_not_take_the_directory_down(settings: Settings) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = settings_with(settings, redis_url=f"redis://127.0.0.1:{port}/0")
    with TestClient(create_app(down, limits=Limits(reads=("minute", 1)))) as client:
        assert [client.get("/health").status_code for _ in range(2)] == [200, 200]
        statuses = [client.get(READ).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]  # served, though nothing could be counted
