"""``PUENTE_PUBLIC_URL``: absolute ``Link`` targets, whatever ``Host`` the request names."""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.settings import Settings, SettingsError
from tests.api.formats.rows import Directory
from tests.conftest import settings_with


def links(header: str) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]*)>; rel="(\w+)"', header)}


def seed(engine: Engine, count: int = 5) -> None:
    rows = Directory(engine)
    venue = rows.location(address="1 Main St", city="Dallas", state="TX")
    for n in range(count):
        rows.resource(f"Resource {n}", location_id=venue)
        rows.event(f"Meeting {n}", location_id=venue)


@pytest.mark.parametrize("path", ["/api/v1/resources", "/api/v1/events"])
def test_links_are_absolute_under_the_public_url(
    settings: Settings, engine: Engine, path: str
) -> None:
    seed(engine)
    app = create_app(settings_with(settings, public_url="https://puente.example.org/"))
    with TestClient(app) as client:
        answer = client.get(
            path, params={"per_page": "2", "page": "2"}, headers={"Host": "evil.test"}
        )
    found = links(answer.headers["link"])
    assert found == {
        "first": f"https://puente.example.org{path}?per_page=2&page=1",
        "prev": f"https://puente.example.org{path}?per_page=2&page=1",
        "next": f"https://puente.example.org{path}?per_page=2&page=3",
        "last": f"https://puente.example.org{path}?per_page=2&page=3",
    }


def test_links_stay_relative_without_a_public_url(client: TestClient, engine: Engine) -> None:
    seed(engine)
    answer = client.get("/api/v1/resources", params={"per_page": "2"})
    assert links(answer.headers["link"])["next"] == "/api/v1/resources?per_page=2&page=2"


def test_the_setting_is_read_and_checked() -> None:
    assert Settings.from_env({"PUENTE_PUBLIC_URL": "https://a.example/"}).public_base == (
        "https://a.example"
    )
    assert Settings.from_env({}).public_url is None
    for bad in ("a.example", "ftp://a.example", "https://a.example/?x=1", "https:///path"):
        with pytest.raises(SettingsError, match="PUENTE_PUBLIC_URL="):
            Settings.from_env({"PUENTE_PUBLIC_URL": bad})
