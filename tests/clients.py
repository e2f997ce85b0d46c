"""Outside clients and data the tests read Puente with: GDAL, node packages, the HSDS schemas.

Each function skips with the reason on a machine without the client; CI sets the matching
``PUENTE_REQUIRE_*`` variable, which turns that skip into a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

__all__ = ["ROOT", "gdal_program", "hsds_dir", "missing", "node_module", "node_program"]

ROOT = Path(__file__).resolve().parent.parent
"""The project's checkout."""


def missing(variable: str, reason: str) -> None:
    if os.environ.get(variable) == "1":
        pytest.fail(f"{variable}=1 but {reason}")
    pytest.skip(reason)


def gdal_program(name: str = "ogrinfo") -> str:
    """The path of a GDAL command-line program (Debian's ``gdal-bin``)."""
    found = shutil.which(name)
    if found is None:
        missing("PUENTE_REQUIRE_GDAL", f"GDAL's {name} is not installed (Debian: gdal-bin)")
    return str(found)


def node_program() -> str:
    found = shutil.which("node")
    if found is None:
        missing("PUENTE_REQUIRE_NODE", "node is not installed")
    return str(found)


def node_module(name: str) -> Path:
    """An npm package from package.json, installed with ``npm ci`` at the project's root."""
    path = ROOT / "node_modules" / name
    if not path.is_dir():
        missing("PUENTE_REQUIRE_NODE", f"npm package {name} is not installed (run npm ci)")
    return path


def hsds_dir() -> Path:
    """The official Open Referral HSDS 3.1 schemas and examples, kept beside the project."""
    path = ROOT.parent / "shared" / "hsds"
    if not (path / "schema").is_dir():
        missing("PUENTE_REQUIRE_HSDS", f"the HSDS schemas are not at {path}")
    return path
