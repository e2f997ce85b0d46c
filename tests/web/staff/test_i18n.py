"""The console's own catalog (domain ``staff``): complete in Spanish, placeholders kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from litestar import Litestar
from litestar.testing import TestClient

from web.i18n import LOCALES_DIR
from web.staff.i18n import DOMAIN, console_locales, staff_translations

ROOT = Path(__file__).resolve().parents[3]
METHODS = [("web/staff/**.py", "python"), ("web/templates/staff/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def console_messages() -> set[str]:
    return {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), METHODS, keywords=KEYWORDS
        )
    }


def test_spanish_is_offered() -> None:
    assert console_locales() == ("en", "es")


def test_the_console_marks_its_words() -> None:
    messages = console_messages()
    assert {
        "Sign in",
        "Verify",
        "Someone changed this listing while you were editing it",
    } <= messages


@pytest.mark.parametrize("code", [c for c in console_locales() if c != "en"])
def test_every_console_message_is_translated(code: str) -> None:
    with (LOCALES_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        catalog = read_po(handle, locale=code, domain=DOMAIN)
    missing = []
    for message in console_messages():
        entry = catalog.get(message)
        if entry is None or entry.fuzzy or not entry.string:
            missing.append(message)
    assert sorted(missing) == []
    problems = [(message.id, errors) for message, errors in catalog.check() if errors]
    assert problems == []


def test_shared_words_fall_back_to_the_public_catalog() -> None:
    spanish = staff_translations("es")
    assert spanish.gettext("Sign in") == "Iniciar sesión"
    assert spanish.gettext("Immigration legal aid") != "Immigration legal aid"


def test_the_sign_in_page_in_spanish(client: TestClient[Litestar]) -> None:
    page = client.get("/staff/sign-in", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert '<html lang="es"' in page.text
    assert "Iniciar sesión" in page.text
    assert "Contraseña" in page.text
    english = client.get("/staff/sign-in?lang=en", headers={"Accept-Language": "es"})
    assert "Password" in english.text
