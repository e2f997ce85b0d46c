"""The app a server runs: at start, what importing and wiring made is kept out of the
garbage collector's full passes."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from api.app import create_app, create_served_app
from api.settings import Settings


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the test process's objects go back to the collector


def test_startup_objects_leave_the_full_collections(settings: Settings, unfrozen: None) -> None:
    with TestClient(create_app(settings)) as client:  # as tests and tools make it: untouched
        assert client.get("/health").status_code == 200
        assert gc.get_freeze_count() == 0
    with TestClient(create_served_app(settings)) as client:
        assert client.get("/health").status_code == 200
        assert gc.get_freeze_count() > 50_000  # the modules, models and schemas loaded
