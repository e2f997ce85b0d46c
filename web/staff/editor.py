"""``/staff/listings/{id}``: the editor for a listing with its organization and location,
its Verify and Retire buttons, and its open problem reports; a retired listing's page
says why it was retired and restores it with a reason.

A save carries the versions the form was read at. If the listing changed meanwhile, nothing
is written: the conflict page shows what is saved now beside what the editor typed, and its
form (the editor's values, the current versions) re-applies them with one click.
"""

from __future__ import annotations

from typing import Annotated, Any

from babel import Locale
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect
from sqlmodel import Session, col, select

from api.db.models import (
    AuditEntry,
    Category,
    Organization,
    Resource,
    ResourceStatus,
    Support,
    VerificationMethod,
    utcnow,
)
from api.directory.hours import DAYS
from api.directory.keys import Scope
from api.directory.upkeep import open_reports, verifications
from api.errors import InvalidInput, NotFound, StaleWrite, Unavailable, Unprocessable
from api.geo.geocoding import GeocodeUnavailable, geocode
from api.http.middleware.security_headers import csp_nonce
from api.settings import Settings
from web.labels import N_, SUPPORT_LABELS, category_label
from web.pages import page_state
from web.report import REPORT_KIND_LABELS
from web.staff.editing import Editing, Record
from web.staff.forms import EditorForm, read_form
from web.staff.hours_rows import HoursRow
from web.staff.i18n import request_language
from web.staff.messages import translated
from web.staff.preview_map import point_map
from web.staff.rendering import gettext_for, notify, render
from web.staff.sessions import Member

__all__ = ["edit", "restore", "retire", "save", "verify"]

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
METHOD_LABELS = {
    VerificationMethod.PHONE: N_("Phone call"),
    VerificationMethod.VISIT: N_("Visit"),
    VerificationMethod.WEBSITE: N_("Website"),
    VerificationMethod.PARTNER: N_("Partner"),
}


def _editing(session: Session, settings: Settings, member: Member) -> Editing:
    return Editing(session=session, settings=settings, staff_name=member.name, now=utcnow())


def _page(
    request: Request[Any, Any, Any],
    session: Session,
    member: NamedDependency[Member],
    record: Record,
    form: EditorForm,
    *,
    conflict: list[tuple[str, str, str]] | None = None,
    status: int = 200,
    preview: tuple[float, float] | None = None,
) -> Response[str]:
    gettext = gettext_for(request)
    form.errors = {name: translated(text, gettext) for name, text in form.errors.items()}
    settings: Settings = request.app.state["settings"]
    here = point_map(
        saved=(record.location.latitude, record.location.longitude),
        preview=preview,
        settings=settings,
        assets=page_state(request).assets,
        saved_label=gettext("Where it is now"),
        preview_label=gettext("Where the typed address is"),
    )
    organizations = session.exec(
        select(Organization)
        .where(col(Organization.retired_at).is_(None))
        .order_by(col(Organization.name))
    ).all()
    assert record.resource.id is not None
    return render(
        request,
        "conflict.html" if conflict is not None else "editor.html",
        member=member,
        record=record,
        form=form,
        conflict=conflict or [],
        status=status,
        organizations=organizations,
        categories=[(c.value, category_label(c.value, gettext)) for c in Category],
        statuses=[s.value for s in ResourceStatus],
        supports=[(s.value, gettext(SUPPORT_LABELS.get(s, s.value))) for s in Support],
        methods=[(m.value, gettext(label)) for m, label in METHOD_LABELS.items()],
        reports=open_reports(session, resource_id=record.resource.id),
        verifications=verifications(session, record.resource.id)[:5],
        kind_label=lambda kind: gettext(REPORT_KIND_LABELS.get(kind, kind)),
        may_edit=member.may(Scope.RESOURCES_WRITE),
        may_verify=member.may(Scope.REPORTS_READ),
        map=here,
        nonce=csp_nonce(request),
        preview=preview,
        days=[(day, _day_name(request, index)) for index, day in enumerate(DAYS)],
    )


def _day_name(request: Request[Any, Any, Any], index: int) -> str:
    name = str(Locale.parse(request_language(request)).days["format"]["wide"][index])
    return name[:1].upper() + name[1:]


