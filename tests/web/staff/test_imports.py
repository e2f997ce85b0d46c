"""Import with a preview: the upload answers at once and its page shows the dry run's
progress, then per file what each row would do (an update field by field, the rows a page at
a time) and every problem as file:line: column: value: reason; a clean preview is imported
exactly, "unchanged" the second time; the import is refused when the directory changed
between the preview and the import, and a preview is its uploader's only."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

import seed.importer
from api.db.models import Organization, Resource
from tests.web.staff.console import add_account, csrf_token, sign_in, sign_in_as_admin

HEADER = (
    "external_id,category,name,organization,address,city,state,postal_code,latitude,longitude,"
    "languages\n"
)
GOOD = (
    "puente-new-1,legal_aid,Clínica Nueva,Ayuda Legal,10 Elm St,Dallas,TX,75201,32.79,-96.79,"
    "es;vi\n"
)
BAD = "puente-new-2,legal_aid,Otra,Ayuda Legal,11 Elm St,Dallas,TX,75201,132.79,-96.79,es\n"
WAIT_S = 60


def _admin(client: TestClient[Litestar], accounts: dict[str, str]) -> TestClient[Litestar]:
    return sign_in_as_admin(client, accounts["admin"])


def _settled(client: TestClient[Litestar], location: str) -> Any:
    """The job's page once it stops reloading itself."""
    deadline = time.monotonic() + WAIT_S
    while True:
        page = client.get(location)
        if 'http-equiv="refresh"' not in page.text:
            return page
        assert time.monotonic() < deadline, "the import never finished"
        time.sleep(0.05)


def _start(client: TestClient[Litestar], text: str, **fields: str) -> str:
    token = csrf_token(client.get("/staff/imports").text)
    started = client.post(
        "/staff/imports/preview",
        files={"files": ("listings.csv", text.encode(), "text/csv")},
        data={"_csrf_token": token, **fields},
        follow_redirects=False,
    )
    assert started.status_code == 303
    location = started.headers["location"]
    assert re.fullmatch(r"/staff/imports/[\w-]+", location)
    return str(location)


def _preview(client: TestClient[Litestar], text: str, **fields: str) -> Any:
    return _settled(client, _start(client, text, **fields))


def _run(client: TestClient[Litestar], html: str) -> Any:
    found = re.search(r'action="(/staff/imports/[^/"]+/run)"', html)
    assert found, "the preview offers no Import button"
    answer = client.post(
        found.group(1), data={"_csrf_token": csrf_token(html)}, follow_redirects=False
    )
    if answer.status_code != 303:
        return answer
    return _settled(client, answer.headers["location"])


def test_a_bad_row_is_named_then_the_fixed_file_is_imported_once(
    client: TestClient[Litestar], accounts: dict[str, str], engine: Engine
) -> None:
    admin = _admin(client, accounts)
    bad = _preview(admin, HEADER + GOOD + BAD)
    assert bad.status_code == 422
    assert "listings.csv:3: latitude: 132.79:" in bad.text
    assert "Problems in listings.csv (1)" in bad.text
    assert "/run" not in bad.text
    good = _preview(admin, HEADER + GOOD)
    assert good.status_code == 200
    assert "Preview: nothing is written yet" in good.text
    with Session(engine) as session:
        assert (
            session.exec(select(Resource).where(Resource.external_id == "puente-new-1")).first()
            is None
        )
    done = _run(admin, good.text)
    assert done.status_code == 200
    assert "Imported. The public map and API show it now." in done.text
    found = admin.get("/api/v1/resources", params={"q": "Clínica Nueva"}).json()
    assert [item["name"] for item in found["items"]] == ["Clínica Nueva"]
    again = _preview(admin, HEADER + GOOD)
    row = re.search(r"<tr><td>resources</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>", again.text)
    assert row and row.groups() == ("0", "0", "1")
    # A preview is used once.
    assert _run(admin, good.text).status_code == 404


def test_the_preview_counts_each_file_and_shows_an_update_field_by_field(
    client: TestClient[Litestar], accounts: dict[str, str]
) -> None:
    admin = _admin(client, accounts)
    _run(admin, _preview(admin, HEADER + GOOD).text)
    changed = GOOD.replace("10 Elm St", "12 Elm St")
    other = "puente-new-3,legal_aid,Tercera,Ayuda Legal,14 Elm St,Dallas,TX,75201,32.79,-96.78,es\n"
    token = csrf_token(admin.get("/staff/imports").text)
    started = admin.post(
        "/staff/imports/preview",
        files=[
            ("files", ("north.csv", (HEADER + changed).encode(), "text/csv")),
            ("files", ("south.csv", (HEADER + other + BAD).encode(), "text/csv")),
        ],
        data={"_csrf_token": token, "partial": "on"},
        follow_redirects=False,
    )
    location = started.headers["location"]
    page = _settled(admin, location).text
    per_file = re.findall(
        r'<tr><th scope="row">([\w.]+)</th><td>resources</td>'
        r"<td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>",
        page,
    )
    assert per_file == [("north.csv", "0", "1", "0", "0"), ("south.csv", "1", "0", "0", "1")]
    assert "Problems in south.csv (1)" in page
    assert "south.csv:3: latitude: 132.79:" in page
    assert (
        "<li><code>location.address</code>: <del>10 Elm St</del> → <ins>12 Elm St</ins></li>"
        in page
    )
    assert re.search(
        r"<td><code>south.csv:2</code></td><td>puente-new-3</td>\s*<td>to create", page
    )
    spanish = admin.get(location, params={"lang": "es"}).text
    assert "Vista previa: todavía no se escribe nada" in spanish
    assert "Por archivo" in spanish
    assert "Problemas en south.csv (1)" in spanish
    assert "se actualizará" in spanish


