"""The editor's form: what it shows for a listing, and reading a posted form into the
changes the writer takes, with each problem kept beside the field it concerns.

Only fields whose value differs from what the form was read with are sent, so the audit
shows exactly what the editor changed. Languages are rows (``lang-0-code``,
``lang-0-support``, ...) so the form works without JavaScript; an empty row is ignored.
Weekly hours are rows too (``hours-0-day``, ``hours-0-opens``, ``hours-0-closes``,
``web.staff.hours_rows``), stored in the opening-hours syntax.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from api.db.models import Location, Resource, Support
from api.directory.schemas import LocationUpdate, ResourceUpdate
from web.staff.hours_rows import EXTRA_HOURS_ROWS, HoursRow, hours_text, posted_rows, rows_of

__all__ = [
    "EXTRA_LANGUAGE_ROWS",
    "LOCATION_FIELDS",
    "RESOURCE_FIELDS",
    "EditorForm",
    "LanguageRow",
    "form_of",
    "read_form",
]

RESOURCE_FIELDS = (
    "name",
    "category",
    "status",
    "organization_id",
    "phone",
    "website",
    "email",
    "hours",
    "description",
    "services",
    "fees",
    "eligibility",
    "source_url",
)
LOCATION_FIELDS = ("name", "address", "city", "state", "postal_code", "latitude", "longitude")
EXTRA_LANGUAGE_ROWS = 3
"""Empty language rows offered under the listing's own, for adding without JavaScript."""


@dataclass(frozen=True, kw_only=True)
class LanguageRow:
    code: str = ""
    support: str = Support.STAFF.value


@dataclass(kw_only=True)
class EditorForm:
    """The values the form shows (strings, as typed) and the problems found in them."""

    resource: dict[str, str]
    location: dict[str, str]
    confidential: bool
    languages: list[LanguageRow]
    version: str
    location_version: str
    hours_rows: list[HoursRow] | None = None
    """The weekly hours as rows; ``None`` when the stored text cannot be read into rows (it
    is then edited as text)."""
    new_organization: str = ""
    """The name of an organization to add (or to find, if one has this name) for the
    listing, typed instead of picking one."""
    errors: dict[str, str] = field(default_factory=dict)
    """Problems by form field name (``phone``, ``location-address``, ``lang-1-code``)."""

    @property
    def rows(self) -> list[LanguageRow]:
        return [*self.languages, *[LanguageRow()] * EXTRA_LANGUAGE_ROWS]

    @property
    def hours_shown(self) -> list[HoursRow]:
        """The hours rows and the empty rows offered under them."""
        return [*(self.hours_rows or []), *[HoursRow()] * EXTRA_HOURS_ROWS]

    @property
    def hours_syntax(self) -> str:
        """The rows as the opening-hours text that is stored (what partners read)."""
        if self.hours_rows is None:
            return self.resource.get("hours", "")
        return hours_text(self.hours_rows)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def form_of(
    resource: Resource,
    location: Location,
    languages: list[tuple[str, str]],
    *,
    version: str,
    location_version: str,
) -> EditorForm:
    return EditorForm(
        resource={name: _text(getattr(resource, name)) for name in RESOURCE_FIELDS},
        location={name: _text(getattr(location, name)) for name in LOCATION_FIELDS},
        confidential=location.confidential,
        languages=[LanguageRow(code=code, support=support) for code, support in languages],
        version=version,
        location_version=location_version,
        hours_rows=rows_of(resource.hours),
    )


def _posted(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value).strip()


@dataclass(frozen=True, kw_only=True)
class Changes:
    resource: ResourceUpdate | None
    location: LocationUpdate | None
    new_organization: str | None = None


def _messages(exc: ValidationError, prefix: str, rows: list[int]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = error.get("loc", ())
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        if loc and loc[0] == "languages" and len(loc) > 1 and isinstance(loc[1], int):
            errors[f"lang-{rows[loc[1]]}-code"] = message
        elif loc:
            errors[f"{prefix}{loc[0]}"] = message
        else:
            errors["location-latitude" if prefix else "name"] = message
    return errors


def read_form(data: Mapping[str, Any], shown: EditorForm) -> tuple[EditorForm, Changes | None]:
    """The posted form (as it will be shown again) and its changes, or ``None`` with errors."""
    posted = EditorForm(
        resource={name: _posted(data, name) for name in RESOURCE_FIELDS},
        location={name: _posted(data, f"location-{name}") for name in LOCATION_FIELDS},
        confidential=_posted(data, "location-confidential") == "on",
        languages=[],
        version=_posted(data, "version"),
        location_version=_posted(data, "location_version"),
        hours_rows=shown.hours_rows,
        new_organization=_posted(data, "new_organization"),
    )
    if len(posted.new_organization) > 200:
        posted.errors["new_organization"] = "String should have at most 200 characters"
    if (hours := posted_rows(data)) is not None:
        posted.hours_rows, problems = hours
        while posted.hours_rows and posted.hours_rows[-1].empty:
            posted.hours_rows.pop()  # the empty rows offered under them
        posted.errors |= problems
        if not problems:
            typed = hours_text(posted.hours_rows)
            unchanged = shown.hours_rows is not None and typed == hours_text(shown.hours_rows)
            posted.resource["hours"] = shown.resource.get("hours", "") if unchanged else typed
    rows: list[int] = []
    index = 0
    while f"lang-{index}-code" in data:
        code = _posted(data, f"lang-{index}-code")
        if code:
            support = _posted(data, f"lang-{index}-support") or Support.STAFF.value
            posted.languages.append(LanguageRow(code=code, support=support))
            rows.append(index)
        index += 1

    resource_changes: dict[str, Any] = {
        name: value or None
        for name, value in posted.resource.items()
        if value != shown.resource.get(name, "")
    }
    if posted.languages != shown.languages:
        resource_changes["languages"] = [
            {"code": row.code, "support": row.support} for row in posted.languages
        ]
    location_changes: dict[str, Any] = {}
    for name, value in posted.location.items():
        if value == shown.location.get(name, ""):
            continue
        if name in ("latitude", "longitude"):
            try:
                location_changes[name] = float(value)
            except ValueError:
                posted.errors[f"location-{name}"] = "expected a number such as 32.7767"
                continue
        else:
            location_changes[name] = value or None
    if "latitude" in location_changes or "longitude" in location_changes:
        # A moved pin moves both coordinates; the writer wants them together.
        for name in ("latitude", "longitude"):
            if name not in location_changes and not posted.errors.get(f"location-{name}"):
                location_changes[name] = float(posted.location[name] or "nan")
    if posted.confidential != shown.confidential:
        location_changes["confidential"] = posted.confidential

    resource_update = location_update = None
    try:
        resource_update = ResourceUpdate.model_validate(resource_changes)
    except ValidationError as exc:
        posted.errors |= _messages(exc, "", rows)
    try:
        location_update = LocationUpdate.model_validate(location_changes)
    except ValidationError as exc:
        posted.errors |= _messages(exc, "location-", rows)
    if posted.errors:
        return posted, None
    return posted, Changes(
        resource=resource_update if resource_changes else None,
        location=location_update if location_changes else None,
        new_organization=posted.new_organization or None,
    )
