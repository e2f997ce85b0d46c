"""Rate limits and request size limits.

Three budgets, each its own ``RateLimitConfig``: public reads, public problem reports and
staff requests (writes, imports, the audit). Reads and reports are counted per client;
staff requests per API key when the key is valid, and per client otherwise, so made-up
tokens share their sender's budget. The budget keys never hold a client address or a
token: they are keyed hashes (:class:`KeyedHash`) whose key is never stored and which change
every day, so entries cannot be matched back to addresses and vanish with their window.

The counters live in the app's stores (``api.http.middleware.stores``): Redis when
``PUENTE_REDIS_URL`` is set, so several workers share one budget, memory otherwise. A Redis
outage fails open: requests are served, the limit is not counted.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

import anyio.to_thread
from litestar import Request
from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.rate_limit import DurationUnit, RateLimitConfig, RateLimitMiddleware
from litestar.types import Receive, Scope, Send
from sqlalchemy import Engine

from api.directory.keys import authenticate
from api.http.middleware.keyed_hash import KeyedHash
from api.http.problems import Problem
from api.settings import Settings

__all__ = [
    "BodyLimitMiddleware",
    "Budget",
    "Limits",
    "rate_limit_middleware",
]

Budget = Literal["reads", "reports", "staff"]
UNLIMITED_PATHS = frozenset({"/health", "/ready"})
ROTATION_S = 86_400
"""How long one hashing of client addresses lasts; the next day's hashes share nothing."""
IDENTITY_SCOPE_KEY = "puente.rate_limit_identity"


@dataclass(frozen=True, kw_only=True)
class Limits:
    """How much a client may ask for, and how large a request may be."""

    reads: tuple[DurationUnit, int] = ("minute", 600)
    """Public reads (searches, feeds, pages) per client."""

    reports: tuple[DurationUnit, int] = ("hour", 20)
    """Public problem reports per client."""

    staff: tuple[DurationUnit, int] = ("minute", 300)
    """Staff requests (writes, imports, audit) per API key, or per client without a valid one."""

    max_body_bytes: int = 64 * 1024
    """Largest JSON body a write may send."""

    max_upload_bytes: int = 10 * 1024 * 1024
    """Largest upload ``POST /api/v1/imports`` accepts."""

    namespace: str = "puente"
    """Prefix of every key in the shared store."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """The limits ``PUENTE_RATE_LIMIT_*`` and ``PUENTE_MAX_*_BYTES`` set (read by
        :class:`Settings`, which checked their units)."""
        return cls(
            reads=cast("tuple[DurationUnit, int]", settings.rate_limit_reads),
            reports=cast("tuple[DurationUnit, int]", settings.rate_limit_reports),
            staff=cast("tuple[DurationUnit, int]", settings.rate_limit_staff),
            max_body_bytes=settings.max_body_bytes,
            max_upload_bytes=settings.max_upload_bytes,
        )


# --- who is counted -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ClientHasher:
    """Turns a client address (or a staff key's name) into an opaque budget key."""

    hashing: KeyedHash
    clock: Callable[[], float] = time.time

    def digest(self, value: str) -> str:
        day = int(self.clock() // ROTATION_S)
        return self.hashing.digest(f"rate-limit:{day}", value)

    def client(self, request: Request[Any, Any, Any]) -> str:
        return self.digest(request.client.host if request.client else "unknown")

    async def identify_staff(self, request: Request[Any, Any, Any]) -> None:
        """Who a staff request counts as: its key when the key is valid, else its client."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        identity = None
        if scheme.lower() == "bearer" and token.strip():
            engine: Engine = request.app.state["engine"]
            staff = await anyio.to_thread.run_sync(authenticate, engine, token.strip())
            if staff is not None:
                identity = "key:" + self.digest(staff.name)
        request.scope[IDENTITY_SCOPE_KEY] = identity or self.client(request)  # type: ignore[literal-required]

    @staticmethod
    def staff(request: Request[Any, Any, Any]) -> str:
        return cast("str", request.scope[IDENTITY_SCOPE_KEY])  # type: ignore[literal-required]


def budget_of(request: Request[Any, Any, Any]) -> Budget | None:
    """Which budget a request counts against (``None``: not limited)."""
    handler = request.scope.get("route_handler")
    opt: Mapping[str, Any] = getattr(handler, "opt", {}) or {}
    if "scope" in opt:
        return "staff"
    if opt.get("budget") == "reports":
        return "reports"
    if request.method in ("GET", "HEAD") and request.scope["path"] not in UNLIMITED_PATHS:
        return "reads"
    return None


class PuenteRateLimitMiddleware(RateLimitMiddleware):
    """Litestar's limiter, plus ``Retry-After`` on a 429."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except TooManyRequestsException as exc:
            headers = dict(exc.headers or {})
            reset = headers.get(self.config.rate_limit_reset_header_key, "1")
            headers.setdefault("Retry-After", str(max(1, int(reset))))
            exc.headers = headers
            exc.detail = "Too many requests; try again after the time in Retry-After."
            raise


def rate_limit_middleware(limits: Limits, hashing: KeyedHash) -> list[DefineMiddleware]:
    """One limiter per budget, each with its own store namespace."""
    hasher = ClientHasher(hashing=hashing)
    middleware: list[DefineMiddleware] = []
    for budget in ("reads", "reports", "staff"):

        def applies(budget: Budget = budget) -> Callable[[Request[Any, Any, Any]], Awaitable[bool]]:
            async def check(request: Request[Any, Any, Any]) -> bool:
                if budget_of(request) != budget:
                    return False
                if budget == "staff":
                    await hasher.identify_staff(request)
                return True

            return check

        config = RateLimitConfig(
            rate_limit=getattr(limits, budget),
            identifier_for_request=hasher.staff if budget == "staff" else hasher.client,
            check_throttle_handler=applies(),
            middleware_class=PuenteRateLimitMiddleware,
            store=f"rate_limit_{budget}",
        )
        middleware.append(config.middleware)
    return middleware


# --- body size ------------------------------------------------------------------------------


class BodyLimitMiddleware:
    """Refuses a body whose announced size exceeds the handler's limit, before reading it.

    Litestar enforces the same limit while streaming; this only makes the answer clear.
    """

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            handler = scope.get("route_handler")
            resolve = getattr(handler, "resolve_request_max_body_size", None)
            limit = resolve() if resolve is not None else None
            announced = _content_length(scope)
            if limit is not None and announced is not None and announced > limit:
                raise Problem(
                    413,
                    "Request too large",
                    f"This endpoint accepts at most {limit} bytes; the request has {announced}.",
                )
        await self.app(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
