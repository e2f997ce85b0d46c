"""Cell parsers: text in, a typed value out, or a ``FieldError`` saying what was expected.

The costlier parsers remember their answers: a large file repeats the same hours,
languages and web addresses row after row.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from api.db.models import Support
from api.directory.hours import HoursError, parse_hours
from api.directory.languages import UnknownLanguage, normalize_language

__all__ = [
    "FieldError",
    "parse_bool",
    "parse_choice",
    "parse_coordinate",
    "parse_email",
    "parse_hours_cell",
    "parse_instant",
    "parse_language_codes",
    "parse_languages",
    "parse_text",
    "parse_url",
    "parse_verified_at",
]

E = TypeVar("E", bound=StrEnum)

_TRUE = {"true", "yes", "y", "1", "t", "x", "si", "sí"}
_FALSE = {"false", "no", "n", "0", "f", ""}


class FieldError(ValueError):
    """The reason one cell was refused."""


def parse_text(value: str, *, max_length: int) -> str | None:
    text = value.strip()
    if not text:
        return None
    if len(text) > max_length:
        raise FieldError(f"too long: {len(text)} characters, at most {max_length}")
    return text


def parse_choice(value: str, choices: type[E]) -> E:
    key = value.strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return choices(key)
    except ValueError:
        allowed = ", ".join(c.value for c in choices)
        raise FieldError(f"unknown value: expected one of {allowed}") from None


def parse_coordinate(value: str, *, low: float, high: float) -> float:
    try:
        number = float(value.strip().replace(",", "."))
    except ValueError:
        raise FieldError("not a number: expected decimal degrees such as 32.7767") from None
    if not (low <= number <= high) or number != number:
        raise FieldError(f"out of range: expected a number from {low:g} to {high:g}")
    return number


def parse_bool(value: str) -> bool:
    key = value.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise FieldError("expected true or false (also yes/no, 1/0)")


@functools.lru_cache(maxsize=4096)
def parse_url(value: str) -> str | None:
    text = parse_text(value, max_length=2000)
    if text is None:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in text:
        raise FieldError("expected a web address starting with http:// or https://")
    return text


def parse_email(value: str) -> str | None:
    text = parse_text(value, max_length=254)
    if text is None:
        return None
    local, _, domain = text.partition("@")
    if not local or "." not in domain or any(c.isspace() for c in text):
        raise FieldError("expected an email address such as info@example.org")
    return text


def parse_languages(value: str) -> list[tuple[str, Support]]:
    """``es:staff;vi:interpreter;en`` -> [("es", staff), ("vi", interpreter), ("en", staff)]."""
    return list(_languages(value))


@functools.lru_cache(maxsize=4096)
def _languages(value: str) -> tuple[tuple[str, Support], ...]:
    seen: dict[str, Support] = {}
    for part in value.replace(",", ";").split(";"):
        if not part.strip():
            continue
        name, _, how = part.partition(":")
        try:
            code = normalize_language(name)
        except UnknownLanguage as exc:
            raise FieldError(str(exc)) from None
        support = Support.STAFF
        if how.strip():
            try:
                support = Support(how.strip().lower())
            except ValueError:
                allowed = ", ".join(s.value for s in Support)
                raise FieldError(
                    f"unknown support {how.strip()!r} for {name.strip()!r}: expected {allowed}"
                ) from None
        if code in seen:
            raise FieldError(f"language {code!r} is listed twice")
        seen[code] = support
    return tuple(sorted(seen.items()))


def parse_language_codes(value: str) -> list[str]:
    return [code for code, _ in parse_languages(value)]


@functools.lru_cache(maxsize=4096)
def parse_hours_cell(value: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    try:
        return str(parse_hours(text))
    except HoursError as exc:
        raise FieldError(str(exc)) from None


def parse_instant(value: str, zone: ZoneInfo) -> datetime:
    """ISO 8601 with an offset, or local time in the region's zone; returned in UTC."""
    text = value.strip()
    if not text:
        raise FieldError("required: a date and time such as 2025-02-12T19:30:00-06:00")
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        raise FieldError(
            "expected an ISO 8601 date and time such as 2025-02-12T19:30:00-06:00 "
            "or 2025-02-12 19:30 (local time)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def parse_verified_at(value: str, zone: ZoneInfo, *, now: datetime) -> datetime | None:
    """A date (midnight, local time) or a date and time; never in the future."""
    text = value.strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time(0), tzinfo=zone)
        else:
            moment = parse_instant(text, zone)
    except (ValueError, FieldError):
        raise FieldError("expected a date such as 2025-02-20 (or an ISO 8601 time)") from None
    moment = moment.astimezone(UTC)
    if moment > now:
        raise FieldError("in the future: verified_at is when someone last checked the facts")
    return moment
