"""Rate limits, request size limits and the stores behind them.

Three budgets, each its own ``RateLimitConfig``: public reads, public problem reports and
staff requests (writes, imports, the audit). Reads and reports are counted per client,
staff requests per API key. The budget keys never hold a client address: the address is
hashed with a salt that lives in the store for a day, so entries cannot be read back as
addresses and vanish with their window.

The store is Redis when ``PUENTE_REDIS_URL`` is set, so several workers share one budget,
and memory otherwise. A Redis outage fails open (requests are served, the limit is not
counted) rather than turning every request into an error.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from litestar import Request
from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.rate_limit import (
    CacheObject,
    DurationUnit,
    RateLimitConfig,
    RateLimitMiddleware,
)
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from litestar.stores.registry import StoreRegistry
from litestar.types import Receive, Scope, Send
from redis.exceptions import RedisError

from api.http.problems import Problem
from api.settings import Settings, SettingsError

__all__ = [
    "BodyLimitMiddleware",
    "Budget",
    "Limits",
    "StoreSet",
    "build_stores",
    "rate_limit_middleware",
]

log = logging.getLogger("puente.protection")

Budget = Literal["reads", "reports", "staff"]
UNITS: tuple[DurationUnit, ...] = ("second", "minute", "hour", "day")
UNLIMITED_PATHS = frozenset({"/health", "/ready"})
SALT_KEY = "client-salt"
SALT_LIFETIME_S = 86_400
SALT_RECHECK_S = 300


@dataclass(frozen=True, kw_only=True)
class Limits:
    """How much a client may ask for, and how large a request may be."""

    reads: tuple[DurationUnit, int] = ("minute", 600)
    """Public reads (searches, feeds, pages) per client."""

    reports: tuple[DurationUnit, int] = ("hour", 20)
    """Public problem reports per client."""

    staff: tuple[DurationUnit, int] = ("minute", 300)
    """Staff requests (writes, imports, audit, reports) per API key."""

    max_body_bytes: int = 64 * 1024
    """Largest JSON body a write may send."""

    max_upload_bytes: int = 10 * 1024 * 1024
    """Largest upload ``POST /api/v1/imports`` accepts."""

    namespace: str = "puente"
    """Prefix of every key in the shared store."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """``PUENTE_RATE_LIMIT_READS|REPORTS|STAFF`` as ``N/unit`` (e.g. ``600/minute``),
        ``PUENTE_MAX_BODY_BYTES`` and ``PUENTE_MAX_UPLOAD_BYTES``."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for budget in ("reads", "reports", "staff"):
            name = f"PUENTE_RATE_LIMIT_{budget.upper()}"
            if raw := env.get(name, "").strip():
                values[budget] = _parse_rate(name, raw)
        for name, attr in (
            ("PUENTE_MAX_BODY_BYTES", "max_body_bytes"),
            ("PUENTE_MAX_UPLOAD_BYTES", "max_upload_bytes"),
        ):
            if raw := env.get(name, "").strip():
                if not raw.isdigit() or int(raw) <= 0:
                    raise SettingsError(f"{name}={raw!r}: expected a whole number of bytes > 0")
                values[attr] = int(raw)
        return cls(**values)


def _parse_rate(name: str, raw: str) -> tuple[DurationUnit, int]:
    count, _, unit = raw.partition("/")
    if not count.strip().isdigit() or int(count) <= 0 or unit.strip() not in UNITS:
        raise SettingsError(
            f"{name}={raw!r}: expected COUNT/UNIT with COUNT > 0 and UNIT one of "
            f"{', '.join(UNITS)}, e.g. 600/minute"
        )
    return unit.strip(), int(count)  # type: ignore[return-value]


# --- stores ---------------------------------------------------------------------------------


@dataclass(kw_only=True)
class StoreSet:
    """The app's store registry and how to close what it opened."""

    registry: StoreRegistry
    close: Callable[[], Awaitable[None]]
    shared: bool


def build_stores(settings: Settings, limits: Limits) -> StoreSet:
    """Namespaced stores for any name: Redis when configured, memory otherwise."""
    if settings.redis_url:
        root = RedisStore.with_client(url=settings.redis_url, namespace=limits.namespace)

        async def close_redis() -> None:
            await root._shutdown()

        return StoreSet(
            registry=StoreRegistry(default_factory=root.with_namespace),
            close=close_redis,
            shared=True,
        )

    async def close_memory() -> None:
        return None

    return StoreSet(
        registry=StoreRegistry(default_factory=lambda _name: MemoryStore()),
        close=close_memory,
        shared=False,
    )


# --- who is counted -------------------------------------------------------------------------


@dataclass
class ClientHasher:
    """Turns a client address (or an API key) into an opaque, salted budget key."""

    store_name: str
    _salt: bytes = field(default=b"", repr=False)
    _checked_at: float = 0.0

    async def ensure_salt(self, request: Request[Any, Any, Any]) -> None:
        now = time.monotonic()
        if self._salt and now - self._checked_at < SALT_RECHECK_S:
            return
        store = request.app.stores.get(self.store_name)
        try:
            salt = await store.get(SALT_KEY)
            if salt is None:
                salt = secrets.token_bytes(32)
                await store.set(SALT_KEY, salt, expires_in=SALT_LIFETIME_S)
        except RedisError:
            log.warning("rate-limit store unreachable; limits are not counted meanwhile")
            salt = self._salt or secrets.token_bytes(32)
        self._salt, self._checked_at = salt, now

    def digest(self, value: str) -> str:
        return hashlib.blake2b(value.encode(), key=self._salt, digest_size=16).hexdigest()

    def client(self, request: Request[Any, Any, Any]) -> str:
        return self.digest(request.client.host if request.client else "unknown")

    def key_or_client(self, request: Request[Any, Any, Any]) -> str:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return "key:" + self.digest(token.strip()[:16])
        return self.client(request)


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
    """Litestar's limiter, plus ``Retry-After`` on a 429 and failing open on a Redis outage."""

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

    async def retrieve_cached_history(self, key: str, store: Store) -> CacheObject:
        try:
            return await super().retrieve_cached_history(key, store)
        except RedisError:
            log.warning("rate-limit store unreachable; limits are not counted meanwhile")
            return CacheObject(history=[], reset=int(time.time()) + 1)

    async def set_cached_history(self, key: str, cache_object: CacheObject, store: Store) -> None:
        try:
            await super().set_cached_history(key, cache_object, store)
        except RedisError:
            log.warning("rate-limit store unreachable; limits are not counted meanwhile")


def rate_limit_middleware(limits: Limits) -> list[DefineMiddleware]:
    """One limiter per budget, each with its own store namespace."""
    middleware: list[DefineMiddleware] = []
    for budget in ("reads", "reports", "staff"):
        store_name = f"rate_limit_{budget}"
        hasher = ClientHasher(store_name=store_name)

        def applies(
            budget: Budget = budget,
            hasher: ClientHasher = hasher,
        ) -> Callable[[Request[Any, Any, Any]], Awaitable[bool]]:
            async def check(request: Request[Any, Any, Any]) -> bool:
                if budget_of(request) != budget:
                    return False
                await hasher.ensure_salt(request)
                return True

            return check

        identify = hasher.key_or_client if budget == "staff" else hasher.client
        config = RateLimitConfig(
            rate_limit=getattr(limits, budget),
            identifier_for_request=identify,
            check_throttle_handler=applies(),
            middleware_class=PuenteRateLimitMiddleware,
            store=store_name,
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
