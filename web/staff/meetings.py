"""``/staff/meetings``: list, create, edit, cancel and postpone meetings at a venue.

Times are typed and shown as wall-clock times in ``PUENTE_TIMEZONE``. Every change goes
through ``api.writes.Writer.events``, like ``POST/PATCH /api/v1/events``: validated,
version-checked (the form carries the ETag it was read at), audited under the staff
member's name, and seen at once by the public map, ``/api/v1/events`` and the ``.ics`` feed.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect
from sqlalchemy import func
from sqlmodel import Session, col, select

from api.db.models import (
    Category,
    Event,
    EventLanguage,
    EventStatus,
    Location,
    Organization,
    Resource,
    utcnow,
)
from api.directory.keys import Scope
from api.directory.languages import language_name
from api.directory.schemas import EventCreate, EventUpdate
from api.errors import InvalidInput, NotFound, StaleWrite
from api.settings import Settings
from api.writes import EventWriter, Writer
from web.labels import N_
from web.staff.i18n import request_language
from web.staff.meeting_form import MeetingForm, local_time, meeting_form_of, read_meeting
from web.staff.rendering import gettext_for, notify, render
from web.staff.sessions import Member

__all__ = [
    "cancel_meeting",
    "create_meeting",
    "edit_meeting",
    "meetings",
    "new_meeting",
    "postpone_meeting",
    "save_meeting",
]

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
PER_PAGE = 50
STATUS_LABELS = {
    EventStatus.SCHEDULED: N_("Scheduled"),
    EventStatus.CANCELLED: N_("Cancelled"),
    EventStatus.POSTPONED: N_("Postponed"),
}
FIELD_OF_PARAM = {"starts_at": "starts", "ends_at": "ends"}


def _writer(session: Session, settings: Settings, member: Member) -> Writer:
    return Writer(session=session, settings=settings, actor=member.name, now=utcnow())


def _venues(session: Session, current: int | None) -> list[tuple[int, str]]:
    """Places a meeting may be at: every public meeting venue (and the meeting's own)."""
    venue = (
        select(col(Resource.location_id))
        .where(
            col(Resource.category) == Category.MEETING_VENUE.value,
            col(Resource.retired_at).is_(None),
        )
        .scalar_subquery()
    )
    wanted = col(Location.id).in_(venue) & ~col(Location.confidential)
    if current is not None:
        wanted = wanted | (col(Location.id) == current)
    rows = session.exec(
        select(Location)
        .where(col(Location.retired_at).is_(None), wanted)
        .order_by(func.coalesce(col(Location.name), col(Location.address)), col(Location.id))
    ).all()
    return [(row.id, _place(row)) for row in rows if row.id is not None]


def _place(location: Location) -> str:
    parts = [part for part in (location.name, location.address, location.city) if part]
    return ", ".join(parts) or f"#{location.id}"


def _hosts(session: Session) -> list[tuple[int, str]]:
    rows = session.exec(
        select(Organization)
        .where(col(Organization.retired_at).is_(None))
        .order_by(col(Organization.name))
    ).all()
    return [(row.id, row.name) for row in rows if row.id is not None]


def _languages(session: Session, event_id: int) -> list[str]:
    return list(
        session.exec(
            select(col(EventLanguage.code))
            .where(col(EventLanguage.event_id) == event_id)
            .order_by(col(EventLanguage.code))
        )
    )


def _form_page(
    request: Request[Any, Any, Any],
    session: Session,
    member: Member,
    form: MeetingForm,
    *,
    event_id: int | None,
    status: int = 200,
    conflict: bool = False,
) -> Response[str]:
    gettext = gettext_for(request)
    form.errors = {name: gettext(message) for name, message in form.errors.items()}
    current = int(form.location_id) if form.location_id.isdigit() else None
    return render(
        request,
        "meeting.html",
        member=member,
        form=form,
        event_id=event_id,
        conflict=conflict,
        status=status,
        venues=_venues(session, current),
        hosts=_hosts(session),
        statuses=[(s.value, gettext(label)) for s, label in STATUS_LABELS.items()],
        may_edit=member.may(Scope.EVENTS_WRITE),
    )


@get("/meetings", name="staff-meetings", include_in_schema=False, sync_to_thread=True)
def meetings(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    member: NamedDependency[Member],
) -> Response[str]:
    gettext = gettext_for(request)
    past = request.query_params.get("past") == "1"
    number = request.query_params.get("page", "1")
    page = int(number) if number.isdigit() and len(number) < 6 else 1
    now = utcnow()
    ended = func.coalesce(col(Event.ends_at), col(Event.starts_at))
    wanted = [
        col(Event.retired_at).is_(None),
        (ended < now) if past else (ended >= now),
    ]
    total = db_session.exec(select(func.count(col(Event.id))).where(*wanted)).one()
    order = col(Event.starts_at).desc() if past else col(Event.starts_at)
    rows = db_session.exec(
        select(Event, Location, Organization)
        .join(Location, col(Location.id) == col(Event.location_id))
        .outerjoin(Organization, col(Organization.id) == col(Event.organization_id))
        .where(*wanted)
        .order_by(order, col(Event.id))
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    code = request_language(request)
    zone = settings.zone
    items = []
    for event, location, organization in rows:
        assert event.id is not None
        status = EventStatus(event.status)
        items.append(
            {
                "id": event.id,
                "title": event.title,
                "starts": local_time(event.starts_at, zone),
                "ends": local_time(event.ends_at, zone) if event.ends_at else None,
                "venue": _place(location),
                "host": organization.name if organization else "",
                "status": status.value,
                "status_label": gettext(STATUS_LABELS[status]),
                "languages": [language_name(c, code) for c in _languages(db_session, event.id)],
            }
        )
    pages = max(1, -(-total // PER_PAGE))

    def page_url(number: int) -> str:
        query = {"past": "1"} if past else {}
        return "/staff/meetings?" + urlencode({**query, "page": number})

    return render(
        request,
        "meetings.html",
        member=member,
        items=items,
        total=total,
        past=past,
        page=page,
        pages=pages,
        page_url=page_url,
        zone=settings.timezone,
        may_edit=member.may(Scope.EVENTS_WRITE),
    )


@get("/meetings/new", name="staff-meeting-new", include_in_schema=False, sync_to_thread=True)
def new_meeting(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    member: NamedDependency[Member],
) -> Response[str]:
    member.require(Scope.EVENTS_WRITE)
    venue = request.query_params.get("venue", "")
    form = MeetingForm(location_id=venue if venue.isdigit() else "")
    return _form_page(request, db_session, member, form, event_id=None)


def _errors_of(exc: InvalidInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    for param in exc.params:
        name = str(param["name"])
        errors.setdefault(FIELD_OF_PARAM.get(name, name), str(param["reason"]))
    return errors


@post("/meetings", name="staff-meeting-create", include_in_schema=False, sync_to_thread=True)
def create_meeting(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    member: NamedDependency[Member],
    data: Form,
) -> Response[Any]:
    member.require(Scope.EVENTS_WRITE)
    form, write = read_meeting(data, zone=settings.zone, creating=True)
    if not isinstance(write, EventCreate):
        return _form_page(request, db_session, member, form, event_id=None, status=400)
    try:
        written = _writer(db_session, settings, member).events.create(write)
    except InvalidInput as exc:
        db_session.rollback()
        form.errors |= _errors_of(exc)
        return _form_page(request, db_session, member, form, event_id=None, status=400)
    db_session.commit()
    gettext = gettext_for(request)
    notify(request, gettext("Saved. The public map, API and calendar show it now."))
    return Redirect(f"/staff/meetings/{written.id}", status_code=303)


def _event(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None or event.retired_at is not None:
        raise NotFound("event", event_id)
    return event


@get(
    "/meetings/{event_id:int}",
    name="staff-meeting-edit",
    include_in_schema=False,
    sync_to_thread=True,
)
def edit_meeting(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    member: NamedDependency[Member],
    event_id: FromPath[int],
) -> Response[str]:
    event = _event(db_session, event_id)
    version = _version(db_session, settings, member, event_id)
    form = meeting_form_of(
        event, _languages(db_session, event_id), zone=settings.zone, version=version
    )
    return _form_page(request, db_session, member, form, event_id=event_id)


def _version(session: Session, settings: Settings, member: Member, event_id: int) -> str:
    """The meeting's ETag as the writer computes it (reading takes no write lock)."""
    reader = EventWriter(session=session, settings=settings, actor=member.name, now=utcnow())
    return reader.represent(_event(session, event_id)).etag


@post(
    "/meetings/{event_id:int}/save",
    name="staff-meeting-save",
    include_in_schema=False,
    sync_to_thread=True,
)
def save_meeting(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    member: NamedDependency[Member],
    event_id: FromPath[int],
    data: Form,
) -> Response[Any]:
    member.require(Scope.EVENTS_WRITE)
    _event(db_session, event_id)
    form, write = read_meeting(data, zone=settings.zone, creating=False)
    if not isinstance(write, EventUpdate):
        return _form_page(request, db_session, member, form, event_id=event_id, status=400)
    try:
        _writer(db_session, settings, member).events.update(event_id, write, form.version)
    except StaleWrite:
        db_session.rollback()
        form.version = _version(db_session, settings, member, event_id)
        return _form_page(
            request, db_session, member, form, event_id=event_id, status=409, conflict=True
        )
    except InvalidInput as exc:
        db_session.rollback()
        form.errors |= _errors_of(exc)
        return _form_page(request, db_session, member, form, event_id=event_id, status=400)
    db_session.commit()
    gettext = gettext_for(request)
    notify(request, gettext("Saved. The public map, API and calendar show it now."))
    return Redirect(f"/staff/meetings/{event_id}", status_code=303)


def _set_status(
    request: Request[Any, Any, Any],
    session: Session,
    settings: Settings,
    member: Member,
    event_id: int,
    data: dict[str, str],
    status: EventStatus,
    done: str,
) -> Redirect:
    member.require(Scope.EVENTS_WRITE)
    _event(session, event_id)
    gettext = gettext_for(request)
    try:
        _writer(session, settings, member).events.update(
            event_id, EventUpdate(status=status), str(data.get("version", "")) or None
        )
    except StaleWrite:
        session.rollback()
        notify(request, gettext("The meeting changed meanwhile; check it first."))
        return Redirect(f"/staff/meetings/{event_id}", status_code=303)
    session.commit()
    notify(request, gettext(done))
    return Redirect(f"/staff/meetings/{event_id}", status_code=303)


@post(
    "/meetings/{event_id:int}/cancel",
    name="staff-meeting-cancel",
    include_in_schema=False,
    sync_to_thread=True,
    status_code=303,
)
def cancel_meeting(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    member: NamedDependency[Member],
    event_id: FromPath[int],
    data: Form,
) -> Redirect:
    return _set_status(
        request,
        db_session,
        settings,
        member,
        event_id,
        data,
        EventStatus.CANCELLED,
        N_("Cancelled: the calendar and the map say so now."),
    )


@post(
    "/meetings/{event_id:int}/postpone",
    name="staff-meeting-postpone",
    include_in_schema=False,
    sync_to_thread=True,
    status_code=303,
)
def postpone_meeting(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    member: NamedDependency[Member],
    event_id: FromPath[int],
    data: Form,
) -> Redirect:
    return _set_status(
        request,
        db_session,
        settings,
        member,
        event_id,
        data,
        EventStatus.POSTPONED,
        N_("Postponed: the calendar and the map say so now. Give it a new date when it is known."),
    )
