"""The pages' icons: one small inline SVG sprite, built at start-up from Font Awesome's files.

The ``xstatic-font-awesome`` package carries each icon as an SVG file
(``data/svgs/solid/<name>.svg``). Only the icons the pages use are read, each reduced to a
``<symbol>`` with its ``viewBox`` and path, so a page carries a few kilobytes of icons in its
own HTML instead of loading a webfont and its stylesheet. A page draws one with
``<svg><use href="#i-<name>"></use></svg>`` (:func:`icon`, or ``Puente``'s ``icon`` in
``web/static/puente.js``). Font Awesome Free's icons are CC BY 4.0; the sprite says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from xml.etree import ElementTree

import xstatic.pkg.font_awesome  # type: ignore[import-untyped]
from markupsafe import Markup, escape

from web.labels import CATEGORY_STYLES, OTHER_STYLE

__all__ = ["ICONS", "SVG_DIR", "build_sprite", "icon"]

SVG_DIR = Path(xstatic.pkg.font_awesome.BASE_DIR) / "svgs" / "solid"
_SVG = "{http://www.w3.org/2000/svg}"

ICONS: tuple[str, ...] = tuple(
    sorted(
        {style.icon for style in CATEGORY_STYLES.values()}
        | {OTHER_STYLE.icon}
        | {
            "print",
            "phone",
            "diamond-turn-right",
            "map-location-dot",
            "location-crosshairs",
            "magnifying-glass",
            "triangle-exclamation",
            "language",
        }
    )
)
"""Every icon a resident page or its script draws."""


def _symbol(name: str, directory: Path) -> str:
    # The installed package's own files, not input from anyone.
    root = ElementTree.parse(directory / f"{name}.svg").getroot()  # noqa: S314
    view_box = root.attrib["viewBox"]
    paths = "".join(f'<path d="{escape(path.attrib["d"])}"/>' for path in root.iter(f"{_SVG}path"))
    return f'<symbol id="i-{escape(name)}" viewBox="{escape(view_box)}">{paths}</symbol>'


def build_sprite(names: Iterable[str] = ICONS, *, directory: Path = SVG_DIR) -> Markup:
    """The hidden ``<svg>`` of ``<symbol>``s a page includes once, at the top of its body."""
    version = escape(str(xstatic.pkg.font_awesome.VERSION))
    symbols = "".join(_symbol(name, directory) for name in names)
    return Markup(  # noqa: S704 - every value in it is escaped above
        '<svg xmlns="http://www.w3.org/2000/svg" class="sprite" aria-hidden="true"'
        f' focusable="false"><!-- Font Awesome Free {version} icons, CC BY 4.0,'
        f" fontawesome.com/license/free -->{symbols}</svg>"
    )


def icon(name: str) -> Markup:
    """One icon from the sprite, hidden from screen readers (its text says what it means)."""
    return Markup(  # noqa: S704 - the one value in it is escaped
        '<svg class="icon" aria-hidden="true" focusable="false">'
        f'<use href="#i-{escape(name)}"></use></svg>'
    )
