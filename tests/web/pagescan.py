"""Reading rendered pages back: listed ids, marker rows, inline scripts, asset links."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

__all__ = ["PageScan", "decode_places", "marker_rows", "places_url", "scan"]

_PLACES = re.compile(r'Puente\.places\(("[^"]*")')


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


def places_url(html: str) -> str:
    """Where the map's places layer loads its markers from."""
    found = _PLACES.search(html)
    assert found is not None, "the page has no places layer"
    url: str = json.loads(found.group(1))
    return url


def decode_places(data: dict[str, Any]) -> list[list[Any]]:
    """Delta-coded columns back into rows ``[lat, lon, id, category index, name]``, as
    ``Puente.places`` does in the browser."""
    rows: list[list[Any]] = []
    lat = lon = ident = 0
    for n in range(data["count"]):
        lat += data["lat"][n]
        lon += data["lon"][n]
        ident += data["id"][n]
        rows.append([lat / 1e5, lon / 1e5, ident, data["category"][n], data["name"][n]])
    return rows


def marker_rows(client: Any, html: str) -> list[list[Any]]:
    """The rows of the map's marker layer, as the browser will read them (by id)."""
    answer = client.get(places_url(html))
    assert answer.status_code == 200, answer.text
    return decode_places(answer.json())
