"""Response caching for public reads, made stale by any change to the directory.

A cached answer is keyed on the directory version, a one-row counter that database triggers
bump on every change to a directory table (migration 0003). Each request reads the counter
once; a write through the API, an import run from the command line in another process or
plain SQL all move it when they commit, so no cached read outlives the data it was built
from. Old entries are never read again and age out with their expiry (or, in memory, when
the store is full).

Every ``GET`` under the public API prefix is cached except the feeds (``.geojson``, ``.csv``,
``.ics``), which stream the whole filtered result. A handler that sets ``cache`` itself
keeps its own setting. Entries are kept ``expiration`` seconds at most, which also bounds
how long an ``open_now`` answer or an "upcoming" list can lag the clock.
"""

from __future__ import annotations

from copy import copy, deepcopy
from dataclasses import dataclass, field
from datetime import timedelta
from hashlib import sha256
from typing import Any, cast
from urllib.parse import urlencode

from litestar import Request, Router
from litestar.config.app import AppConfig
from litestar.config.response_cache import ResponseCacheConfig
from litestar.handlers import HTTPRouteHandler
from litestar.plugins import InitPluginProtocol
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from sqlalchemy import Engine

from api.db.version import DirectoryVersionReader
from api.settings import Settings

__all__ = [
    "FEED_SUFFIXES",
    "BoundedMemoryStore",
    "ResponseCachePlugin",
    "VersionedKeyBuilder",
]

FEED_SUFFIXES = (".geojson", ".csv", ".ics")
STORE_NAME = "response_cache"
VERSION_SCOPE_KEY = "puente.directory_version"
# Request headers a response may vary on: content negotiation, compression (the body is
# cached as sent, compressed or not) and the UI language. ``If-None-Match`` is not one: the
# app-level conditional GET middleware turns a cached 200 into a 304 when the tag matches.
VARY_HEADERS = ("accept", "accept-encoding", "accept-language")


@dataclass(frozen=True, kw_only=True)
class VersionedKeyBuilder:
    """Builds the cache key: directory version, path, sorted query and the varying headers."""

    engine: Engine
    database: str = field(init=False)
    """Names the database, so deployments (or test databases) sharing one Redis never mix."""
    version: DirectoryVersionReader = field(init=False)

    def __post_init__(self) -> None:
        url = self.engine.url.render_as_string(hide_password=True)
        object.__setattr__(self, "database", sha256(url.encode()).hexdigest()[:16])
        object.__setattr__(self, "version", DirectoryVersionReader(self.engine))

    def __call__(self, request: Request[Any, Any, Any]) -> str:
        # The cache looks the key up before the handler runs and stores under it afterwards;
        # both must use the version read before the handler read any data.
        scope = cast("dict[str, Any]", request.scope)
        version = scope.get(VERSION_SCOPE_KEY)
        if version is None:
            version = scope[VERSION_SCOPE_KEY] = self.version()
        query = sorted(request.query_params.multi_items())
        headers = [request.headers.get(name, "") for name in VARY_HEADERS]
        return "\n".join(
            (
                self.database,
                str(version),
                request.method,
                request.url.path,
                urlencode(query),
                *headers,
            )
        )


class BoundedMemoryStore(MemoryStore):
    """Litestar's memory store, holding at most ``max_bytes`` of values (the oldest go first).

    Every distinct query adds an entry and stale versions are never read again, so an
    unbounded store would grow with traffic until the entries expire. The bound is on
    bytes, not entries: answers range from a few hundred bytes to a hundred kilobytes.
    """

    __slots__ = ("_held", "max_bytes")

    def __init__(self, *, max_bytes: int = 32 * 2**20) -> None:
        super().__init__()
        self.max_bytes = max_bytes
        self._held = 0
        """Bytes held, counted up on each set; entries that expire or are deleted are only
        subtracted when the count is next found over the bound and taken again."""

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        await super().set(key, value, expires_in)
        async with self._lock:
            self._held += len(value)
            if self._held <= self.max_bytes:
                return
            self._held = sum(len(entry.data) for entry in self._store.values())
            while self._held > self.max_bytes and self._store:
                oldest = next(iter(self._store))
                self._held -= len(self._store.pop(oldest).data)


@dataclass(kw_only=True, eq=False)
class ResponseCachePlugin(InitPluginProtocol):
    """Caches the public API's reads; Redis when ``PUENTE_REDIS_URL`` is set, memory otherwise."""

    settings: Settings
    engine: Engine
    path_prefix: str = "/api/v1"
    """Reads under this prefix are cached."""
    expiration: int = 60
    """Seconds an entry is kept at most."""
    max_memory_bytes: int = 32 * 2**20
    """Bytes of answers the in-memory store holds (per process) before dropping the oldest."""

    def store(self) -> Store:
        if self.settings.redis_url:
            return RedisStore.with_client(
                url=self.settings.redis_url, namespace="puente_response_cache"
            )
        return BoundedMemoryStore(max_bytes=self.max_memory_bytes)

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        key_builder = VersionedKeyBuilder(engine=self.engine)
        app_config.response_cache_config = ResponseCacheConfig(
            default_expiration=self.expiration, key_builder=key_builder, store=STORE_NAME
        )
        # Before the engine is disposed (hooks registered earlier run earlier).
        app_config.on_shutdown = [key_builder.version.close, *app_config.on_shutdown]
        stores = app_config.stores
        if stores is None or isinstance(stores, dict):
            app_config.stores = {**(stores or {}), STORE_NAME: self.store()}
        else:
            stores.register(STORE_NAME, self.store(), allow_override=True)
        app_config.route_handlers = [
            self._with_cache(handler, "") for handler in app_config.route_handlers
        ]
        return app_config

    def _with_cache(self, value: Any, prefix: str) -> Any:
        """A copy of ``value`` with caching turned on for the public reads it holds."""
        if isinstance(value, Router):
            router = deepcopy(value)
            for route in router.routes:
                for handler in getattr(route, "route_handlers", ()):
                    if self._is_public_read(handler, route.path):
                        handler.cache = True
            return router
        if isinstance(value, HTTPRouteHandler) and any(
            self._is_public_read(value, prefix + path) for path in value.paths
        ):
            handler = copy(value)
            handler.cache = True
            return handler
        return value

    def _is_public_read(self, handler: Any, path: str) -> bool:
        return (
            isinstance(handler, HTTPRouteHandler)
            and handler.cache is False
            and "GET" in handler.http_methods
            and (path == self.path_prefix or path.startswith(self.path_prefix + "/"))
            and not path.endswith(FEED_SUFFIXES)
        )
