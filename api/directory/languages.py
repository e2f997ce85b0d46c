"""Languages: canonical ISO 639 codes and their names in any UI language.

A language is stored as its ISO 639-1 code where one exists (``es``, ``vi``) and as its
ISO 639-3 code otherwise (``yua`` for Yucatec Maya). People and partner systems write
languages in many ways, so :func:`normalize_language` also accepts ISO 639-2/639-3 codes,
English names and the language's own name, ignoring case and accents (``Spanish``,
``espanol``, ``Tiếng Việt``). Codes come from pycountry's ISO 639-3 table; names come from
Babel's CLDR locale data, with pycountry's English names filling the gaps.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import pycountry
from babel import Locale, UnknownLocaleError
from babel.localedata import locale_identifiers
from pycountry.db import Data

__all__ = ["UnknownLanguage", "is_known_language", "language_name", "normalize_language"]

_CODE = re.compile(r"[a-z]{2,3}")


class UnknownLanguage(ValueError):  # noqa: N818 - reads as "unknown language"
    """A value that names no language Puente knows; the message says what is accepted."""

    def __init__(self, value: str) -> None:
        self.value = value
        super().__init__(
            f"unknown language {value!r}: expected an ISO 639-1 code such as 'es', "
            "an ISO 639-3 code such as 'spa', or a language name such as 'Spanish' or 'español'"
        )


def normalize_language(value: str) -> str:
    """The canonical code of a language given as a code or a name; raises UnknownLanguage."""
    key = _fold(value)
    if _CODE.fullmatch(key) and (code := _codes().get(key)):
        return code
    if key and (code := _names().get(key)):
        return code
    raise UnknownLanguage(value)


def is_known_language(code: str) -> bool:
    """Whether ``code`` is a canonical code as :func:`normalize_language` returns it."""
    return _codes().get(code) == code


def language_name(code: str, locale: str = "en") -> str:
    """The name of a language in a UI locale, e.g. ``language_name("vi", "es") == "vietnamita"``.

    Falls back to the English name, then to the ISO 639-3 name, then to the code itself.
    """
    for ui in (locale, "en"):
        if (names := _locale_languages(ui)) and (name := names.get(code)):
            return name
    record = _record(code)
    return str(record.name) if record is not None else code


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.split())


@cache
def _locale_languages(locale: str) -> dict[str, str] | None:
    try:
        return dict(Locale.parse(locale).languages)
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def _record(code: str) -> Data | None:
    field = "alpha_2" if len(code) == 2 else "alpha_3"
    try:
        record: Data | None = pycountry.languages.get(**{field: code})
    except LookupError:
        return None
    return record


def _canonical(record: Data) -> str:
    return str(getattr(record, "alpha_2", None) or record.alpha_3)


@cache
def _codes() -> dict[str, str]:
    """Every ISO 639-1, 639-2/B and 639-3 code, lowercase, to its canonical code."""
    codes: dict[str, str] = {}
    for record in pycountry.languages:
        canonical = _canonical(record)
        for field in ("alpha_2", "alpha_3", "bibliographic"):
            if value := getattr(record, field, None):
                codes[str(value)] = canonical
    return codes


@cache
def _names() -> dict[str, str]:
    """Folded language names to canonical codes.

    English names win over native names when two languages share a spelling, and CLDR's
    names win over the ISO 639-3 table's, which lists thousands of rarely used languages.
    """
    codes = _codes()
    names: dict[str, str] = {}
    for key, name in (_locale_languages("en") or {}).items():
        if code := codes.get(key):
            names.setdefault(_fold(name), code)
    for record in pycountry.languages:
        for field in ("name", "common_name", "inverted_name"):
            if value := getattr(record, field, None):
                names.setdefault(_fold(str(value)), _canonical(record))
    for identifier in locale_identifiers():
        if "_" in identifier or (code := codes.get(identifier)) is None:
            continue
        if own := (_locale_languages(identifier) or {}).get(identifier):
            names.setdefault(_fold(own), code)
    return names