def test_a_large_preview_shows_its_rows_a_page_at_a_time(
    client: TestClient[Litestar], accounts: dict[str, str]
) -> None:
    admin = _admin(client, accounts)
    rows = "".join(
        f"bulk-{n:03},legal_aid,Lugar {n:03},Ayuda Legal,{n} Oak St,Dallas,TX,75201,"
        f"32.7{n % 10},-96.8{n % 7},es\n"
        for n in range(120)
    )
    location = _start(admin, HEADER + rows)
    first = _settled(admin, location)
    assert "Rows (120)" in first.text
    assert first.text.count('<tr class="created">') == 50
    assert "bulk-000" in first.text and "bulk-050" not in first.text
    assert 'href="?page=2" rel="next"' in first.text
    assert 'href="?page=3"' in first.text
    assert "Page 1 of 3" in first.text
    last = admin.get(location, params={"page": 3})
    assert last.text.count('<tr class="created">') == 20
    assert "bulk-119" in last.text and "bulk-099" not in last.text
    assert 'href="?page=2" rel="prev"' in last.text
    # A page beyond the last shows the last.
    assert "Page 3 of 3" in admin.get(location, params={"page": 99}).text


def test_the_page_shows_the_geocoding_progress_while_the_dry_run_works(
    client: TestClient[Litestar], accounts: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    placing = seed.importer.place_records

    def slow_places(*args: Any, progress: Any, **kwargs: Any) -> Any:
        progress.start("Geocoding (offline)", 7)
        progress.advance(3)
        assert release.wait(WAIT_S)
        return placing(*args, progress=progress, **kwargs)

    monkeypatch.setattr(seed.importer, "place_records", slow_places)
    admin = _admin(client, accounts)
    location = _start(admin, HEADER + GOOD)
    _until(lambda: "Geocoding 3 of 7 rows" in admin.get(location).text)
    running = admin.get(location)
    assert '<meta http-equiv="refresh" content="1">' in running.text
    assert "Import what was previewed" not in running.text
    release.set()
    done = _settled(admin, location)
    assert "Preview: nothing is written yet" in done.text
    assert 'http-equiv="refresh"' not in done.text


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, "the page never showed it"
        time.sleep(0.05)


def test_keep_the_good_rows_imports_the_good_one(
    client: TestClient[Litestar], accounts: dict[str, str]
) -> None:
    admin = _admin(client, accounts)
    preview = _preview(admin, HEADER + GOOD + BAD, partial="on")
    assert "Only the good rows will be written." in preview.text
    done = _run(admin, preview.text)
    assert done.status_code == 200
    names = [i["name"] for i in admin.get("/api/v1/resources", params={"q": "Elm"}).json()["items"]]
    assert admin.get("/api/v1/resources", params={"q": "Otra"}).json()["total"] == 0
    assert (
        "Clínica Nueva" in names
        or admin.get("/api/v1/resources", params={"q": "Nueva"}).json()["total"] == 1
    )


def test_a_change_after_the_preview_refuses_the_import(
    client: TestClient[Litestar], accounts: dict[str, str], engine: Engine
) -> None:
    admin = _admin(client, accounts)
    preview = _preview(admin, HEADER + GOOD)
    with Session(engine) as session:
        session.add(Organization(name="Someone else's change"))
        session.commit()
    refused = _run(admin, preview.text)
    assert refused.status_code == 409
    assert "The directory changed since the preview, so nothing was imported." in refused.text
    assert admin.get("/api/v1/resources", params={"q": "Nueva"}).json()["total"] == 0
    # The refused preview is gone: importing it again is not possible.
    assert _run(admin, preview.text).status_code == 404


def test_only_the_member_who_previewed_sees_or_imports_it(
    client: TestClient[Litestar], accounts: dict[str, str], engine: Engine
) -> None:
    admin = _admin(client, accounts)
    location = _start(admin, HEADER + GOOD)
    preview = _settled(admin, location)
    assert "Import what was previewed" in preview.text
    add_account(engine, email="other-admin@example.org", name="Otra Admin", role="admin")
    client.cookies.clear()
    other = sign_in_as_admin(client, "other-admin@example.org")
    assert other.get(location).status_code == 404
    refused = other.post(
        location + "/run",
        data={"_csrf_token": csrf_token(other.get("/staff/imports").text)},
        follow_redirects=False,
    )
    assert refused.status_code == 404
    assert other.get("/api/v1/resources", params={"q": "Nueva"}).json()["total"] == 0


def test_editors_and_reviewers_may_not_import(
    client: TestClient[Litestar], accounts: dict[str, str]
) -> None:
    assert sign_in(client, accounts["editor"]).status_code == 303
    assert client.get("/staff/imports").status_code == 403
