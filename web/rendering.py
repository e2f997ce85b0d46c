"""Jinja environments, one per UI language, with autoescaping always on.

``number`` writes a count by the language's rules (``10,000`` / ``10.000``); ``icon(name)``
draws one icon of the page's sprite (``web.icons``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from web.i18n import translations, ui_locale
from web.icons import icon

__all__ = ["TEMPLATES_DIR", "environment"]

TEMPLATES_DIR = Path(__file__).parent / "templates"


@cache
def environment(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    babel_locale = ui_locale(locale).locale
    env.filters["number"] = lambda value: format_decimal(value, locale=babel_locale)
    env.globals["icon"] = icon
    return env
