"""The stores behind rate limits and the response cache: Redis that fails soft, or memory.

With ``PUENTE_REDIS_URL`` set, every store is a namespace of one Redis client, and cached
answers are sealed (:class:`SealedStore`): an answer to a search near a point tells where
the point is, so Redis holds it only encrypted, under a keyed-hash name. Redis is an
optional helper, never a dependency of an answer: a store that cannot reach it behaves as an
empty store that keeps nothing (reads are served uncached, budgets are not counted), logs
one warning per outage, and asks Redis again after a short pause, so it comes back by itself
without a restart and without an error. ``/ready`` reports the state.

Without Redis, rate-limit counters live in Litestar's memory store and cached answers in a
:class:`BoundedMemoryStore`, both per process.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from cachetools import TLRUCache
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from litestar.stores.registry import StoreRegistry
from redis.asyncio import Redis
from redis.exceptions import RedisError

from api.http.middleware.keyed_hash import KeyedHash
from api.settings import Settings

__all__ = [
    "BoundedMemoryStore",
    "FailSoftStore",
    "SealedStore",
    "StoreHealth",
    "StoreSet",
    "build_stores",
]

log = logging.getLogger("puente.stores")

StoreState = Literal["memory", "ok", "unreachable"]
RETRY_AFTER_FAILURE_S = 1.0
"""After a failed call, stores answer from nothing for this long before asking Redis again."""
REDIS_TIMEOUT_S = 1.0
"""Longest wait for Redis on one call; a Redis that hangs costs a request this much at most."""


def _seconds(expires_in: int | timedelta | None) -> float | None:
    if isinstance(expires_in, timedelta):
        return expires_in.total_seconds()
    return None if expires_in is None else float(expires_in)


@dataclass(kw_only=True)
class StoreHealth:
    """Whether the shared store answered the last time it was asked."""

    clock: Callable[[], float] = time.monotonic
    down_until: float = field(default=0.0, init=False)
    failing: bool = field(default=False, init=False)

    def resting(self) -> bool:
        """True while stores should not ask Redis (just after a failure)."""
        return self.failing and self.clock() < self.down_until

    def failed(self, error: Exception) -> None:
        if not self.failing:
            log.warning(
                "Redis unreachable (%s); serving uncached and not counting rate limits meanwhile",
                type(error).__name__,
            )
        self.failing = True
        self.down_until = self.clock() + RETRY_AFTER_FAILURE_S

    def answered(self) -> None:
        if self.failing:
            log.warning("Redis answers again; caching and rate limits resume")
        self.failing = False


@dataclass(kw_only=True, eq=False)
class FailSoftStore(Store):
    """A Redis store that, when Redis cannot answer, keeps nothing and finds nothing.

    An expiry of zero or less means "do not keep" (a handler's ``cache=0``): nothing is
    sent, where Redis itself would refuse ``SET … EX 0``.
    """

    inner: RedisStore
    health: StoreHealth

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        seconds = _seconds(expires_in)
        if (seconds is not None and seconds <= 0) or self.health.resting():
            return
        try:
            await self.inner.set(key, value, expires_in)
        except (RedisError, OSError) as error:
            self.health.failed(error)
        else:
            self.health.answered()

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        if self.health.resting():
            return None
        try:
            found = await self.inner.get(key, renew_for)
        except (RedisError, OSError) as error:
            self.health.failed(error)
            return None
        self.health.answered()
        return found

    async def delete(self, key: str) -> None:
        if self.health.resting():
            return
        try:
            await self.inner.delete(key)
        except (RedisError, OSError) as error:
            self.health.failed(error)

    async def delete_all(self) -> None:
        await self.inner.delete_all()

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        if self.health.resting():
            return None
        try:
            return await self.inner.expires_in(key)
        except (RedisError, OSError) as error:
            self.health.failed(error)
            return None


@dataclass(kw_only=True, eq=False)
class SealedStore(Store):
    """Values encrypted with AES-GCM under ``key`` (never stored), bound to their entry's
    name; a value that does not open (another key, tampered with) counts as absent."""

    inner: Store
    key: bytes = field(repr=False)
    NONCE_BYTES = 12

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode() if isinstance(value, str) else value
        nonce = os.urandom(self.NONCE_BYTES)
        sealed = nonce + AESGCM(self.key).encrypt(nonce, data, key.encode())
        await self.inner.set(key, sealed, expires_in)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        sealed = await self.inner.get(key, renew_for)
        if sealed is None:
            return None
        nonce, body = sealed[: self.NONCE_BYTES], sealed[self.NONCE_BYTES :]
        try:
            return AESGCM(self.key).decrypt(nonce, body, key.encode())
        except InvalidTag:
            return None

    async def delete(self, key: str) -> None:
        await self.inner.delete(key)

    async def delete_all(self) -> None:
        await self.inner.delete_all()

    async def exists(self, key: str) -> bool:
        return await self.inner.exists(key)

    async def expires_in(self, key: str) -> int | None:
        return await self.inner.expires_in(key)


class BoundedMemoryStore(Store):
    """A per-process store holding at most ``max_bytes`` of values, least recently used
    dropped first, each entry until its own expiry (``cachetools.TLRUCache``).

    Every distinct query adds an entry and stale versions are never read again, so an
    unbounded store would grow with traffic until the entries expire. The bound is on
    bytes, not entries: answers range from a few hundred bytes to a hundred kilobytes.
    """

    __slots__ = ("_entries",)

    def __init__(self, *, max_bytes: int = 32 * 2**20) -> None:
        self._entries: TLRUCache[str, tuple[bytes, float]] = TLRUCache(
            maxsize=max_bytes,
            ttu=lambda _key, entry, _now: entry[1],
            timer=time.monotonic,
            getsizeof=lambda entry: len(entry[0]),
        )

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        seconds = _seconds(expires_in)
        if seconds is not None and seconds <= 0:
            return
        data = value.encode() if isinstance(value, str) else value
        until = float("inf") if seconds is None else time.monotonic() + seconds
        if len(data) > self._entries.maxsize:
            return  # larger than the whole store: not worth evicting everything for
        self._entries[key] = (data, until)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if renew_for is not None:
            await self.set(key, entry[0], renew_for)
        return entry[0]

    async def delete(self, key: str) -> None:
        self._entries.pop(key, None)

    async def delete_all(self) -> None:
        self._entries.clear()

    async def exists(self, key: str) -> bool:
        return key in self._entries

    async def expires_in(self, key: str) -> int | None:
        entry = self._entries.get(key)
        if entry is None or entry[1] == float("inf"):
            return None
        return int(entry[1] - time.monotonic())

    @property
    def held_bytes(self) -> int:
        return int(self._entries.currsize)


@dataclass(kw_only=True)
class StoreSet:
    """The app's store registry, the response cache's store, and how to close what they use."""

    registry: StoreRegistry
    response_cache: Store
    redis: Redis | None
    health: StoreHealth

    @property
    def shared(self) -> bool:
        return self.redis is not None

    async def state(self) -> StoreState:
        """``memory`` without Redis, else whether Redis answers a ping now."""
        if self.redis is None:
            return "memory"
        try:
            await self.redis.ping()
        except (RedisError, OSError) as error:
            self.health.failed(error)
            return "unreachable"
        self.health.answered()
        return "ok"

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()


def build_stores(
    settings: Settings,
    *,
    hashing: KeyedHash,
    namespace: str = "puente",
    max_cache_bytes: int = 32 * 2**20,
) -> StoreSet:
    """Namespaced stores for any name: Redis when configured, memory otherwise."""
    health = StoreHealth()
    if settings.redis_url:
        redis = Redis.from_url(
            settings.redis_url,
            socket_timeout=REDIS_TIMEOUT_S,
            socket_connect_timeout=REDIS_TIMEOUT_S,
        )
        root = RedisStore(redis=redis, namespace=namespace)

        def shared(name: str) -> Store:
            return FailSoftStore(inner=root.with_namespace(name), health=health)

        return StoreSet(
            registry=StoreRegistry(default_factory=shared),
            response_cache=SealedStore(
                inner=shared("response_cache"), key=hashing.derive("response-cache-seal")
            ),
            redis=redis,
            health=health,
        )
    return StoreSet(
        registry=StoreRegistry(default_factory=lambda _name: MemoryStore()),
        response_cache=BoundedMemoryStore(max_bytes=max_cache_bytes),
        redis=None,
        health=health,
    )
