"""A console save while another writer holds the database: it waits its turn and lands.

On SQLite a transaction that reads first and writes later fails at once when another
writer committed in between (no busy timeout helps it); the console's ``POST`` sessions
therefore begin as writers. PostgreSQL runs the same test and simply waits on locks.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, update

from api.db.engine import WRITING
from api.db.models import Organization
from tests.web.directory import Directory
from tests.web.staff.console import form_values

NEW_PHONE = "(214) 555-0123"


def test_a_save_waits_for_another_writer_instead_of_failing(
    editor: TestClient[Litestar], directory: Directory, engine: Engine
) -> None:
    resource_id = directory.resources["centro"]
    page = editor.get(f"/staff/listings/{resource_id}")
    form = form_values(page.text, f"/staff/listings/{resource_id}/save")
    answers: list[Any] = []
    with engine.connect().execution_options(**WRITING) as other:
        other.begin()
        other.execute(update(Organization).values(phone="(214) 555-0000"))

        def save() -> None:
            answers.append(
                editor.post(
                    f"/staff/listings/{resource_id}/save",
                    data={**form, "phone": NEW_PHONE},
                    follow_redirects=False,
                )
            )

        saving = threading.Thread(target=save)
        saving.start()
        time.sleep(1.0)  # the save has begun and meets the other writer's lock
        assert answers == []
        other.commit()
        saving.join(timeout=30)
    assert [answer.status_code for answer in answers] == [303]
    assert editor.get(f"/api/v1/resources/{resource_id}").json()["phone"] == NEW_PHONE
