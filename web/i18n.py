"""The page's languages: gettext catalogs compiled at start-up, and choosing one per request.

Catalogs live as ``web/locales/<code>/LC_MESSAGES/messages.po``; adding a language is adding
a folder (``pybabel init``), nothing else. The ``.po`` files are compiled in memory with
Babel when first used, so no compiled ``.mo`` file is kept in the repository. A right-to-left
language gets ``dir="rtl"`` from Babel's locale data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from api.directory.languages import language_name

__all__ = [
    "LOCALES_DIR",
    "SOURCE_LOCALE",
    "UiLocale",
    "available_locales",
    "negotiate",
    "parse_accept_language",
    "translations",
    "ui_locale",
]

LOCALES_DIR = Path(__file__).parent / "locales"
SOURCE_LOCALE = "en"
"""The language the templates and code are written in."""


@dataclass(frozen=True, kw_only=True)
class UiLocale:
    code: str
    """Language tag used in URLs and ``<html lang>``: ``en``, ``es``."""

    name: str
    """The language's own name, for the language switch (``español``)."""

    direction: str
    """``ltr`` or ``rtl``."""

    locale: Locale

    def language(self, code: str) -> str:
        """A resident language's name in this UI language (``vi`` -> ``vietnamita``)."""
        return language_name(code, self.code)


@cache
def available_locales() -> tuple[str, ...]:
    """The source language first, then every language with a catalog, sorted."""
    found = sorted(
        path.parent.parent.name
        for path in LOCALES_DIR.glob("*/LC_MESSAGES/messages.po")
        if path.parent.parent.name != SOURCE_LOCALE
    )
    return (SOURCE_LOCALE, *found)


@cache
def translations(code: str) -> Translations:
    """The compiled catalog for ``code`` (empty for the source language without one)."""
    path = LOCALES_DIR / code / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return Translations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled)


@cache
def ui_locale(code: str) -> UiLocale:
    locale = Locale.parse(code, sep="-")
    return UiLocale(
        code=code,
        name=locale.get_display_name(locale) or code,
        direction=locale.text_direction,
        locale=locale,
    )


def parse_accept_language(header: str | None) -> list[str]:
    """Language tags from an ``Accept-Language`` header, most preferred first (q=0 dropped)."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(requested: str | None, accept_language: str | None) -> str:
    """``?lang=`` when it names a catalog, else the best ``Accept-Language`` match, else English."""
    available = available_locales()
    preferred = [requested] if requested else []
    preferred += parse_accept_language(accept_language)
    match = negotiate_locale(preferred, available, sep="-", aliases={})
    if match is None:
        return SOURCE_LOCALE
    lowered = match.lower()
    for code in available:
        if code.lower() == lowered or lowered.startswith(code.lower() + "-"):
            return code
    return SOURCE_LOCALE
