"""The app served by uvicorn on 127.0.0.1 and Debian's Chromium driven by Playwright.

The browser is never downloaded: ``PUENTE_BROWSER`` (default ``/usr/bin/chromium``) names
the executable. Without one the tests skip, unless ``PUENTE_REQUIRE_BROWSER=1``. Every page
fixture refuses requests to any host but 127.0.0.1 and fails the test that made one, and
fails on any console error or JavaScript dialog.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from sqlalchemy import Engine

from api.app import create_app
from api.db import migrate
from api.db.engine import create_database_engine
from api.settings import Settings
from tests.web.directory import Directory, seed_directory

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("PUENTE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"PUENTE_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_path() -> str:
    configured = os.environ.get("PUENTE_BROWSER", "/usr/bin/chromium")
    path = shutil.which(configured) or configured
    if not Path(path).is_file():
        _unavailable(f"no Chromium at {configured} (set PUENTE_BROWSER)")
    return path


@dataclass
class LiveServer:
    url: str
    settings: Settings
    directory: Directory


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path = tmp_path_factory.mktemp("e2e") / "puente.db"
    settings = Settings(database_url=f"sqlite:///{path}", geocoder="offline", tile_url=None)
    yield from serve_directory(settings)


def serve_directory(
    settings: Settings, add: Callable[[Engine, Directory], None] | None = None
) -> Iterator[LiveServer]:
    """The test directory in a new database of ``settings``, served on a free port; ``add``
    writes more rows before the app starts."""
    migrate.upgrade(settings)
    engine = create_database_engine(settings.sqlalchemy_url)
    directory = seed_directory(engine)
    if add is not None:
        add(engine, directory)
    engine.dispose()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=0, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the app did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", settings=settings, directory=directory)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(browser_path: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=browser_path, headless=True, args=BROWSER_ARGS
        )
        yield chromium
        chromium.close()


@dataclass
class Watch:
    """What a page did that a resident must never see happen."""

    foreign: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def open_context(browser: Any, **options: Any) -> tuple[Any, Watch]:
    watch = Watch()
    context = browser.new_context(**options)

    def guard(route: Any) -> None:
        url = route.request.url
        watch.requests.append(url)
        if urlsplit(url).hostname != "127.0.0.1":
            watch.foreign.append(url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", guard)

    def on_page(page: Any) -> None:
        page.on(
            "console",
            lambda message: (
                watch.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: watch.console_errors.append(str(error)))

        def on_dialog(dialog: Any) -> None:
            watch.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)

    context.on("page", on_page)
    return context, watch


@pytest.fixture
def desktop(browser: Any) -> Iterator[tuple[Any, Watch]]:
    context, watch = open_context(browser, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page, watch
    context.close()
    assert watch.foreign == [], f"requests to other hosts: {watch.foreign}"
    assert watch.console_errors == []
    assert watch.dialogs == []


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
