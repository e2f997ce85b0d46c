"""Weekly hours as the editor's rows (day, opens, closes), and back to the opening-hours
syntax the directory stores (``api.directory.hours``).

Rows are read from the stored text one span per row, Monday first. Written back, days
with the same spans are joined (``Mo-Fr 09:00-17:00; Sa 10:00-14:00``). A closing time
not after the opening time runs past midnight, as in the syntax (``Fr 22:00-02:00``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api.directory.hours import DAYS, HoursError, parse_hours

__all__ = ["EXTRA_HOURS_ROWS", "HoursRow", "hours_text", "posted_rows", "rows_of"]

EXTRA_HOURS_ROWS = 1
"""Empty rows offered under the listing's own, for adding one without a click."""
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


@dataclass(frozen=True, kw_only=True)
class HoursRow:
    day: str = "Mo"
    opens: str = ""
    closes: str = ""

    @property
    def empty(self) -> bool:
        return not self.opens and not self.closes


def _clock(minutes: int) -> str:
    minutes %= 24 * 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def rows_of(hours: str | None) -> list[HoursRow] | None:
    """One row per open span of the stored hours; ``None`` if they cannot be read."""
    if not hours or not hours.strip():
        return []
    try:
        weekly = parse_hours(hours)
    except HoursError:
        return None
    return [
        HoursRow(day=DAYS[index], opens=_clock(start), closes=_clock(end))
        for index, spans in enumerate(weekly.days)
        for start, end in spans
    ]


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def hours_text(rows: list[HoursRow]) -> str:
    """The rows in the opening-hours syntax (empty and unreadable rows left out; ``""``
    for none)."""
    spans: list[list[tuple[int, int]]] = [[] for _ in DAYS]
    for row in rows:
        if row.day not in DAYS or not all(_TIME.fullmatch(t) for t in (row.opens, row.closes)):
            continue
        start, end = _minutes(row.opens), _minutes(row.closes)
        spans[DAYS.index(row.day)].append((start, end if end > start else end + 24 * 60))
    days = [tuple(sorted(day)) for day in spans]
    rules: list[str] = []
    index = 0
    while index < len(DAYS):
        if not days[index]:
            index += 1
            continue
        last = index
        while last + 1 < len(DAYS) and days[last + 1] == days[index]:
            last += 1
        run = DAYS[index] if last == index else f"{DAYS[index]}-{DAYS[last]}"
        if last == index + 1:
            run = f"{DAYS[index]},{DAYS[last]}"
        times = ",".join(
            f"{_clock(start)}-{'24:00' if end == 24 * 60 else _clock(end)}"
            for start, end in days[index]
        )
        rules.append(f"{run} {times}")
        index = last + 1
    return "; ".join(rules)


def _posted(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value).strip()


def posted_rows(data: Mapping[str, Any]) -> tuple[list[HoursRow], dict[str, str]] | None:
    """The posted rows (``hours-0-day``, ``hours-0-opens``, ...) and a problem for each bad
    field; ``None`` when the form sent no rows at all."""
    if "hours-0-day" not in data:
        return None
    rows: list[HoursRow] = []
    errors: dict[str, str] = {}
    index = 0
    while f"hours-{index}-day" in data:
        row = HoursRow(
            day=_posted(data, f"hours-{index}-day"),
            opens=_posted(data, f"hours-{index}-opens"),
            closes=_posted(data, f"hours-{index}-closes"),
        )
        problems: dict[str, str] = {}
        if row.day not in DAYS:
            problems[f"hours-{index}-day"] = "not one of the choices"
        if not row.empty:
            for name in ("opens", "closes"):
                if not _TIME.fullmatch(getattr(row, name)):
                    problems[f"hours-{index}-{name}"] = "expected a time such as 09:00"
            if not problems and row.opens == row.closes:
                problems[f"hours-{index}-closes"] = "opens and closes at the same time"
        errors |= problems
        rows.append(row)
        index += 1
    return rows, errors
