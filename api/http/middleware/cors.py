"""Cross-origin rules: anyone may read, only the configured origins may write.

Reads (``GET``/``HEAD``) answer any origin with ``Access-Control-Allow-Origin: *``; they
carry no credentials, so there is nothing to protect. A browser request that would change
something (including a public problem report) is let through only from the app's own
origin or one listed in ``PUENTE_CORS_ORIGINS``; from any other origin it is refused
before the handler runs, preflight or not.

The pages send ``Referrer-Policy: no-referrer``, so a browser posting one of their own forms
says ``Origin: null``; it also says ``Sec-Fetch-Site: same-origin``, a header no page can
set, and that is what marks the post as the app's own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import (
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Message,
    Receive,
    Scope,
    Send,
)

from api.http.problems import Problem

__all__ = ["CorsPolicy"]

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_METHODS = "GET, HEAD, POST, PATCH, DELETE, OPTIONS"
READ_HEADERS = "Accept, Accept-Language, If-None-Match, If-Modified-Since"
WRITE_HEADERS = "Accept, Accept-Language, Authorization, Content-Type, If-Match, If-None-Match"
EXPOSED = "ETag, Link, Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"
MAX_AGE = "600"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _own_origin(scope: Scope) -> str | None:
    host = _header(scope, b"host")
    if host is None:
        return None
    return f"{scope.get('scheme', 'http')}://{host}"


@dataclass(frozen=True, kw_only=True)
class CorsPolicy:
    write_origins: tuple[str, ...] = ()

    def may_write(self, scope: Scope, origin: str) -> bool:
        if origin in self.write_origins or origin == _own_origin(scope):
            return True
        return _header(scope, b"sec-fetch-site") == "same-origin"

    def middleware(
        self, app: Callable[[Scope, Receive, Send], Awaitable[None]]
    ) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
        """Answers preflights and refuses writes from origins that may not write."""

        async def cors(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return
            origin = _header(scope, b"origin")
            if origin is None:
                await app(scope, receive, send)
                return
            requested = _header(scope, b"access-control-request-method")
            if scope["method"] == "OPTIONS" and requested is not None:
                await self._preflight(scope, send, origin, requested.upper())
                return
            if scope["method"] not in READ_METHODS and not self.may_write(scope, origin):
                raise _refused(origin)
            await app(scope, receive, send)

        return cors

    async def _preflight(self, scope: Scope, send: Send, origin: str, requested: str) -> None:
        if requested in READ_METHODS:
            headers = [
                (b"access-control-allow-origin", b"*"),
                (b"access-control-allow-methods", b"GET, HEAD, OPTIONS"),
                (b"access-control-allow-headers", READ_HEADERS.encode()),
            ]
        elif self.may_write(scope, origin):
            headers = [
                (b"access-control-allow-origin", origin.encode("latin-1")),
                (b"access-control-allow-methods", WRITE_METHODS.encode()),
                (b"access-control-allow-headers", WRITE_HEADERS.encode()),
                (b"vary", b"Origin"),
            ]
        else:
            raise _refused(origin)
        headers.append((b"access-control-max-age", MAX_AGE.encode()))
        start: HTTPResponseStartEvent = {
            "type": "http.response.start",
            "status": 204,
            "headers": headers,
        }
        await send(start)
        end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(end)

    async def before_send(self, message: Message, scope: Scope) -> None:
        """Adds the allow headers to the answer of a cross-origin request."""
        if message["type"] != "http.response.start" or scope["type"] != ScopeType.HTTP:
            return
        origin = _header(scope, b"origin")
        if origin is None or _header(scope, b"access-control-request-method") is not None:
            return  # preflights are answered (or refused) whole by the middleware
        headers = MutableScopeHeaders.from_message(message)
        if "access-control-allow-origin" in headers:
            return
        if scope["method"] in READ_METHODS:
            headers["Access-Control-Allow-Origin"] = "*"
        elif origin != "null" and self.may_write(scope, origin):
            headers["Access-Control-Allow-Origin"] = origin
            headers.add("Vary", "Origin")
        else:
            return
        headers["Access-Control-Expose-Headers"] = EXPOSED


def _refused(origin: str) -> Problem:
    return Problem(
        403,
        "Origin not allowed",
        f"Requests that change data are not accepted from {origin}; "
        "it is not listed in PUENTE_CORS_ORIGINS.",
    )
