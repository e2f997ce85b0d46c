"""The editor and the triage pages against a real database: a save shows at once in public,
a stale save gets the conflict page and writes nothing, verify, retire, reports, history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session, select

from api.db.models import AuditEntry, ProblemReport, Resource, Verification
from tests.web.directory import XSS_NAME, Directory
from tests.web.staff.console import add_account, csrf_token, form_values, sign_in

NEW_PHONE = "(214) 555-0177"


def _editor_form(client: TestClient[Litestar], resource_id: int) -> dict[str, str]:
    page = client.get(f"/staff/listings/{resource_id}")
    assert page.status_code == 200
    return form_values(page.text, f"/staff/listings/{resource_id}/save")


def test_a_new_phone_shows_at_once_on_the_map_and_in_the_api(
    editor: TestClient[Litestar], directory: Directory, engine: Engine
) -> None:
    resource_id = directory.resources["centro"]
    assert NEW_PHONE not in editor.get("/").text
    form = _editor_form(editor, resource_id)
    saved = editor.post(f"/staff/listings/{resource_id}/save", data={**form, "phone": NEW_PHONE})
    assert saved.status_code == 200
    assert "Saved. The public map and API show it now." in saved.text
    assert editor.get(f"/api/v1/resources/{resource_id}").json()["phone"] == NEW_PHONE
    assert NEW_PHONE in editor.get("/").text
    with Session(engine) as session:
        entry = session.exec(
            select(AuditEntry).where(AuditEntry.entity == "resource").order_by(AuditEntry.id.desc())  # type: ignore[union-attr]
        ).first()
        assert entry is not None
        assert entry.actor == "Ana Editor"
        assert entry.before and entry.before["phone"] == "(214) 555-0100"
        assert entry.after and entry.after["phone"] == NEW_PHONE
        # Only what was typed changed: no other field moved.
        changed = {k for k in entry.after if entry.after[k] != entry.before.get(k)}
        assert changed == {"phone", "updated_at"}


def test_a_problem_is_shown_beside_its_field_and_nothing_is_written(
    editor: TestClient[Litestar], directory: Directory
) -> None:
    resource_id = directory.resources["centro"]
    before = editor.get(f"/api/v1/resources/{resource_id}").json()
    form = _editor_form(editor, resource_id)
    unknown = editor.post(
        f"/staff/listings/{resource_id}/save",
        data={**form, "phone": NEW_PHONE, "lang-0-code": "klingonish"},
    )
    assert unknown.status_code == 400
    assert 'name="lang-0-code" value="klingonish" maxlength="60" aria-invalid="true"' in (
        unknown.text
    )
    assert "klingonish" in unknown.text.split('id="f-lang-0-code"')[1].split("</div>")[0]
    nameless = editor.post(
        f"/staff/listings/{resource_id}/save", data={**form, "name": "", "phone": NEW_PHONE}
    )
    assert nameless.status_code == 400
    beside = nameless.text.split('id="f-name"')[1].split("</div>")[0]
    assert '<p class="error" id="f-name-error">may not be null</p>' in beside
    assert editor.get(f"/api/v1/resources/{resource_id}").json() == before


def test_a_stale_save_gets_the_conflict_page_and_can_be_reapplied(
    app: Litestar, editor: TestClient[Litestar], engine: Engine, directory: Directory
) -> None:
    resource_id = directory.resources["clinic"]
    mine = _editor_form(editor, resource_id)
    add_account(engine, email="otto@example.org", name="Otto Editor", role="editor")
    with TestClient(app) as other:
        assert sign_in(other, "otto@example.org").status_code == 303
        theirs = _editor_form(other, resource_id)
        other.post(f"/staff/listings/{resource_id}/save", data={**theirs, "fees": "Free"})
    answer = editor.post(f"/staff/listings/{resource_id}/save", data={**mine, "phone": NEW_PHONE})
    assert answer.status_code == 409
    assert "Someone changed this listing while you were editing it" in answer.text
    assert '<th scope="row">fees</th><td>Free</td><td></td>' in answer.text
    now = editor.get(f"/api/v1/resources/{resource_id}").json()
    assert now["phone"] != NEW_PHONE
    assert now["fees"] == "Free"
    # The conflict page's form carries my values and the current version: applying it wins.
    again = form_values(answer.text, f"/staff/listings/{resource_id}/save")
    assert again["phone"] == NEW_PHONE
    reapplied = editor.post(f"/staff/listings/{resource_id}/save", data={**again, "fees": "Free"})
    assert reapplied.status_code == 200
    assert editor.get(f"/api/v1/resources/{resource_id}").json()["phone"] == NEW_PHONE


def _make_due(engine: Engine, resource_id: int) -> None:
    with Session(engine) as session:
        session.execute(
            update(Resource)
            .where(Resource.id == resource_id)  # type: ignore[arg-type]
            .values(verified_at=datetime.now(UTC) - timedelta(days=400))
        )
        session.commit()


def test_verifying_a_due_listing_takes_it_off_the_due_list(
    editor: TestClient[Litestar], directory: Directory, engine: Engine
) -> None:
    resource_id = directory.resources["church"]
    _make_due(engine, resource_id)
    due = editor.get("/staff/listings?state=due")
    assert f'href="/staff/listings/{resource_id}"' in due.text
    assert "1 listings due for verification" in " ".join(editor.get("/staff").text.split()).replace(
        '<span class="count">1</span> ', "1 "
    )
    answer = editor.post(
        f"/staff/listings/{resource_id}/verify",
        data={
            "_csrf_token": csrf_token(due.text),
            "method": "phone",
            "note": "Spoke to the office",
            "back": "/staff/listings?state=due",
        },
    )
    assert answer.status_code == 200
    assert f'href="/staff/listings/{resource_id}"' not in answer.text
    public = editor.get(f"/api/v1/resources/{resource_id}").json()
    assert datetime.fromisoformat(public["verified_at"]) > datetime.now(UTC) - timedelta(minutes=5)
    with Session(engine) as session:
        verification = session.exec(select(Verification)).one()
        assert (verification.staff_name, verification.method) == ("Ana Editor", "phone")
        assert verification.note == "Spoke to the office"


def test_an_unknown_verification_method_is_refused(
    editor: TestClient[Litestar], directory: Directory, engine: Engine
) -> None:
    resource_id = directory.resources["church"]
    page = editor.get(f"/staff/listings/{resource_id}")
    answer = editor.post(
        f"/staff/listings/{resource_id}/verify",
        data={"_csrf_token": csrf_token(page.text), "method": "telepathy"},
    )
    assert answer.status_code == 422
    with Session(engine) as session:
        assert session.exec(select(Verification)).all() == []


def test_resolving_a_report_from_the_queue(
    editor: TestClient[Litestar], directory: Directory, engine: Engine
) -> None:
    resource_id = directory.resources["police"]
    editor.post(f"/report/{resource_id}/send", data={"kind": "wrong_hours"})
    queue = editor.get("/staff/reports")
    assert "Northeast Police Community Room" in queue.text
    assert "The hours are wrong" in queue.text
    with Session(engine) as session:
        report = session.exec(select(ProblemReport)).one()
    answer = editor.post(
        f"/staff/reports/{report.id}/resolve",
        data={"_csrf_token": csrf_token(queue.text), "resolution": "fixed", "note": "New hours"},
    )
    assert answer.status_code == 200
    assert "No open reports." in answer.text
    with Session(engine) as session:
        done = session.get(ProblemReport, report.id)
        assert done is not None and done.resolved_at is not None
        assert (done.resolution, done.resolved_by, done.resolution_note) == (
            "fixed",
            "Ana Editor",
            "New hours",
        )
        entry = session.exec(select(AuditEntry).where(AuditEntry.entity == "problem_report")).one()
        assert entry.actor == "Ana Editor"


def test_the_history_shows_a_readable_diff_under_the_staff_name(
    editor: TestClient[Litestar], directory: Directory
) -> None:
    resource_id = directory.resources["centro"]
    form = _editor_form(editor, resource_id)
    editor.post(f"/staff/listings/{resource_id}/save", data={**form, "phone": NEW_PHONE})
    history = editor.get(f"/staff/listings/{resource_id}/history")
    assert history.status_code == 200
    assert "Ana Editor" in history.text
    assert '<th scope="row">phone</th>' in history.text
    assert "<del>(214) 555-0100</del>" in history.text
    assert f"<ins>{NEW_PHONE}</ins>" in history.text


def test_retiring_needs_a_reason_and_hides_the_listing(
    editor: TestClient[Litestar], directory: Directory, engine: Engine
) -> None:
    resource_id = directory.resources["church"]
    page = editor.get(f"/staff/listings/{resource_id}")
    token = csrf_token(page.text)
    refused = editor.post(
        f"/staff/listings/{resource_id}/retire", data={"_csrf_token": token, "reason": " "}
    )
    assert refused.status_code == 400
    assert "Say why it is retired." in refused.text
    retired = editor.post(
        f"/staff/listings/{resource_id}/retire",
        data={"_csrf_token": token, "reason": "The parish closed the hall"},
    )
    assert retired.status_code == 200
    assert editor.get(f"/api/v1/resources/{resource_id}").status_code == 404
    with Session(engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "delete")).one()
        assert entry.actor == "Ana Editor"
        assert entry.after and entry.after["retire_reason"] == "The parish closed the hall"
    listed = editor.get("/staff/listings?retired=1")
    assert f'href="/staff/listings/{resource_id}"' in listed.text


def test_listings_search_by_text_language_and_state(
    editor: TestClient[Litestar], directory: Directory
) -> None:
    found = editor.get("/staff/listings?q=cl%C3%ADnica")
    assert f'href="/staff/listings/{directory.resources["clinic"]}"' in found.text
    assert f'href="/staff/listings/{directory.resources["centro"]}"' not in found.text
    vietnamese = editor.get("/staff/listings?language=vi")
    assert "2 listings found." in vietnamese.text
    assert f'href="/staff/listings/{directory.resources["clinic"]}"' in vietnamese.text
    assert f'href="/staff/listings/{directory.resources["hoi"]}"' in vietnamese.text
    assert "0 listings found." in editor.get("/staff/listings?state=due").text


def test_database_text_is_shown_as_text(editor: TestClient[Litestar], directory: Directory) -> None:
    for path in ("/staff/listings", f"/staff/listings/{directory.resources['xss']}"):
        page = editor.get(path)
        assert XSS_NAME not in page.text
        assert "&lt;img src=x onerror=alert(1)&gt;" in page.text


def test_console_pages_send_the_public_security_headers(editor: TestClient[Litestar]) -> None:
    public = editor.get("/")
    for path in ("/staff", "/staff/sign-in", "/staff/listings"):
        headers = editor.get(path).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["referrer-policy"] == public.headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store"
