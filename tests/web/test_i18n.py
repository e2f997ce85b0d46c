"""Languages of the page: negotiation, catalogs complete, placeholders kept, direction."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from web.hours import local_hours
from web.i18n import (
    LOCALES_DIR,
    available_locales,
    negotiate,
    parse_accept_language,
    translations,
    ui_locale,
)

ROOT = Path(__file__).resolve().parents[2]
METHODS = [
    # The staff console has its own catalog (domain "staff"), checked in tests/web/staff/.
    ("web/staff/**.py", "ignore"),
    ("web/templates/staff/**.html", "ignore"),
    ("web/**.py", "python"),
    ("web/templates/**.html", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def page_messages() -> set[str | tuple[str, ...]]:
    """Every message the page's code and templates mark for translation."""
    found: set[str | tuple[str, ...]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def test_english_and_spanish_are_offered() -> None:
    assert available_locales()[0] == "en"
    assert "es" in available_locales()


@pytest.mark.parametrize(
    ("requested", "header", "expected"),
    [
        (None, None, "en"),
        ("es", None, "es"),
        ("ES", "en", "es"),
        ("es-MX", None, "es"),
        (None, "es-MX,es;q=0.9,en;q=0.8", "es"),
        (None, "en-US,en;q=0.9,es;q=0.8", "en"),
        (None, "fr-CA, es;q=0.5", "es"),
        (None, "es;q=0, en;q=0.1", "en"),
        ("en", "es", "en"),
        ("xx", "es", "es"),
        ("xx", "fr", "en"),
        (None, "garbage;;q=abc,", "en"),
    ],
)
def test_negotiation(requested: str | None, header: str | None, expected: str) -> None:
    assert negotiate(requested, header) == expected


def test_accept_language_is_ordered_by_quality() -> None:
    assert parse_accept_language("en;q=0.2, es-MX, vi;q=0.8, *;q=0.1") == ["es-MX", "vi", "en"]


@pytest.mark.parametrize("code", [c for c in available_locales() if c != "en"])
def test_every_page_message_is_translated(code: str) -> None:
    path = LOCALES_DIR / code / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    missing = []
    for message in page_messages():
        entry = catalog.get(message if isinstance(message, str) else message[0])
        strings = (
            []
            if entry is None
            else (list(entry.string) if isinstance(entry.string, tuple) else [entry.string])
        )
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(message)
    assert missing == []


@pytest.mark.parametrize("code", [c for c in available_locales() if c != "en"])
def test_translations_keep_their_placeholders(code: str) -> None:
    path = LOCALES_DIR / code / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(BytesIO(handle.read()), locale=code)
    problems = [(message.id, errors) for message, errors in catalog.check() if errors]
    assert problems == []


def test_catalogs_compile_in_memory() -> None:
    spanish = translations("es")
    assert spanish.gettext("Search") == "Buscar"
    assert spanish.ngettext("%(num)s place", "%(num)s places", 3) == "%(num)s lugares"
    assert translations("en").gettext("Search") == "Search"


def test_direction_and_own_names() -> None:
    assert ui_locale("es").direction == "ltr"
    assert ui_locale("es").name == "español"
    assert ui_locale("ar").direction == "rtl"
    assert ui_locale("es").language("vi") == "vietnamita"


@pytest.mark.parametrize(
    ("text", "code", "expected"),
    [
        ("Mo-Fr 09:00-17:00", "en", "Mon-Fri 09:00-17:00"),
        ("Mo-Fr 09:00-17:00; Sa 10:00-14:00", "es", "lun-vie 09:00-17:00; sáb 10:00-14:00"),
        ("24/7; Su off", "es", "abierto las 24 horas; dom cerrado"),
    ],
)
def test_hours_in_the_readers_language(text: str, code: str, expected: str) -> None:
    assert local_hours(text, ui_locale(code), translations(code).gettext) == expected
