"""JSON bodies nested deeper than any record needs are refused before they are decoded.

The decoder recurses once per level, so a small body of a thousand ``[`` would exhaust the
stack (a 500). :class:`BoundedJsonRequest` (the app's request class) measures the depth
first, outside strings, and answers 400 naming the body.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request

from api.http.problems import invalid

__all__ = ["MAX_JSON_DEPTH", "BoundedJsonRequest", "json_depth"]

MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects a JSON body may have (records need 3)."""

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


def json_depth(body: bytes) -> int:
    """How deeply ``body``'s arrays and objects nest (brackets inside strings do not count)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRING.sub(b"", body)):
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class BoundedJsonRequest(Request[Any, Any, Any]):
    """A request whose JSON body is decoded only when it nests at most ``MAX_JSON_DEPTH``."""

    async def json(self) -> Any:
        if json_depth(await self.body()) > MAX_JSON_DEPTH:
            reason = f"JSON nested more than {MAX_JSON_DEPTH} levels deep"
            raise invalid([{"name": "body", "in": "body", "reason": reason}])
        return await super().json()
