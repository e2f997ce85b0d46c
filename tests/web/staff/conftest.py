from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine

from tests.web.directory import Directory
from tests.web.staff.console import add_account, sign_in


@pytest.fixture
def accounts(engine: Engine) -> dict[str, str]:
    """One account of each role, by role: its email."""
    emails = {}
    for role, name in (
        ("editor", "Ana Editor"),
        ("reviewer", "Rita Reviewer"),
        ("admin", "Alma Admin"),
    ):
        email = f"{role}@example.org"
        add_account(engine, email=email, name=name, role=role)
        emails[role] = email
    return emails


@pytest.fixture
def editor(
    client: TestClient[Litestar], accounts: dict[str, str], directory: Directory
) -> Iterator[TestClient[Litestar]]:
    """The test client, signed in as an editor, over the small test directory."""
    answer = sign_in(client, accounts["editor"])
    assert answer.status_code == 303
    yield client
