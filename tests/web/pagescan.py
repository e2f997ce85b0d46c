"""Reading rendered pages back: listed ids, marker rows, inline scripts, asset links."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

__all__ = ["PageScan", "marker_rows", "scan"]

_DATA = re.compile(r"var data = (\[.*?\]);\n", re.S)


class PageScan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.listed: list[int] = []
        self.scripts: list[dict[str, str | None]] = []
        self.styles: list[str] = []
        self.links: list[str] = []
        self.html_attrs: dict[str, str | None] = {}
        self.config: dict[str, Any] = {}
        self._in_config = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.html_attrs = found
        elif tag == "li" and "resource" in (found.get("class") or "").split():
            self.listed.append(int(found["data-id"] or 0))
        elif tag == "script":
            self.scripts.append(found)
            self._in_config = found.get("id") == "puente-config"
        elif tag == "link":
            self.links.append(found.get("href") or "")

    def handle_data(self, data: str) -> None:
        if self._in_config:
            self.config = json.loads(data)
            self._in_config = False


def scan(html: str) -> PageScan:
    parser = PageScan()
    parser.feed(html)
    return parser


def marker_rows(html: str) -> list[list[Any]]:
    """The rows of the map's marker layer, as the browser will read them."""
    found = _DATA.search(html)
    assert found is not None, "the page has no marker layer"
    rows: list[list[Any]] = json.loads(found.group(1))
    return rows
