from __future__ import annotations

import pytest

from api.directory.languages import (
    UnknownLanguage,
    is_known_language,
    language_name,
    normalize_language,
)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("es", "es"),
        ("ES", "es"),
        ("  es  ", "es"),
        ("spa", "es"),
        ("SPA", "es"),
        ("vie", "vi"),
        ("ger", "de"),  # ISO 639-2/B
        ("deu", "de"),  # ISO 639-2/T and 639-3
        ("yua", "yua"),  # ISO 639-3 only: Yucatec Maya has no two-letter code
        ("quc", "quc"),
        ("Spanish", "es"),
        ("spanish", "es"),
        ("Vietnamese", "vi"),
        ("español", "es"),
        ("Español", "es"),
        ("espanol", "es"),
        ("ESPAÑOL", "es"),
        ("tiếng việt", "vi"),
        ("Tieng  Viet", "vi"),
        ("français", "fr"),
        ("العربية", "ar"),
        ("한국어", "ko"),
        ("Haitian Creole", "ht"),
        ("kreyòl ayisyen", "ht"),
        ("Yucateco", "yua"),
    ],
)
def test_codes_and_names_become_the_canonical_code(value: str, code: str) -> None:
    assert normalize_language(value) == code


@pytest.mark.parametrize("value", ["xx", "", "   ", "klingonese", "q", "zzzz", "spanishh"])
def test_unknown_values_are_refused_with_what_is_accepted(value: str) -> None:
    with pytest.raises(UnknownLanguage) as caught:
        normalize_language(value)
    message = str(caught.value)
    assert repr(value) in message
    assert "ISO 639-1" in message and "'es'" in message
    assert isinstance(caught.value, ValueError)


def test_names_come_in_the_ui_locale() -> None:
    assert language_name("vi", "es") == "vietnamita"
    assert language_name("vi", "en") == "Vietnamese"
    assert language_name("vi") == "Vietnamese"
    assert language_name("es", "es") == "español"
    assert language_name("en", "vi") == "Tiếng Anh"


def test_names_fall_back_to_english_then_iso_then_the_code() -> None:
    assert language_name("vi", "no-such-locale") == "Vietnamese"
    assert language_name("yua", "es") == "Yucateco"  # CLDR has no name; ISO 639-3 does
    assert language_name("qqq", "es") == "qqq"


def test_known_means_canonical() -> None:
    assert is_known_language("es")
    assert is_known_language("yua")
    assert not is_known_language("spa")  # a known language, but not its canonical code
    assert not is_known_language("ES")
    assert not is_known_language("xx")
    assert not is_known_language("")


def test_every_canonical_code_is_known_and_round_trips() -> None:
    for value in ("es", "spa", "Spanish", "vi", "yua", "Deutsch"):
        code = normalize_language(value)
        assert is_known_language(code)
        assert normalize_language(code) == code
