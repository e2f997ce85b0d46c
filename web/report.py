"""``/report/{id}``: a resident says a listing is wrong, with a plain form (no JavaScript).

The form posts to ``/report/{id}/send``, which files the report through
``api.directory.problem_reports.file_report`` in process, the same rule the public API's
``POST /api/v1/resources/{id}/reports`` uses, under the same rate-limit budget. Nothing about
the sender is asked for or kept.

Whatever stops a report on its way (a post from another site, too many reports, a form
the server cannot read, a database that is down) is answered as a page in the reader's
language with the right status, never as the API's JSON: the route's own exception
handlers take the place of the app's problem documents for these two paths.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import MediaType, RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.params import Body, FromPath
from litestar.plugins.problem_details import ProblemDetailsException
from litestar.types import ExceptionHandlersMap
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session

from api.db.models import ReportKind
from api.directory.problem_reports import ReportCreate, file_report
from api.errors import DomainError, InvalidInput, NotFound, Unavailable
from api.http.problems import problem_details_plugin
from api.search import get_resource
from api.settings import Settings
from web.i18n import translations
from web.labels import N_
from web.pages import base_context, request_locale
from web.rendering import environment

__all__ = ["FAILURE_MESSAGES", "REPORT_KIND_LABELS", "report_form", "send_report"]

log = logging.getLogger("puente.errors")

REPORT_KIND_LABELS: dict[str, str] = {
    ReportKind.WRONG_ADDRESS: N_("The address is wrong"),
    ReportKind.WRONG_PHONE: N_("The phone number is wrong"),
    ReportKind.WRONG_HOURS: N_("The hours are wrong"),
    ReportKind.WRONG_LANGUAGES: N_("The languages are wrong"),
    ReportKind.CLOSED: N_("It has closed"),
    ReportKind.OTHER: N_("Something else"),
}

FAILURE_MESSAGES: dict[int, str] = {
    400: N_("The report could not be read. Please open the report page again and try once more."),
    403: N_(
        "This form can be sent only from its own page on this site. Please open the report "
        "page again and send it from there."
    ),
    429: N_("Too many reports were sent from here in a short time. Please try again later."),
    503: N_("Reports cannot be received right now. Please try again in a few minutes."),
}
"""What the page says for each status a report can fail with (any other 4xx: as for 400;
any 5xx: as for 503)."""


def _failure_status(exc: Exception) -> int:
    if isinstance(exc, HTTPException):
        return exc.status_code
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, InvalidInput):
        return 400
    if isinstance(exc, Unavailable | DBAPIError | DisconnectionError):
        return 503
    log.exception("unexpected error: %s", type(exc).__name__)
    return 500


def _kind(status: int) -> int:
    return 400 if status < 500 else 503


def _failure_page(request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
    status = _failure_status(exc)
    settings: Settings = request.app.state["settings"]
    ui = request_locale(request)
    gettext = translations(ui.code).gettext
    resource_id = request.path_params.get("resource_id")
    form_url = f"/report/{resource_id}?lang={ui.code}" if resource_id is not None else None
    context = base_context(request, ui, settings, switch_url=lambda code: f"/?lang={code}")
    context |= {
        "failure": gettext(FAILURE_MESSAGES.get(status) or FAILURE_MESSAGES[_kind(status)]),
        "form_url": form_url,
    }
    html = environment(ui.code).get_template("report_failed.html").render(context)
    headers = {"Content-Language": ui.code}
    if isinstance(exc, HTTPException) and exc.headers and "Retry-After" in exc.headers:
        headers["Retry-After"] = exc.headers["Retry-After"]
    return Response(content=html, media_type=MediaType.HTML, status_code=status, headers=headers)


def _failure_handlers() -> ExceptionHandlersMap:
    """This page's answer for every exception the app would turn into a problem document."""
    kinds = problem_details_plugin().config.exception_to_problem_detail_map
    handled = [*kinds, ProblemDetailsException, HTTPException, DomainError, Exception]
    return dict.fromkeys(handled, _failure_page)


FAILURE_HANDLERS = _failure_handlers()


@get(
    "/report/{resource_id:int}",
    name="report-form",
    include_in_schema=False,
    sync_to_thread=True,
    exception_handlers=FAILURE_HANDLERS,
)
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
    exception_handlers=FAILURE_HANDLERS,
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
        "chosen": request.query_params.get("kind"),
        "translation_url": f"{path}?lang={ui.code}&kind={ReportKind.OTHER.value}#r-message",
    }
    html = environment(ui.code).get_template("report.html").render(context)
    status = 404 if resource is None else 400 if error else 200
    return Response(content=html, media_type=MediaType.HTML, status_code=status)
