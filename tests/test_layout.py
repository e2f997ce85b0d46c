"""The arrows of the layout: ``web -> api``, ``seed -> api``, ``migrations -> api.db.models``.

``api/app.py`` and ``api/cli.py`` are the composition roots: the only modules of ``api``
that may import ``web`` or ``seed`` (to wire the map page, the upload route and the
``puente import`` command). Everything else in ``api`` stands on its own.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSITION_ROOTS = {"api/app.py", "api/cli.py"}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def imported_modules(path: Path) -> set[str]:
    """Every module imported, and each of its parent packages (``api.http.caching`` gives
    ``api``, ``api.http`` and ``api.http.caching``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        found = []
        if isinstance(node, ast.Import):
            found = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found = [node.module]
        for name in found:
            parts = name.split(".")
            names.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return names


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", modules("api"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_core_imports_neither_web_nor_seed(path: Path) -> None:
    if str(path.relative_to(ROOT)) in COMPOSITION_ROOTS:
        return
    assert not imported_packages(path) & {"web", "seed"}


@pytest.mark.parametrize(
    "path", modules("web") + modules("seed"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_web_and_seed_do_not_import_each_other(path: Path) -> None:
    own = path.relative_to(ROOT).parts[0]
    other = {"web", "seed"} - {own}
    assert not imported_packages(path) & other


HTTP_EDGE = ("api/http/", "web/")


@pytest.mark.parametrize(
    "path", modules("api") + modules("seed"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_only_the_http_edge_imports_litestar(path: Path) -> None:
    relative = str(path.relative_to(ROOT))
    if relative in COMPOSITION_ROOTS or relative.startswith(HTTP_EDGE):
        return
    assert "litestar" not in imported_packages(path)


@pytest.mark.parametrize("path", modules("api"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_domain_does_not_import_the_http_edge(path: Path) -> None:
    relative = str(path.relative_to(ROOT))
    if relative in COMPOSITION_ROOTS or relative.startswith("api/http/"):
        return
    assert not imported_modules(path) & {"api.http"}


def test_migrations_do_not_import_sqlmodel() -> None:
    for path in (ROOT / "migrations" / "versions").glob("*.py"):
        assert "sqlmodel" not in imported_packages(path), path.name


def test_no_catch_all_module_names() -> None:
    forbidden = {"utils.py", "helpers.py", "common.py", "misc.py"}
    found = [p for pkg in ("api", "web", "seed") for p in modules(pkg) if p.name in forbidden]
    assert found == []
