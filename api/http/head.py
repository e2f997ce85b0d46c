"""``HEAD`` on every ``GET`` route: the same status and headers as ``GET``, without a body.

RFC 9110 asks every server to answer ``HEAD`` wherever it answers ``GET``, and clients rely
on it: GDAL's ``/vsicurl/`` asks for a file's size with ``HEAD`` before it reads a byte, and
link checkers and caches probe with it. Litestar routes ``HEAD`` only to handlers declared
for it, so :func:`serve_head` (an ``on_app_init`` hook, run before the handlers are
registered) gives each ``GET`` handler a ``HEAD`` twin, :func:`add_head` does the same for a
router built elsewhere (the OpenAPI document's), and :class:`DropHeadBody` sends such an
answer's headers (``Content-Length`` included) and nothing of its body. The OpenAPI
document leaves the twins out; its description says once that every ``GET`` answers
``HEAD``.
"""

from __future__ import annotations

from copy import copy

from litestar.config.app import AppConfig
from litestar.controller import Controller
from litestar.enums import ScopeType
from litestar.handlers import HTTPRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.router import Router
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, ControllerRouterHandler, Message, Receive, Scope, Send

__all__ = ["DropHeadBody", "add_head", "serve_head", "with_head"]


def _head_twin(value: HTTPRouteHandler) -> HTTPRouteHandler | None:
    if "GET" not in value.http_methods or "HEAD" in value.http_methods:
        return None
    twin = copy(value)
    twin.http_methods = {"HEAD"}
    twin.include_in_schema = False
    twin.name = f"{value.name}-head" if value.name else None
    return twin


def with_head(value: ControllerRouterHandler) -> list[ControllerRouterHandler]:
    """A ``GET`` handler and its ``HEAD`` twin (left out of the OpenAPI document); a
    controller comes back inside a router, and a router's ``GET`` routes answer ``HEAD``."""
    if isinstance(value, type) and issubclass(value, Controller):
        value = Router("", route_handlers=[value])
    if isinstance(value, Router):
        add_head(value)
        return [value]
    twin = _head_twin(value) if isinstance(value, HTTPRouteHandler) else None
    return [value] if twin is None else [value, twin]


def add_head(router: Router) -> None:
    """Let every ``GET`` route of an already built router answer ``HEAD``."""
    router.routes = [
        HTTPRoute(
            path=route.path,
            route_handlers=[
                *route.route_handlers,
                *filter(None, map(_head_twin, route.route_handlers)),
            ],
        )
        if isinstance(route, HTTPRoute)
        else route
        for route in router.routes
    ]


def serve_head(app_config: AppConfig) -> AppConfig:
    app_config.route_handlers = [
        twin for value in app_config.route_handlers for twin in with_head(value)
    ]
    app_config.middleware = [DropHeadBody(), *app_config.middleware]
    return app_config


class DropHeadBody(ASGIMiddleware):
    """Sends a ``HEAD`` answer's status and headers and an empty body."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "HEAD":
            await next_app(scope, receive, send)
            return
        finished = False

        async def send_headers_only(message: Message) -> None:
            nonlocal finished
            if message["type"] != "http.response.body":
                await send(message)
            elif not finished:
                finished = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await next_app(scope, receive, send_headers_only)
