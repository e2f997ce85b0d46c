"""RFC 8288 ``Link`` headers for paginated lists: first, prev, next and last.

Absolute under ``PUENTE_PUBLIC_URL`` when it is set, else relative to the request's path.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from api.directory.schemas import Page

__all__ = ["link_header"]


def link_header(path: str, query_string: str, page: Page[Any], *, base: str | None = None) -> str:
    """Links to the request's own path, keeping every other parameter as given.

    With ``base`` (``PUENTE_PUBLIC_URL``, without a trailing slash) the links are absolute
    URLs under it; without one they are relative, never built from the request's ``Host``.

    ``last`` is page 1 when nothing matches; ``prev`` from a page beyond the last points
    at the last page.
    """
    params = [(k, v) for k, v in parse_qsl(query_string, keep_blank_values=True) if k != "page"]
    last = max(page.pages, 1)

    def target(number: int) -> str:
        return f"{base or ''}{path}?{urlencode([*params, ('page', str(number))])}"

    links = [(target(1), "first")]
    if page.page > 1:
        links.append((target(min(page.page - 1, last)), "prev"))
    if page.page < page.pages:
        links.append((target(page.page + 1), "next"))
    links.append((target(last), "last"))
    return ", ".join(f'<{url}>; rel="{rel}"' for url, rel in links)
