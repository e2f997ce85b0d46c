"""The report form's failures are pages in the reader's language, never the API's JSON."""

from __future__ import annotations

from dataclasses import replace

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from api.app import create_app
from api.db.models import ProblemReport
from api.http.middleware.protection import Limits
from api.settings import Settings
from tests.web.directory import Directory
from web.i18n import available_locales, translations
from web.report import FAILURE_MESSAGES

Client = TestClient[Litestar]


def stored_reports(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(ProblemReport)) or 0


def test_a_post_from_another_site_is_refused_with_a_translated_page(
    client: Client, engine: Engine, directory: Directory
) -> None:
    resource_id = directory.resources["church"]
    for code in available_locales():
        response = client.post(
            f"/report/{resource_id}/send?lang={code}",
            data={"kind": "closed"},
            headers={"Origin": "https://elsewhere.example", "Sec-Fetch-Site": "cross-site"},
        )
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("text/html")
        assert f'<html lang="{code}"' in response.text
        expected = translations(code).gettext(FAILURE_MESSAGES[403])
        assert expected in response.text.replace("&#39;", "'")
        assert translations(code).gettext("The report was not sent") in response.text
        assert f'href="/report/{resource_id}?lang={code}"' in response.text
    assert stored_reports(engine) == 0


def test_a_null_origin_without_same_origin_fetch_is_refused(
    client: Client, engine: Engine, directory: Directory
) -> None:
    resource_id = directory.resources["church"]
    response = client.post(
        f"/report/{resource_id}/send?lang=es",
        data={"kind": "closed"},
        headers={"Origin": "null", "Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert "Este formulario solo se puede enviar desde su propia página" in response.text
    own = client.post(
        f"/report/{resource_id}/send?lang=es",
        data={"kind": "closed"},
        headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"},
    )
    assert own.status_code == 200
    assert "Gracias. El personal revisará este lugar." in own.text
    assert stored_reports(engine) == 1


def test_too_many_reports_is_a_translated_page_with_retry_after(
    settings: Settings, engine: Engine, directory: Directory
) -> None:
    limits = replace(Limits(), reports=("minute", 1))
    resource_id = directory.resources["church"]
    with TestClient(create_app(settings, limits=limits)) as client:
        first = client.post(f"/report/{resource_id}/send?lang=vi", data={"kind": "closed"})
        assert first.status_code == 200
        second = client.post(f"/report/{resource_id}/send?lang=vi", data={"kind": "closed"})
    assert second.status_code == 429
    assert second.headers["content-type"].startswith("text/html")
    assert int(second.headers["retry-after"]) >= 1
    assert translations("vi").gettext(FAILURE_MESSAGES[429]) in second.text
    assert stored_reports(engine) == 1


def test_a_form_too_large_to_read_is_a_translated_page(
    client: Client, engine: Engine, directory: Directory
) -> None:
    resource_id = directory.resources["church"]
    response = client.post(
        f"/report/{resource_id}/send?lang=ar",
        data={"kind": "other", "message": "x" * (Limits().max_body_bytes + 1)},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="ar" dir="rtl"' in response.text
    assert translations("ar").gettext(FAILURE_MESSAGES[400]) in response.text
    assert stored_reports(engine) == 0


def test_a_report_without_a_kind_shows_the_form_again_translated(
    client: Client, engine: Engine, directory: Directory
) -> None:
    resource_id = directory.resources["church"]
    response = client.post(f"/report/{resource_id}/send?lang=ko", data={"message": "x"})
    assert response.status_code == 400
    assert translations("ko").gettext("Please choose what is wrong.") in response.text
    assert 'name="kind"' in response.text
    assert stored_reports(engine) == 0
