"""Strict query parameters: a parameter an API route does not take is a 400 naming it.

Applied under ``/api/`` and ``/hsds/`` (see ``api.app``).

A partner who sends ``bbox=`` or ``modified_after=`` to a route without such a filter would
otherwise get every record with ``200`` and never learn the filter did not exist. Each
route's parameters are the ones Litestar already knows from its handler and dependencies
(the same that the OpenAPI document lists), read once per handler; nothing is declared
twice. Only paths under the given prefixes are checked: the map pages ignore unknown
parameters by design (a shared link may carry a tracker's tag).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from litestar.enums import ScopeType
from litestar.handlers import HTTPRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Receive, Scope, Send

from api.errors import InvalidParam
from api.http.problems import Problem

__all__ = ["StrictQuery", "unknown_parameters"]


def unknown_parameters(asked: list[str], known: frozenset[str]) -> list[InvalidParam]:
    """One entry per parameter not in ``known``, in the order asked, each named once."""
    takes = ", ".join(sorted(known)) or "no query parameters"
    reason = f"not a parameter of this endpoint; it takes {takes}"
    unknown = dict.fromkeys(name for name in asked if name not in known)
    return [{"name": name, "in": "query", "reason": reason} for name in unknown]


class StrictQuery(ASGIMiddleware):
    """Refuses, before the handler runs, a request naming a query parameter it does not take."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, *, prefixes: tuple[str, ...]) -> None:
        self.prefixes = prefixes
        self._known: dict[int, frozenset[str]] = {}

    def _known_for(self, scope: Scope) -> frozenset[str] | None:
        handler = scope["route_handler"]
        if not isinstance(handler, HTTPRouteHandler):
            return None
        if id(handler) not in self._known:
            for route in scope["litestar_app"].routes:
                if isinstance(route, HTTPRoute):
                    for found, model in route.route_handler_map.values():
                        self._known[id(found)] = frozenset(
                            p.field_alias for p in model.expected_query_params
                        )
        return self._known.get(id(handler))

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if (
            scope["type"] == ScopeType.HTTP
            and scope["method"] != "OPTIONS"
            and scope["query_string"]
            and scope["path"].startswith(self.prefixes)
            and (known := self._known_for(scope)) is not None
        ):
            query = scope["query_string"].decode("latin-1")
            asked = [name for name, _ in parse_qsl(query, keep_blank_values=True)]
            if params := unknown_parameters(asked, known):
                names = ", ".join(p["name"] for p in params)
                raise Problem(
                    400, "Unknown parameters", f"Not taken here: {names}", invalid_params=params
                )
        await next_app(scope, receive, send)
