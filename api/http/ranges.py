"""Byte ranges (RFC 9110 section 14) of a body held whole: ``206`` for one range, ``416`` past it.

GDAL's ``/vsicurl/`` reads a remote file as a disk: it asks for the size with ``HEAD`` and
then for pieces with ``Range: bytes=a-b``. The feeds serve such requests from the whole
body rendered in memory (see ``api.http.routes.feeds``). Parsing is Werkzeug's.

A range is honoured only where it cannot be misread: one range (several get the whole
body, as the RFC allows), no ``If-Range`` (the feeds' ETags are weak, which ``If-Range``
may not use), and for the uncompressed body (a client accepting gzip or brotli gets the whole body,
compressed, since the compression runs after this and would otherwise squeeze a piece).
"""

from __future__ import annotations

from collections.abc import Mapping

from litestar import Response
from werkzeug.datastructures import Range
from werkzeug.http import parse_range_header

from api.http.problems import Problem

__all__ = ["requested_range", "whole_or_part"]


def requested_range(headers: Mapping[str, str]) -> Range | None:
    """The one range a request asks for and may have; ``None`` means the whole body."""
    accepted = headers.get("accept-encoding", "")
    if "if-range" in headers or "gzip" in accepted or "br" in accepted:
        return None
    wanted = parse_range_header(headers.get("range"))
    if wanted is None or wanted.units != "bytes" or len(wanted.ranges) != 1:
        return None
    return wanted


def whole_or_part(
    body: bytes, wanted: Range | None, *, media_type: str, headers: dict[str, str]
) -> Response[bytes]:
    """The body, or the part ``wanted`` names; a range that starts past the end is a 416."""
    headers = {**headers, "Accept-Ranges": "bytes"}
    if wanted is None:
        return Response(content=body, media_type=media_type, headers=headers)
    bounds = wanted.range_for_length(len(body))
    if bounds is None:
        raise Problem(
            416,
            "Range not satisfiable",
            f"The body is {len(body)} bytes long; ask for a range that starts inside it.",
            headers={"Content-Range": f"bytes */{len(body)}"},
        )
    start, stop = bounds
    headers["Content-Range"] = f"bytes {start}-{stop - 1}/{len(body)}"
    return Response(
        content=body[start:stop], status_code=206, media_type=media_type, headers=headers
    )
