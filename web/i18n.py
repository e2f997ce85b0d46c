"""The page's languages: gettext catalogs compiled at start-up, and choosing one per request.

Catalogs live as ``web/locales/<locale>/LC_MESSAGES/messages.po``; adding a language is
adding a folder (``pybabel init``), nothing else. Folders use Babel's names (``zh_Hans``);
URLs and ``<html lang>`` use the BCP 47 tag (``zh-Hans``). The ``.po`` files are compiled in
memory with Babel when first used, so no compiled ``.mo`` file is kept in the repository. A
right-to-left language gets ``dir="rtl"`` from Babel's locale data, and a browser asking for
``zh-TW`` gets Traditional Chinese by CLDR's likely scripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from api.directory.languages import language_name

__all__ = [
    "LOCALES_DIR",
    "SOURCE_LOCALE",
    "UiLocale",
    "available_locales",
    "language_notices",
    "negotiate",
    "parse_accept_language",
    "translations",
    "ui_locale",
    "unknown_language",
    "uses_miles",
]

LOCALES_DIR = Path(__file__).parent / "locales"
SOURCE_LOCALE = "en"
"""The language the templates and code are written in."""
MILE_TERRITORIES = frozenset({"US", "GB", "LR", "MM"})
"""Where road distances are given in miles (CLDR's ``measurementData``, which Babel does not
carry): the US system's territories and the United Kingdom."""


@dataclass(frozen=True, kw_only=True)
class UiLocale:
    code: str
    """Language tag used in URLs and ``<html lang>``: ``en``, ``es``, ``zh-Hans``."""

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
        path.parent.parent.name.replace("_", "-")
        for path in LOCALES_DIR.glob("*/LC_MESSAGES/messages.po")
        if path.parent.parent.name != SOURCE_LOCALE
    )
    return (SOURCE_LOCALE, *found)


@cache
def translations(code: str) -> Translations:
    """The compiled catalog for ``code`` (empty for the source language without one)."""
    path = LOCALES_DIR / code.replace("-", "_") / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return Translations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code.replace("-", "_"))
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


def uses_miles(locale: Locale) -> bool:
    """Whether the locale's usual territory (``en`` -> US) measures roads in miles."""
    territory = locale.territory
    if territory is None:
        likely = get_global("likely_subtags").get(locale.language, "")
        territory = next((part for part in likely.split("_")[1:] if len(part) == 2), None)
    return territory in MILE_TERRITORIES


def _match(tag: str) -> str | None:
    """The page language for one requested tag: ``es-MX`` -> ``es``, ``zh-TW`` -> ``zh-Hant``."""
    try:
        wanted = Locale.parse(tag.replace("_", "-"), sep="-")
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    by_lower = {code.lower(): code for code in available_locales()}
    script = wanted.script
    if script is None:
        likely = get_global("likely_subtags").get(wanted.language, "")
        script = next((part for part in likely.split("_")[1:] if len(part) == 4), None)
    candidates = [wanted.language]
    if script:
        candidates.insert(0, f"{wanted.language}-{script}")
    for candidate in candidates:
        if (code := by_lower.get(candidate.lower())) is not None:
            return code
    return None


def negotiate(requested: str | None, accept_language: str | None) -> str:
    """``?lang=`` when it names a catalog, else the best ``Accept-Language`` match, else English."""
    preferred = [requested] if requested else []
    preferred += parse_accept_language(accept_language)
    for tag in preferred:
        if (code := _match(tag)) is not None:
            return code
    return SOURCE_LOCALE


def unknown_language(requested: str | None) -> str | None:
    """``?lang=`` when the page has no such language (said so on the page), else ``None``."""
    if not requested or _match(requested) is not None:
        return None
    return requested[:35]


def language_notices(requested: str | None, shown: str) -> list[tuple[str, str]]:
    """``(language, sentence)`` saying ``?lang=`` asked for a language the page does not have:
    in English and Spanish, and in the language the page is shown in."""
    unknown = unknown_language(requested)
    if unknown is None:
        return []
    codes = dict.fromkeys((SOURCE_LOCALE, "es", shown))
    return [
        (
            code,
            translations(code).gettext(
                "This page is not available in the language “%(requested)s”."
            )
            % {"requested": unknown},
        )
        for code in codes
        if code in available_locales()
    ]
