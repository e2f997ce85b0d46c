"""The editor's newer parts: an organization typed in, hours as rows, a point placed by
hand, the geocode preview, restoring a retired listing, and problems in Spanish."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from api.db.models import AuditEntry, Organization
from tests.web.directory import Directory
from tests.web.staff.console import csrf_token, form_values
from web.staff.hours_rows import HoursRow, hours_text, rows_of


def _form(client: TestClient[Litestar], resource_id: int, query: str = "") -> dict[str, str]:
    page = client.get(f"/staff/listings/{resource_id}{query}")
    assert page.status_code == 200
    return form_values(page.text, f"/staff/listings/{resource_id}/save")


def _save(client: TestClient[Litestar], resource_id: int, data: dict[str, str]) -> object:
    return client.post(f"/staff/listings/{resource_id}/save", data=data, follow_redirects=False)


def test_hours_rows_read_and_write_the_opening_hours_syntax() -> None:
    rows = rows_of("Mo-Fr 09:00-17:00; Sa 10:00-14:00")
    assert rows is not None and len(rows) == 6
    assert rows[5] == HoursRow(day="Sa", opens="10:00", closes="14:00")
    assert hours_text(rows) == "Mo-Fr 09:00-17:00; Sa 10:00-14:00"
    late = [HoursRow(day="Fr", opens="22:00", closes="02:00"), HoursRow(day="Mo")]
    assert hours_text(late) == "Fr 22:00-02:00"
    assert hours_text([HoursRow(day="Mo", opens="08:00", closes="00:00")]) == "Mo 08:00-24:00"
    assert rows_of("PH off") is None
    assert rows_of(None) == []


def test_a_new_organization_typed_in_is_added_once(
    editor: TestClient[Litestar], directory: Directory, engine: Engine
) -> None:
    centro, clinic = directory.resources["centro"], directory.resources["clinic"]
    saved = _save(
        editor, centro, {**_form(editor, centro), "new_organization": "Mesa Vecinal Oak Cliff"}
    )
    assert saved.status_code == 303  # type: ignore[attr-defined]
    shown = editor.get(f"/api/v1/resources/{centro}").json()
    assert shown["organization"]["name"] == "Mesa Vecinal Oak Cliff"
    # The same name again (any case) picks the organization already there.
    again = {**_form(editor, clinic), "new_organization": "mesa vecinal oak cliff"}
    assert _save(editor, clinic, again).status_code == 303  # type: ignore[attr-defined]
    assert (
        editor.get(f"/api/v1/resources/{clinic}").json()["organization"]["id"]
        == (shown["organization"]["id"])
    )
    with Session(engine) as session:
        count = session.scalar(
            select(func.count()).where(Organization.name == "Mesa Vecinal Oak Cliff")  # type: ignore[arg-type]
        )
        assert count == 1
        created = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "organization",  # type: ignore[arg-type]
                AuditEntry.action == "create",  # type: ignore[arg-type]
            )
        ).all()
        assert [entry.actor for entry in created] == ["Ana Editor"]


def test_hours_rows_are_added_removed_and_saved(
    editor: TestClient[Litestar], directory: Directory
) -> None:
    centro = directory.resources["centro"]
    form = _form(editor, centro)
    assert [form[f"hours-{n}-day"] for n in range(5)] == ["Mo", "Tu", "We", "Th", "Fr"]
    assert form["hours-5-opens"] == ""  # the empty row offered
    added = _save(editor, centro, {**form, "action": "add-hours"})
    assert added.status_code == 200  # type: ignore[attr-defined]
    assert 'name="hours-6-day"' in added.text  # type: ignore[attr-defined]
    assert 'name="hours-7-day"' not in added.text  # type: ignore[attr-defined]
    removed = _save(editor, centro, {**form, "action": "remove-hours-4"})
    after = form_values(removed.text, f"/staff/listings/{centro}/save")  # type: ignore[attr-defined]
    assert [after[f"hours-{n}-day"] for n in range(4)] == ["Mo", "Tu", "We", "Th"]
    assert "Mo-Th 09:00-17:00" in removed.text  # type: ignore[attr-defined]
    assert editor.get(f"/api/v1/resources/{centro}").json()["hours"] == "Mo-Fr 09:00-17:00"
    after |= {"hours-4-day": "Sa", "hours-4-opens": "10:00", "hours-4-closes": "14:00"}
    assert _save(editor, centro, after).status_code == 303  # type: ignore[attr-defined]
    assert editor.get(f"/api/v1/resources/{centro}").json()["hours"] == (
        "Mo-Th 09:00-17:00; Sa 10:00-14:00"
    )
    bad = _form(editor, centro) | {"hours-0-opens": "9am"}
    refused = _save(editor, centro, bad)
    assert refused.status_code == 400  # type: ignore[attr-defined]
    beside = refused.text.split('id="f-hours-0-opens"')[1].split("</div>")[0]  # type: ignore[attr-defined]
    assert "expected a time such as 09:00" in beside


def test_a_point_placed_by_hand_shows_in_the_api(
    editor: TestClient[Litestar], directory: Directory
) -> None:
    clinic = directory.resources["clinic"]
    form = _form(editor, clinic) | {"location-latitude": "32.7512", "location-longitude": "-96.7"}
    assert _save(editor, clinic, form).status_code == 303  # type: ignore[attr-defined]
    where = editor.get(f"/api/v1/resources/{clinic}").json()["location"]
    assert (where["latitude"], where["longitude"]) == (32.7512, -96.7)
    assert where["precision"] == "provided"
    wrong = _form(editor, clinic) | {"location-latitude": "95"}
    refused = _save(editor, clinic, wrong)
    assert refused.status_code == 400  # type: ignore[attr-defined]
    beside = refused.text.split('id="f-location-latitude"')[1].split("</div>")[0]  # type: ignore[attr-defined]
    assert "at most 90" in beside


def test_problems_beside_fields_are_in_the_page_language(
    editor: TestClient[Litestar], directory: Directory
) -> None:
    clinic = directory.resources["clinic"]
    form = _form(editor, clinic, "?lang=es")
    # Refused while the form is read (pydantic), and by the writer (the domain's words).
    for changed, field, spanish in (
        ({"location-latitude": "95"}, "f-location-latitude", "como máximo 90"),
        ({"name": ""}, "f-name", "no puede estar vacío"),
    ):
        refused = _save(editor, clinic, form | changed)
        assert refused.status_code == 400  # type: ignore[attr-defined]
        text = refused.text  # type: ignore[attr-defined]
        assert spanish in text.split(f'id="{field}"')[1].split("</div>")[0]
        assert "Input should be" not in text and "may not be null" not in text


def test_the_preview_places_the_typed_address_and_saves_nothing(
    editor: TestClient[Litestar], directory: Directory
) -> None:
    clinic = directory.resources["clinic"]
    before = editor.get(f"/api/v1/resources/{clinic}").json()
    form = _form(editor, clinic) | {"location-postal_code": "75201", "action": "preview"}
    shown = _save(editor, clinic, form)
    assert shown.status_code == 200  # type: ignore[attr-defined]
    assert "Yellow: where the typed address is (32.7" in shown.text  # type: ignore[attr-defined]
    assert "/static/" in shown.text.split("</head>")[0]  # type: ignore[attr-defined]
    assert "unpkg" not in shown.text and "cdn" not in shown.text  # type: ignore[attr-defined]
    assert editor.get(f"/api/v1/resources/{clinic}").json() == before


def test_a_retired_listing_is_restored_with_a_reason(
    editor: TestClient[Litestar], directory: Directory, engine: Engine
) -> None:
    church = directory.resources["church"]
    page = editor.get(f"/staff/listings/{church}")
    retired = editor.post(
        f"/staff/listings/{church}/retire",
        data={"reason": "Moved away", "_csrf_token": csrf_token(page.text)},
        follow_redirects=False,
    )
    assert retired.status_code == 303
    assert editor.get(f"/api/v1/resources/{church}").status_code == 404
    page = editor.get(f"/staff/listings/{church}")
    assert page.status_code == 200
    assert "Why: Moved away" in page.text
    token = csrf_token(page.text)
    no_reason = editor.post(
        f"/staff/listings/{church}/restore", data={"reason": " ", "_csrf_token": token}
    )
    assert no_reason.status_code == 400
    assert "Say why it is restored." in no_reason.text
    assert editor.get(f"/api/v1/resources/{church}").status_code == 404
    restored = editor.post(
        f"/staff/listings/{church}/restore",
        data={"reason": "Back at the old address", "_csrf_token": token},
        follow_redirects=False,
    )
    assert restored.status_code == 303
    assert editor.get(f"/api/v1/resources/{church}").status_code == 200
    assert "Iglesia San Juan" in editor.get("/list").text
    with Session(engine) as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "restore")  # type: ignore[arg-type]
        ).one()
        assert entry.actor == "Ana Editor"
        assert entry.after is not None and entry.after["reason"] == "Back at the old address"


def test_a_reviewer_may_not_restore(
    client: TestClient[Litestar], accounts: dict[str, str], directory: Directory
) -> None:
    from tests.web.staff.console import sign_in

    sign_in(client, accounts["reviewer"])
    page = client.get("/staff")
    answer = client.post(
        f"/staff/listings/{directory.resources['church']}/restore",
        data={"reason": "x", "_csrf_token": csrf_token(page.text)},
    )
    assert answer.status_code == 403