def _rework(
    request: Request[Any, Any, Any],
    session: Session,
    settings: Settings,
    member: Member,
    record: Record,
    posted: EditorForm,
    action: str,
) -> Response[str]:
    """The form again, not saved: with an hours row added or removed, or with the typed
    address placed on the map ("Preview")."""
    rows = list(posted.hours_rows or [])
    if action == "add-hours":
        posted.hours_rows = [*rows, HoursRow()]
    elif action.startswith("remove-hours-") and action.removeprefix("remove-hours-").isdigit():
        index = int(action.removeprefix("remove-hours-"))
        posted.hours_rows = [row for number, row in enumerate(rows) if number != index]
        posted.errors = {k: v for k, v in posted.errors.items() if not k.startswith("hours-")}
    preview = None
    if action == "preview":
        typed = posted.location
        query = ", ".join(v for v in (typed["address"], typed["city"], typed["state"]) if v)
        try:
            found = geocode(session, settings, query, postal_code=typed["postal_code"] or None)
        except (GeocodeUnavailable, Unavailable):
            found = None
            posted.errors["location-address"] = "the geocoder cannot be reached; try again later"
        except ValueError as exc:
            found = None
            posted.errors["location-address"] = str(exc)
        else:
            if found is None:
                posted.errors["location-address"] = (
                    "the geocoder found no such place; check the address or "
                    "send latitude and longitude"
                )
        if found is not None:
            preview = (found.latitude, found.longitude)
    return _page(request, session, member, record, posted, preview=preview)


@get(
    "/listings/{resource_id:int}", name="staff-editor", include_in_schema=False, sync_to_thread=True
)
def edit(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    member: NamedDependency[Member],
    resource_id: FromPath[int],
) -> Response[str]:
    resource = db_session.get(Resource, resource_id)
    if resource is not None and resource.retired_at is not None:
        return _retired_page(request, db_session, member, resource)
    record = _editing(db_session, settings, member).read(resource_id)
    return _page(request, db_session, member, record, record.form)


def _retired_page(
    request: Request[Any, Any, Any],
    session: Session,
    member: Member,
    resource: Resource,
    *,
    problem: str | None = None,
    status: int = 200,
) -> Response[str]:
    assert resource.id is not None
    retirement = session.exec(
        select(AuditEntry)
        .where(
            AuditEntry.entity == "resource",
            AuditEntry.entity_id == resource.id,
            AuditEntry.action == "delete",
        )
        .order_by(col(AuditEntry.id).desc())
    ).first()
    return render(
        request,
        "retired.html",
        member=member,
        resource=resource,
        retirement=retirement,
        reason=(retirement.after or {}).get("retire_reason") if retirement else None,
        may_edit=member.may(Scope.RESOURCES_WRITE),
        problem=problem,
        status=status,
    )


@post(
    "/listings/{resource_id:int}/restore",
    name="staff-restore",
    include_in_schema=False,
    sync_to_thread=True,
    status_code=303,
)
def restore(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    member: NamedDependency[Member],
    resource_id: FromPath[int],
    data: Form,
) -> Response[Any]:
    member.require(Scope.RESOURCES_WRITE)
    gettext = gettext_for(request)
    resource = db_session.get(Resource, resource_id)
    if resource is None:
        raise NotFound("resource", resource_id)
    reason = str(data.get("reason", "")).strip()
    problem = None
    if not reason:
        problem = gettext("Say why it is restored.")
    else:
        try:
            _editing(db_session, settings, member).restore(resource_id, reason=reason)
        except Unprocessable as exc:
            db_session.rollback()
            problem = "; ".join(translated(str(p["reason"]), gettext) for p in exc.params)
        except NotFound:
            db_session.rollback()  # restored meanwhile by someone else: show it as it is
            return Redirect(f"/staff/listings/{resource_id}", status_code=303)
    if problem is not None:
        db_session.refresh(resource)
        return _retired_page(request, db_session, member, resource, problem=problem, status=400)
    db_session.commit()
    notify(request, gettext("Restored: it shows to the public again."))
    return Redirect(f"/staff/listings/{resource_id}", status_code=303)


