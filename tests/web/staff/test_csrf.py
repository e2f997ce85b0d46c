"""CSRF: every console form is refused without its token; nothing outside ``/staff`` is
touched by the console's CSRF or session cookies."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine

from tests.api.staff_keys import bearer, issue_key
from tests.web.directory import Directory
from tests.web.staff.console import PASSWORD, csrf_token


def test_sign_in_without_the_token_is_refused(
    client: TestClient[Litestar], accounts: dict[str, str]
) -> None:
    client.get("/staff/sign-in")
    answer = client.post(
        "/staff/sign-in",
        data={"email": accounts["editor"], "password": PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert client.get("/staff", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/staff/listings/{id}/save", {"phone": "(214) 555-0111"}),
        ("/staff/listings/{id}/verify", {"method": "phone"}),
        ("/staff/listings/{id}/retire", {"reason": "closed"}),
        ("/staff/sign-out", {}),
    ],
)
def test_console_forms_without_the_token_are_refused(
    editor: TestClient[Litestar], directory: Directory, path: str, fields: dict[str, str]
) -> None:
    resource_id = directory.resources["centro"]
    before = editor.get(f"/api/v1/resources/{resource_id}").json()
    url = path.format(id=resource_id)
    assert editor.post(url, data=fields, follow_redirects=False).status_code == 403
    wrong = {**fields, "_csrf_token": "x" * 64}
    assert editor.post(url, data=wrong, follow_redirects=False).status_code == 403
    assert editor.get(f"/api/v1/resources/{resource_id}").json() == before
    assert editor.get("/staff", follow_redirects=False).status_code == 200


def test_the_public_report_form_needs_no_console_token(
    client: TestClient[Litestar], directory: Directory
) -> None:
    resource_id = directory.resources["centro"]
    answer = client.post(
        f"/report/{resource_id}/send",
        data={"kind": "wrong_phone", "message": "The number rings a fax"},
    )
    assert answer.status_code == 200
    assert not [c for c in answer.headers.get_list("set-cookie") if "puente_staff" in c]


def test_api_key_writes_need_no_console_token(
    client: TestClient[Litestar], engine: Engine, directory: Directory
) -> None:
    key = issue_key(engine, "resources:write")
    resource_id = directory.resources["centro"]
    answer = client.patch(
        f"/api/v1/resources/{resource_id}", json={"phone": "(214) 555-0122"}, headers=bearer(key)
    )
    assert answer.status_code == 200
    assert answer.json()["phone"] == "(214) 555-0122"


def test_public_pages_set_no_console_cookie(
    client: TestClient[Litestar], directory: Directory
) -> None:
    for path in ("/", "/list", "/api/v1/resources"):
        answer = client.get(path)
        assert answer.status_code == 200
        assert not [c for c in answer.headers.get_list("set-cookie") if "puente_staff" in c]


def test_the_token_comes_with_the_page(editor: TestClient[Litestar]) -> None:
    page = editor.get("/staff")
    assert len(csrf_token(page.text)) > 20
