"""``/report/{id}``: a resident says a listing is wrong, with a plain form (no JavaScript).

The form posts to ``/report/{id}/send``, which files the report through
``api.directory.problem_reports.file_report`` in process, the same rule the public API's
``POST /api/v1/resources/{id}/reports`` uses, under the same rate-limit budget. Nothing about
the sender is asked for or kept.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import MediaType, RequestEncodingType
from litestar.params import Body, FromPath
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.db.models import ReportKind
from api.directory.problem_reports import ReportCreate, file_report
from api.search import get_resource
from api.settings import Settings
from web.i18n import translations
from web.labels import N_
from web.pages import base_context, request_locale
from web.rendering import environment

__all__ = ["REPORT_KIND_LABELS", "report_form", "send_report"]

REPORT_KIND_LABELS: dict[str, str] = {
    ReportKind.WRONG_ADDRESS: N_("The address is wrong"),
    ReportKind.WRONG_PHONE: N_("The phone number is wrong"),
    ReportKind.WRONG_HOURS: N_("The hours are wrong"),
    ReportKind.WRONG_LANGUAGES: N_("The languages are wrong"),
    ReportKind.CLOSED: N_("It has closed"),
    ReportKind.OTHER: N_("Something else"),
}


@get("/report/{resource_id:int}", name="report-form", include_in_schema=False, sync_to_thread=True)
def report_form(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    resource_id: FromPath[int],
) -> Response[str]:
    return _render(request, db_session, settings, resource_id, sent=False, error=False)


@post(
    "/report/{resource_id:int}/send",
    name="report-send",
    include_in_schema=False,
    sync_to_thread=True,
    opt={"budget": "reports"},
    status_code=200,
)
def send_report(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    resource_id: FromPath[int],
    data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Response[str]:
    try:
        report = ReportCreate(kind=data.get("kind", ""), message=data.get("message") or None)
    except ValidationError:
        return _render(request, db_session, settings, resource_id, sent=False, error=True)
    if get_resource(db_session, resource_id, now=datetime.now(UTC), settings=settings) is None:
        return _render(request, db_session, settings, resource_id, sent=False, error=False)
    file_report(db_session, resource_id, report)
    return _render(request, db_session, settings, resource_id, sent=True, error=False)


def _render(
    request: Request[Any, Any, Any],
    session: Session,
    settings: Settings,
    resource_id: int,
    *,
    sent: bool,
    error: bool,
) -> Response[str]:
    ui = request_locale(request)
    gettext = translations(ui.code).gettext
    resource = get_resource(session, resource_id, now=datetime.now(UTC), settings=settings)
    path = f"/report/{resource_id}"
    context = base_context(request, ui, settings, switch_url=lambda code: f"{path}?lang={code}")
    context |= {
        "resource": resource,
        "action": f"{path}/send?lang={ui.code}",
        "kinds": [(kind, gettext(label)) for kind, label in REPORT_KIND_LABELS.items()],
        "sent": sent,
        "error": error,
    }
    html = environment(ui.code).get_template("report.html").render(context)
    status = 404 if resource is None else 400 if error else 200
    return Response(content=html, media_type=MediaType.HTML, status_code=status)
