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
    language_notices,
    negotiate,
    parse_accept_language,
    translations,
    ui_locale,
    unknown_language,
)
from web.listing import format_distance
from web.rendering import environment

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
    """Every message the page's code and templates mark for translation (the staff console,
    ``web/staff/``, has its own ``staff`` domain and catalogs)."""
    found: set[str | tuple[str, ...]] = set()
    for file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS
    ):
        if Path(file).parts[:2] == ("web", "staff"):
            continue
        found.add(message if isinstance(message, str) else tuple(message))
    return found


PAGE_LANGUAGES = ("en", "am", "ar", "es", "ko", "vi", "zh-Hans", "zh-Hant")


def test_the_citys_languages_are_offered() -> None:
    assert available_locales()[0] == "en"
    assert sorted(available_locales()) == sorted(PAGE_LANGUAGES)


@pytest.mark.parametrize("code", [c for c in PAGE_LANGUAGES if c != "en"])
def test_each_catalog_says_how_it_was_translated(code: str) -> None:
    path = LOCALES_DIR / code.replace("-", "_") / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code.replace("-", "_"))
    assert "Translated by" in catalog.header_comment
    assert "native speakers are welcome" in catalog.header_comment.replace("\n# ", " ")
    assert not catalog.fuzzy


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
        ("vi", None, "vi"),
        (None, "vi-VN,vi;q=0.9", "vi"),
        ("zh-Hans", None, "zh-Hans"),
        (None, "zh-CN,zh;q=0.9", "zh-Hans"),
        (None, "zh-TW", "zh-Hant"),
        (None, "zh-HK", "zh-Hant"),
        ("zh", None, "zh-Hans"),
        ("ZH-hant", None, "zh-Hant"),
        (None, "ko-KR", "ko"),
        ("ar-EG", None, "ar"),
        (None, "am-ET,en;q=0.5", "am"),
    ],
)
def test_negotiation(requested: str | None, header: str | None, expected: str) -> None:
    assert negotiate(requested, header) == expected


def test_accept_language_is_ordered_by_quality() -> None:
    assert parse_accept_language("en;q=0.2, es-MX, vi;q=0.8, *;q=0.1") == ["es-MX", "vi", "en"]


@pytest.mark.parametrize("code", [c for c in available_locales() if c != "en"])
def test_every_page_message_is_translated(code: str) -> None:
    path = LOCALES_DIR / code.replace("-", "_") / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code.replace("-", "_"))
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
    path = LOCALES_DIR / code.replace("-", "_") / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(BytesIO(handle.read()), locale=code.replace("-", "_"))
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
    names = {code: ui_locale(code).name for code in PAGE_LANGUAGES}
    assert names["vi"] == "Tiếng Việt"
    assert names["ar"] == "العربية"
    assert names["am"] == "አማርኛ"
    assert names["ko"] == "한국어"
    assert names["zh-Hans"].startswith("中文") and "简体" in names["zh-Hans"]
    assert names["zh-Hant"].startswith("中文") and "繁體" in names["zh-Hant"]
    assert [code for code in PAGE_LANGUAGES if ui_locale(code).direction == "rtl"] == ["ar"]


def test_an_unknown_language_is_named_in_english_and_spanish() -> None:
    assert language_notices("es", "es") == []
    assert language_notices("zh-TW", "zh-Hant") == []
    notices = dict(language_notices("xx", "vi"))
    assert notices == {
        "en": "This page is not available in the language “xx”.",
        "es": "Esta página no está disponible en el idioma “xx”.",
        "vi": "Trang này không có bằng ngôn ngữ “xx”.",
    }
    assert unknown_language("x" * 100) == "x" * 35


@pytest.mark.parametrize(
    ("code", "kilometres", "expected"),
    [
        ("en", 1.5, "1.5 km (0.9 mi)"),
        ("en", 10000, "10,000 km (6,213.7 mi)"),
        ("es", 10000, "10.000 km"),
        ("es", 2.25, "2,2 km"),
        ("vi", 1.5, "1,5 km"),
        ("ar", 5, "5 كم"),
    ],
)
def test_distances_by_the_locale_with_miles_where_it_uses_them(
    code: str, kilometres: float, expected: str
) -> None:
    assert format_distance(kilometres, ui_locale(code)) == expected


@pytest.mark.parametrize(
    ("code", "expected"), [("en", "10,000"), ("es", "10.000"), ("vi", "10.000")]
)
def test_counts_by_the_locale(code: str, expected: str) -> None:
    template = environment(code).from_string(
        '{{ ngettext("%(num)s place", "%(num)s places", n, num=n|number) }}'
    )
    assert template.render(n=10000).startswith(expected)


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
