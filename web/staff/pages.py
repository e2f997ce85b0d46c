"""The console's pages that read: the dashboard, the listings search, the problem-report
queue (and resolving a report) and a listing's history."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect
from sqlmodel import Session, col, select

from api.db.models import (
    Category,
    Resource,
    ResourceLanguage,
    ResourceStatus,
    StaffAccount,
    utcnow,
)
from api.directory.keys import Scope
from api.directory.languages import language_name
from api.directory.upkeep import (
    ListingFilter,
    VerificationState,
    count_due,
    count_open_reports,
    count_without_language,
    find_listings,
    history,
    open_reports,
    recent_changes,
    resolve_report,
)
from api.errors import NotFound
from api.settings import Settings
from web.labels import category_label
from web.report import REPORT_KIND_LABELS
from web.staff.diffs import entry_of
from web.staff.i18n import request_language
from web.staff.rendering import gettext_for, notify, render
from web.staff.sessions import Member

__all__ = ["dashboard", "listings", "reports", "resolve", "resource_history"]

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


@get("/", name="staff-dashboard", include_in_schema=False, sync_to_thread=True)
def dashboard(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    member: NamedDependency[Member],
) -> Response[str]:
    now = utcnow()
    every = settings.verify_every_days
    changes = [entry_of(entry) for entry in recent_changes(db_session, limit=10)]
    return render(
        request,
        "dashboard.html",
        member=member,
        due=count_due(db_session, now=now, every_days=every),
        reports=count_open_reports(db_session),
        without_language=count_without_language(db_session),
        changes=changes,
        every_days=every,
    )


def _filter(request: Request[Any, Any, Any]) -> ListingFilter:
    query = request.query_params
    state = query.get("state", "")
    page = query.get("page", "1")
    return ListingFilter(
        text=query.get("q", "")[:200],
        category=query.get("category", "") if query.get("category") in set(Category) else "",
        language=query.get("language", "")[:3],
        status=query.get("status", "") if query.get("status") in set(ResourceStatus) else "",
        state=VerificationState(state) if state in set(VerificationState) else None,
        no_language=query.get("no_language") == "1",
        retired=query.get("retired") == "1",
        page=int(page) if page.isdigit() and len(page) < 6 else 1,
    )


@get("/listings", name="staff-listings", include_in_schema=False, sync_to_thread=True)
def listings(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    member: NamedDependency[Member],
) -> Response[str]:
    gettext = gettext_for(request)
    wanted = _filter(request)
    found = find_listings(db_session, wanted, now=utcnow(), every_days=settings.verify_every_days)
    base = {k: v for k, v in asdict(wanted).items() if v not in ("", None, False) and k != "page"}
    base = {("q" if k == "text" else k): ("1" if v is True else str(v)) for k, v in base.items()}

    def page_url(number: int) -> str:
        return "/staff/listings?" + urlencode({**base, "page": number})

    code = request_language(request)
    return render(
        request,
        "listings.html",
        member=member,
        wanted=wanted,
        found=found,
        page_url=page_url,
        here="/staff/listings?" + urlencode({**base, "page": found.page}),
        categories=[(c.value, category_label(c.value, gettext)) for c in Category],
        statuses=[s.value for s in ResourceStatus],
        states=[s.value for s in VerificationState],
        languages=[(c, language_name(c, code)) for c in _languages_in_use(db_session)],
        category_label=lambda value: category_label(value, gettext),
    )


def _languages_in_use(session: Session) -> list[str]:
    return list(
        session.exec(select(ResourceLanguage.code).distinct().order_by(col(ResourceLanguage.code)))
    )


@get("/reports", name="staff-reports", include_in_schema=False, sync_to_thread=True)
def reports(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    member: NamedDependency[Member],
) -> Response[str]:
    gettext = gettext_for(request)
    return render(
        request,
        "reports.html",
        member=member,
        reports=open_reports(db_session),
        kind_label=lambda kind: gettext(REPORT_KIND_LABELS.get(kind, kind)),
    )


@post(
    "/reports/{report_id:int}/resolve",
    name="staff-resolve",
    include_in_schema=False,
    sync_to_thread=True,
    status_code=303,
)
def resolve(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    member: NamedDependency[Member],
    report_id: FromPath[int],
    data: Form,
) -> Redirect:
    member.require(Scope.REPORTS_READ)
    report = resolve_report(
        db_session,
        report_id,
        resolution=data.get("resolution", ""),
        note=data.get("note"),
        staff_name=member.name,
        now=utcnow(),
    )
    db_session.commit()
    gettext = gettext_for(request)
    notify(request, gettext("The report is resolved."))
    back = data.get("back", "")
    if back == "editor":
        return Redirect(f"/staff/listings/{report.resource_id}", status_code=303)
    return Redirect("/staff/reports", status_code=303)


@get(
    "/listings/{resource_id:int}/history",
    name="staff-history",
    include_in_schema=False,
    sync_to_thread=True,
)
def resource_history(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    member: NamedDependency[Member],
    resource_id: FromPath[int],
) -> Response[str]:
    resource = db_session.get(Resource, resource_id)
    if resource is None:
        raise NotFound("resource", resource_id)
    entries = [entry_of(entry) for entry in history(db_session, "resource", resource_id)]
    if resource.location_id is not None:
        entries += [
            entry_of(entry) for entry in history(db_session, "location", resource.location_id)
        ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    staff_names = set(db_session.exec(select(col(StaffAccount.name))).all())
    return render(
        request,
        "history.html",
        member=member,
        resource=resource,
        entries=entries,
        staff_names=staff_names,
    )
