"""A NUL byte in a query or path parameter is a 400 naming the parameter, on every route.

PostgreSQL cannot hold NUL in text, so ``area=zip:75%0001`` would reach the database and
fail there (a 500); SQLite would quietly match nothing. No parameter of the app, API or
pages, has a use for it, so it is refused before any handler runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from api.errors import InvalidParam
from api.http.problems import invalid

__all__ = ["NoNulBytes", "nul_parameters"]

REASON = "contains a NUL byte (%00)"


def nul_parameters(query: str, path_params: Mapping[str, object]) -> list[InvalidParam]:
    """One entry per query or path parameter (named once) whose name or value holds NUL."""
    named: dict[str, InvalidParam] = {}
    for name, value in path_params.items():
        if "\0" in str(value):
            named.setdefault(name, {"name": name, "in": "path", "reason": REASON})
    for name, value in parse_qsl(query, keep_blank_values=True):
        if "\0" in name or "\0" in value:
            shown = name.replace("\0", "%00")
            named.setdefault(shown, {"name": shown, "in": "query", "reason": REASON})
    return list(named.values())


class NoNulBytes(ASGIMiddleware):
    """Refuses, before the handler runs, a request with NUL in a query or path parameter."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        query = scope["query_string"].decode("latin-1")
        suspect = "%00" in query or "\0" in scope["path"]
        if suspect and (params := nul_parameters(query, scope.get("path_params") or {})):
            raise invalid(params)
        await next_app(scope, receive, send)
