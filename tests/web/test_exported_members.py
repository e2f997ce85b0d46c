"""Each module of ``web`` says what it offers, and offers what it says."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import web

MODULES = sorted(name for _, name, _ in pkgutil.iter_modules(web.__path__, "web."))


def test_the_package_offers_its_routes_and_their_state() -> None:
    assert web.__all__ == ["app_state", "route_handlers"]


@pytest.mark.parametrize("name", MODULES)
def test_every_module_declares_what_it_exports(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported, f"{name} has no __all__"
    missing = [member for member in exported if not hasattr(module, member)]
    assert missing == []
