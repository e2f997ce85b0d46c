from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.web.directory import Directory, seed_directory


@pytest.fixture
def directory(engine: Engine) -> Directory:
    return seed_directory(engine)
