"""Opening hours in the reader's language: ``Mo-Fr 09:00-17:00`` -> ``lun-vie 09:00-17:00``.

Hours are stored in a subset of OpenStreetMap's ``opening_hours``
(see ``api.directory.hours``), whose
day names are English abbreviations. The page swaps each day for Babel's abbreviated name in
the UI language and the words ``off``/``closed`` and ``24/7`` for translated ones; times are
already written the same way in every language the page speaks. ``web/static/puente.js`` does
the same for popups with the browser's own day names.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from babel.dates import get_day_names

from api.directory.hours import DAYS
from web.i18n import UiLocale

__all__ = ["local_hours"]

_TOKEN = re.compile(r"\b(" + "|".join(DAYS) + r"|off|closed)\b|24/7", re.IGNORECASE)


def local_hours(text: str, ui: UiLocale, gettext: Callable[[str], str]) -> str:
    days = get_day_names("abbreviated", locale=ui.locale)
    index = {day.casefold(): position for position, day in enumerate(DAYS)}

    def swap(found: re.Match[str]) -> str:
        word = found.group(0)
        if word == "24/7":
            return gettext("open 24 hours")
        if word.casefold() in ("off", "closed"):
            return gettext("closed")
        return str(days[index[word.casefold()]])

    return _TOKEN.sub(swap, text)
