"""Weekly opening hours in a small, documented subset of OpenStreetMap's ``opening_hours``.

Grammar (spaces around ``;``, ``,`` and between parts are optional beyond the one that
separates days from times; day names are matched case-insensitively)::

    hours = rule *( ";" rule ) | "off"        ; "off" alone: known to be never open
    rule  = "24/7" | days SP times | days SP ( "off" | "closed" )
    days  = range *( "," range )
    range = day [ "-" day ]                 ; "Fr-Mo" wraps over the weekend
    day   = "Mo" | "Tu" | "We" | "Th" | "Fr" | "Sa" | "Su"
    times = span *( "," span )
    span  = time "-" time                   ; the end may be 24:00
    time  = HH ":" MM                       ; 00:00 to 23:59 (24:00 as an end)

Examples: ``Mo-Fr 09:00-17:00; Sa 10:00-14:00``, ``Mo,We,Fr 08:00-12:00,13:00-17:00``,
``24/7; Su off``, ``Fr 22:00-02:00``.

As in OpenStreetMap, a later rule replaces what earlier rules said about the days it names
(``24/7; Su off`` is closed all Sunday), days no rule names are closed, and a span whose end
is not after its start runs past midnight and belongs to the day it starts on
(``Fr 22:00-02:00`` is open early Saturday). Holidays, months, weeks and comments are not
part of the subset and are refused with an error saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = ["DAYS", "HoursError", "WeeklyHours", "is_open_now", "parse_hours"]

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_DAY_INDEX = {day.casefold(): index for index, day in enumerate(DAYS)}
_MINUTES_PER_DAY = 24 * 60
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_TIMES_START = re.compile(r"(?<![^\s,])(?:\d|off\b|closed\b)", re.IGNORECASE)
_SPAN = re.compile(r"\s*([^-\s]+)\s*-\s*([^-\s]+)\s*")

Span = tuple[int, int]
"""Minutes after the day's midnight: start in [0, 1440), end in (start, start + 1440]."""


class HoursError(ValueError):
    """Opening hours that are not in the supported subset; the message says where and why."""


@dataclass(frozen=True)
class WeeklyHours:
    """Open spans for each weekday, Monday first; each day's spans sorted and merged."""

    days: tuple[tuple[Span, ...], ...]

    def __post_init__(self) -> None:
        if len(self.days) != len(DAYS):
            raise ValueError(f"expected spans for {len(DAYS)} days, got {len(self.days)}")

    def is_open(self, at: datetime, zone: ZoneInfo) -> bool:
        """Whether the hours say open at an instant, read on the zone's local wall clock."""
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("is_open needs a timezone-aware datetime")
        local = at.astimezone(zone)
        weekday = local.weekday()
        minute = local.hour * 60 + local.minute
        if any(start <= minute < end for start, end in self.days[weekday]):
            return True
        yesterday = self.days[(weekday - 1) % len(DAYS)]
        return any(minute < end - _MINUTES_PER_DAY for _start, end in yesterday)

    @property
    def is_always_open(self) -> bool:
        return all(spans == ((0, _MINUTES_PER_DAY),) for spans in self.days)

    def __str__(self) -> str:
        """Canonical text: ``parse_hours(str(hours)) == hours``; ``off`` when never open."""
        if self.is_always_open:
            return "24/7"
        rules: list[str] = []
        done: set[int] = set()
        for index, spans in enumerate(self.days):
            if index in done or not spans:
                continue
            same = [i for i, other in enumerate(self.days) if other == spans]
            done.update(same)
            times = ",".join(f"{_clock(start)}-{_clock(end)}" for start, end in spans)
            rules.append(f"{_days_text(same)} {times}")
        return "; ".join(rules) if rules else "off"


