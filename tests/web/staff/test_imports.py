"""Import with a preview: a bad row named as file:line: column: value: reason, a clean
preview imported exactly, "unchanged" the second time, and an import refused when the
directory changed between the preview and the import."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.db.models import Organization, Resource
from tests.web.staff.console import csrf_token, sign_in, sign_in_as_admin

HEADER = (
    "external_id,category,name,organization,address,city,state,postal_code,latitude,longitude,"
    "languages\n"
)
GOOD = (
    "puente-new-1,legal_aid,Clínica Nueva,Ayuda Legal,10 Elm St,Dallas,TX,75201,32.79,-96.79,"
    "es;vi\n"
)
BAD = "puente-new-2,legal_aid,Otra,Ayuda Legal,11 Elm St,Dallas,TX,75201,132.79,-96.79,es\n"


def _admin(client: TestClient[Litestar], accounts: dict[str, str]) -> TestClient[Litestar]:
    return sign_in_as_admin(client, accounts["admin"])


def _preview(client: TestClient[Litestar], text: str, **fields: str) -> object:
    token = csrf_token(client.get("/staff/imports").text)
    return client.post(
        "/staff/imports/preview",
        files={"files": ("listings.csv", text.encode(), "text/csv")},
        data={"_csrf_token": token, **fields},
    )


def _run(client: TestClient[Litestar], html: str) -> object:
    found = re.search(r'action="(/staff/imports/[^/"]+/run)"', html)
    assert found, "the preview offers no Import button"
    return client.post(found.group(1), data={"_csrf_token": csrf_token(html)})


def test_a_bad_row_is_named_then_the_fixed_file_is_imported_once(
    client: TestClient[Litestar], accounts: dict[str, str], engine: Engine
) -> None:
    admin = _admin(client, accounts)
    bad = _preview(admin, HEADER + GOOD + BAD)
    assert bad.status_code == 422
    assert "listings.csv:3: latitude: 132.79:" in bad.text
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


def test_editors_and_reviewers_may_not_import(
    client: TestClient[Litestar], accounts: dict[str, str]
) -> None:
    assert sign_in(client, accounts["editor"]).status_code == 303
    assert client.get("/staff/imports").status_code == 403
