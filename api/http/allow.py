"""``OPTIONS`` answers whose ``Allow`` lists every method of the path.

Litestar answers ``OPTIONS`` on each path itself, but when a path's handlers are registered
in turns (a Controller's ``GET`` and ``PATCH``, then the ``HEAD`` twins of ``api.http.head``)
the answer keeps the methods of the first registration: a location said ``GET, OPTIONS``.
:class:`AllowEveryMethod` sets the header from the routes as finally built, the same
methods a ``405`` names.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["AllowEveryMethod"]


class AllowEveryMethod(ASGIMiddleware):
    """Sets ``Allow`` on ``OPTIONS`` answers to every method the path's route takes."""

    scopes = (ScopeType.HTTP,)

    def __init__(self) -> None:
        self._allow: dict[str, str] | None = None

    def _allow_for(self, scope: Scope) -> str | None:
        if self._allow is None:
            self._allow = {
                route.path_format: ", ".join(sorted(route.methods))
                for route in scope["litestar_app"].routes
                if isinstance(route, HTTPRoute)
            }
        return self._allow.get(scope.get("path_template", ""))

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope.get("method") != "OPTIONS" or (allow := self._allow_for(scope)) is None:
            await next_app(scope, receive, send)
            return

        async def send_with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 300:
                MutableScopeHeaders(message)["allow"] = allow
            await send(message)

        await next_app(scope, receive, send_with_allow)