def parse_hours(text: str) -> WeeklyHours:
    """Parse opening hours; raises :class:`HoursError` naming the wrong part."""
    rules = [rule.strip() for rule in text.split(";") if rule.strip()]
    if not rules:
        raise HoursError(f"{text!r}: no rules; expected rules such as 'Mo-Fr 09:00-17:00'")
    if rules == ["off"]:
        return WeeklyHours(days=((),) * len(DAYS))
    days: list[tuple[Span, ...]] = [()] * len(DAYS)
    for rule in rules:
        if rule == "24/7":
            days = [((0, _MINUTES_PER_DAY),)] * len(DAYS)
            continue
        match = _TIMES_START.search(rule)
        selector = rule[: match.start()].strip() if match else rule
        if match is None or not selector:
            raise HoursError(
                f"{rule!r}: expected days then times, such as 'Mo-Fr 09:00-17:00' or 'Su off'"
            )
        spans = _parse_times(rule, rule[match.start() :].strip())
        for day in _parse_days(rule, selector):
            days[day] = spans
    return WeeklyHours(days=tuple(days))


def is_open_now(hours: str | None, now: datetime, zone: ZoneInfo) -> bool | None:
    """Whether a listing with these hours is open at ``now``; ``None`` when unknown.

    Hours that do not parse count as unknown rather than closed: imports and writes refuse
    them, so they can only come from an older, looser version of the data.
    """
    if hours is None or not hours.strip():
        return None
    try:
        parsed = _parse_cached(hours)
    except HoursError:
        return None
    return parsed.is_open(now, zone)


@lru_cache(maxsize=1024)
def _parse_cached(text: str) -> WeeklyHours:
    return parse_hours(text)


def _parse_days(rule: str, selector: str) -> list[int]:
    selected: list[int] = []
    for part in selector.split(","):
        first, dash, last = part.partition("-")
        start = _day(rule, first)
        end = _day(rule, last) if dash else start
        selected.extend((start + offset) % len(DAYS) for offset in range((end - start) % 7 + 1))
    return selected


def _day(rule: str, text: str) -> int:
    index = _DAY_INDEX.get(text.strip().casefold())
    if index is None:
        shown = text.strip()
        if shown.upper() == "PH" or shown.upper() == "SH":
            reason = f"holidays ({shown!r}) are not supported"
        else:
            reason = f"unknown day {shown!r}"
        raise HoursError(f"{rule!r}: {reason}; expected {' '.join(DAYS)}")
    return index


def _parse_times(rule: str, text: str) -> tuple[Span, ...]:
    if text.casefold() == "off" or text.casefold() == "closed":
        return ()
    spans: list[Span] = []
    for part in text.split(","):
        match = _SPAN.fullmatch(part)
        if match is None:
            raise HoursError(
                f"{rule!r}: {part.strip()!r} is not a time span; expected HH:MM-HH:MM or off"
            )
        start = _minutes(rule, match.group(1), as_end=False)
        end = _minutes(rule, match.group(2), as_end=True)
        if end == start:
            raise HoursError(f"{rule!r}: {part.strip()!r} opens and closes at the same time")
        if end < start:
            end += _MINUTES_PER_DAY  # past midnight, into the next day
        spans.append((start, end))
    merged = _merge(spans)
    for start, end in merged:
        if end - start >= _MINUTES_PER_DAY and (start, end) != (0, _MINUTES_PER_DAY):
            raise HoursError(
                f"{rule!r}: spans join into {_clock(start)}-{_clock(end)}, 24 hours or more; "
                "write the next day's early hours in that day's own rule"
            )
    return merged


def _minutes(rule: str, text: str, *, as_end: bool) -> int:
    match = _TIME.fullmatch(text)
    hours, minutes = (int(match.group(1)), int(match.group(2))) if match else (-1, -1)
    valid = 0 <= hours <= 23 and 0 <= minutes <= 59
    if as_end and hours == 24 and minutes == 0:
        return _MINUTES_PER_DAY
    if not valid:
        expected = "HH:MM from 00:00 to 24:00" if as_end else "HH:MM from 00:00 to 23:59"
        raise HoursError(f"{rule!r}: {text!r} is not a time; expected {expected}")
    return hours * 60 + minutes


def _merge(spans: list[Span]) -> tuple[Span, ...]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _clock(minutes: int) -> str:
    if minutes == _MINUTES_PER_DAY:
        return "24:00"
    minutes %= _MINUTES_PER_DAY
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _days_text(indexes: list[int]) -> str:
    runs: list[list[int]] = []
    for index in indexes:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAYS[run[0]]}-{DAYS[run[-1]]}")
        else:
            parts.extend(DAYS[i] for i in run)
    return ",".join(parts)
