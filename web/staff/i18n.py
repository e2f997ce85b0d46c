"""The console's words: their own gettext domain, ``staff``, in English and Spanish.

``web/locales/<code>/LC_MESSAGES/staff.po`` holds the console's catalog; words it shares
with the public pages (category names, report kinds) fall back to that language's
``messages`` catalog. Templates live in ``web/templates/staff/`` and get an environment of
their own, autoescaped like the public pages'.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar import Request

from web.i18n import LOCALES_DIR, SOURCE_LOCALE, negotiate, translations
from web.rendering import TEMPLATES_DIR

__all__ = ["DOMAIN", "console_locales", "environment", "request_language", "staff_translations"]

DOMAIN = "staff"


@cache
def console_locales() -> tuple[str, ...]:
    found = sorted(
        path.parent.parent.name for path in LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
    )
    return (SOURCE_LOCALE, *(code for code in found if code != SOURCE_LOCALE))


@cache
def staff_translations(code: str) -> Translations:
    path = LOCALES_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        own = Translations()
    else:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=code, domain=DOMAIN)
        compiled = BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        own = Translations(fp=compiled, domain=DOMAIN)
    own.add_fallback(translations(code))
    return own


@cache
def environment(code: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(staff_translations(code), newstyle=True)  # type: ignore[attr-defined]
    return env


def request_language(request: Request[Any, Any, Any]) -> str:
    """``?lang=`` if it names a console language, else the session's, else Accept-Language."""
    asked = request.query_params.get("lang")
    session = request.scope.get("session")
    remembered = session.get("lang") if isinstance(session, dict) else None
    code = negotiate(asked or remembered, request.headers.get("accept-language"))
    return code if code in console_locales() else SOURCE_LOCALE
