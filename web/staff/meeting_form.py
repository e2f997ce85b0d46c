"""The meeting form: an event as staff type it (a day and wall-clock times in
``PUENTE_TIMEZONE``), and reading a posted form into the writer's ``EventCreate`` /
``EventUpdate``, each problem kept beside the field it concerns.

A wall-clock time the zone skips (the hour clocks jump forward) is refused rather than
silently moved; a time it repeats (the hour clocks go back) is its first occurrence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from api.db.models import Event, EventStatus
from api.directory.schemas import EventCreate, EventUpdate
from web.labels import N_

__all__ = ["MeetingForm", "local_time", "meeting_form_of", "read_meeting"]


@dataclass(kw_only=True)
class MeetingForm:
    """The values the form shows (strings, as typed) and the problems found in them."""

    title: str = ""
    description: str = ""
    source_url: str = ""
    location_id: str = ""
    organization_id: str = ""
    day: str = ""
    starts: str = ""
    ends: str = ""
    languages: str = ""
    status: str = EventStatus.SCHEDULED.value
    version: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    """Problems by form field name (``title``, ``day``, ``starts``, ``languages``, ...)."""


def local_time(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone)


def meeting_form_of(
    event: Event, languages: list[str], *, zone: ZoneInfo, version: str
) -> MeetingForm:
    starts = local_time(event.starts_at, zone)
    ends = local_time(event.ends_at, zone) if event.ends_at is not None else None
    return MeetingForm(
        title=event.title,
        description=event.description or "",
        source_url=event.source_url or "",
        location_id=str(event.location_id or ""),
        organization_id=str(event.organization_id or ""),
        day=starts.date().isoformat(),
        starts=starts.strftime("%H:%M"),
        ends=ends.strftime("%H:%M") if ends is not None else "",
        languages=", ".join(languages),
        status=str(getattr(event.status, "value", event.status)),
        version=version,
    )


def _posted(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value).strip()


def _wall_clock(day: date, text: str, zone: ZoneInfo) -> datetime | str:
    """The UTC instant of ``text`` (``HH:MM``) on ``day`` in ``zone``, or why it is none."""
    try:
        clock = time.fromisoformat(text)
    except ValueError:
        return N_("expected a time such as 18:30")
    naive = datetime.combine(day, clock.replace(second=0, microsecond=0))
    aware = naive.replace(tzinfo=zone, fold=0)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        return N_("this time does not exist on that day (the clocks move forward)")
    return aware.astimezone(UTC)


def _instant(form: MeetingForm, name: str, day: date, text: str, zone: ZoneInfo) -> datetime | None:
    found = _wall_clock(day, text, zone)
    if isinstance(found, str):
        form.errors[name] = found
        return None
    return found


def _times(form: MeetingForm, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    try:
        day = date.fromisoformat(form.day)
    except ValueError:
        form.errors["day"] = N_("expected a date such as 2026-12-15")
        return None, None
    if not 1900 <= day.year <= 2200:
        form.errors["day"] = N_("expected a year between 1900 and 2200")
        return None, None
    starts = _instant(form, "starts", day, form.starts, zone)
    ends = _instant(form, "ends", day, form.ends, zone) if form.ends else None
    if starts is not None and ends is not None and ends <= starts:
        # A meeting that ends past midnight ends on the next day.
        ends = _instant(form, "ends", day + timedelta(days=1), form.ends, zone)
    return starts, ends


def _id(form: MeetingForm, name: str, value: str, *, required: bool) -> int | None:
    if not value:
        if required:
            form.errors[name] = N_("choose one")
        return None
    if not value.isdigit() or len(value) > 12:
        form.errors[name] = N_("choose one of the list")
        return None
    return int(value)


def _messages(exc: ValidationError) -> dict[str, str]:
    fields = {"starts_at": "starts", "ends_at": "ends", "location_id": "location_id"}
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = error.get("loc", ())
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        name = str(loc[0]) if loc else ("ends" if "ends_at" in message else "title")
        errors.setdefault(fields.get(name, name), message)
    return errors


def read_meeting(
    data: Mapping[str, Any], *, zone: ZoneInfo, creating: bool
) -> tuple[MeetingForm, EventCreate | EventUpdate | None]:
    """The posted form (to show again) and the write it asks for, or ``None`` with errors."""
    form = MeetingForm(
        title=_posted(data, "title"),
        description=_posted(data, "description"),
        source_url=_posted(data, "source_url"),
        location_id=_posted(data, "location_id"),
        organization_id=_posted(data, "organization_id"),
        day=_posted(data, "day"),
        starts=_posted(data, "starts"),
        ends=_posted(data, "ends"),
        languages=_posted(data, "languages"),
        status=_posted(data, "status") or EventStatus.SCHEDULED.value,
        version=_posted(data, "version"),
    )
    if form.status not in set(EventStatus):
        form.errors["status"] = N_("choose one of the list")
    starts_at, ends_at = _times(form, zone)
    location_id = _id(form, "location_id", form.location_id, required=True)
    organization_id = _id(form, "organization_id", form.organization_id, required=False)
    languages = [part.strip() for part in form.languages.replace(";", ",").split(",")]
    values: dict[str, Any] = {
        "title": form.title or None,
        "description": form.description or None,
        "source_url": form.source_url or None,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "status": form.status,
        "location_id": location_id,
        "organization_id": organization_id,
        "languages": [code for code in languages if code],
    }
    if not form.title:
        form.errors["title"] = N_("may not be empty")
    if form.errors:
        return form, None
    try:
        write: EventCreate | EventUpdate = (
            EventCreate.model_validate(values) if creating else EventUpdate.model_validate(values)
        )
    except ValidationError as exc:
        form.errors |= _messages(exc)
        return form, None
    return form, write