def _conflict_rows(now: EditorForm, yours: EditorForm) -> list[tuple[str, str, str]]:
    rows = [
        (name, now.resource.get(name, ""), value)
        for name, value in yours.resource.items()
        if value != now.resource.get(name, "")
    ]
    rows += [
        (f"location {name}", now.location.get(name, ""), value)
        for name, value in yours.location.items()
        if value != now.location.get(name, "")
    ]
    if now.languages != yours.languages:
        rows.append(
            (
                "languages",
                ", ".join(f"{r.code} ({r.support})" for r in now.languages),
                ", ".join(f"{r.code} ({r.support})" for r in yours.languages),
            )
        )
    return rows


@post(
    "/listings/{resource_id:int}/save",
    name="staff-save",
    include_in_schema=False,
    sync_to_thread=True,
    status_code=303,
)
def save(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    member: NamedDependency[Member],
    resource_id: FromPath[int],
    data: Form,
) -> Response[Any]:
    member.require(Scope.RESOURCES_WRITE)
    editing = _editing(db_session, settings, member)
    record = editing.read(resource_id)
    # Changes are what was typed against what is saved now; when that is not what the form
    # was read at, the versions differ and nothing is written.
    posted, changes = read_form(data, record.form)
    if action := str(data.get("action", "")):
        return _rework(request, db_session, settings, member, record, posted, action)
    if changes is None:
        return _page(request, db_session, member, record, posted, status=400)
    try:
        editing.save(resource_id, changes, posted)
    except StaleWrite:
        db_session.rollback()
        current = editing.read(resource_id)
        posted.version = current.form.version
        posted.location_version = current.form.location_version
        rows = _conflict_rows(current.form, posted)
        return _page(request, db_session, member, current, posted, conflict=rows, status=409)
    except InvalidInput as exc:
        db_session.rollback()
        for param in exc.params:
            name = str(param["name"])
            field = f"location-{name}" if name in ("address", "latitude", "longitude") else name
            posted.errors[field] = str(param["reason"])
        return _page(request, db_session, member, editing.read(resource_id), posted, status=400)
    db_session.commit()
    gettext = gettext_for(request)
    notify(request, gettext("Saved. The public map and API show it now."))
    return Redirect(f"/staff/listings/{resource_id}", status_code=303)


@post(
    "/listings/{resource_id:int}/verify",
    name="staff-verify",
    include_in_schema=False,
    sync_to_thread=True,
    status_code=303,
)
def verify(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    member: NamedDependency[Member],
    resource_id: FromPath[int],
    data: Form,
) -> Redirect:
    member.require(Scope.REPORTS_READ)
    _editing(db_session, settings, member).verify(
        resource_id, method=str(data.get("method", "")), note=str(data.get("note", "")) or None
    )
    db_session.commit()
    gettext = gettext_for(request)
    notify(request, gettext("Verified."))
    back = str(data.get("back", ""))
    if back.startswith("/staff/listings?"):
        return Redirect(back, status_code=303)
    return Redirect(f"/staff/listings/{resource_id}", status_code=303)


@post(
    "/listings/{resource_id:int}/retire",
    name="staff-retire",
    include_in_schema=False,
    sync_to_thread=True,
    status_code=303,
)
def retire(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    member: NamedDependency[Member],
    resource_id: FromPath[int],
    data: Form,
) -> Response[Any]:
    member.require(Scope.RESOURCES_WRITE)
    gettext = gettext_for(request)
    reason = str(data.get("reason", "")).strip()
    editing = _editing(db_session, settings, member)
    if not reason:
        record = editing.read(resource_id)
        form = record.form
        form.errors["reason"] = gettext("Say why it is retired.")
        return _page(request, db_session, member, record, form, status=400)
    try:
        editing.retire(resource_id, reason=reason, version=str(data.get("version", "")) or None)
    except StaleWrite:
        db_session.rollback()
        notify(request, gettext("The listing changed meanwhile; check it first."))
        return Redirect(f"/staff/listings/{resource_id}", status_code=303)
    db_session.commit()
    notify(request, gettext("Retired: it no longer shows to the public."))
    return Redirect("/staff/listings", status_code=303)
