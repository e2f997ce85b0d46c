"""Response caching for public reads, made stale by any change to the directory.

A cached answer is keyed on the directory version, a one-row counter that database triggers
bump on every change to a directory table (migration 0003). Each request reads the counter
once; a write through the API, an import run from the command line in another process or
plain SQL all move it when they commit, so no cached read outlives the data it was built
from. Old entries are never read again and age out with their expiry (or, in memory, when
the store is full).

A key names the database and the version in plain text and the request (method, path, sorted
query, varying headers) only as a keyed hash (:class:`KeyedHash`), so a store shared in Redis
holds no searched address, point or words in readable form.

Every ``GET`` under the public API prefix is cached except the feeds (``.geojson``, ``.csv``,
``.ics``), which stream the whole filtered result. A handler that sets ``cache`` itself
keeps its own setting. Entries are kept ``expiration`` seconds at most, which also bounds
how long an ``open_now`` answer or an "upcoming" list can lag the clock.
"""

from __future__ import annotations

from copy import copy, deepcopy
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Any, cast
from urllib.parse import urlencode

from litestar import Request, Router
from litestar.config.app import AppConfig
from litestar.config.response_cache import ResponseCacheConfig
from litestar.handlers import HTTPRouteHandler
from litestar.plugins import InitPluginProtocol
from litestar.stores.base import Store
from sqlalchemy import Engine

from api.db.version import DirectoryVersionReader
from api.http.middleware.keyed_hash import KeyedHash

__all__ = ["FEED_SUFFIXES", "ResponseCachePlugin", "VersionedKeyBuilder"]

FEED_SUFFIXES = (".geojson", ".csv", ".ics")
STORE_NAME = "response_cache"
KEY_SCOPE_KEY = "puente.response_cache_key"
# Request headers a response may vary on: content negotiation, compression (the body is
# cached as sent, compressed or not) and the UI language. ``If-None-Match`` is not one: the
# app-level conditional GET middleware turns a cached 200 into a 304 when the tag matches.
VARY_HEADERS = ("accept", "accept-encoding", "accept-language")


@dataclass(frozen=True, kw_only=True)
class VersionedKeyBuilder:
    """Builds the cache key: database, directory version, and a keyed hash of the method,
    path, sorted query and the varying headers."""

    engine: Engine
    hashing: KeyedHash
    database: str = field(init=False)
    """Names the database, so deployments (or test databases) sharing one Redis never mix."""
    version: DirectoryVersionReader = field(init=False)

    def __post_init__(self) -> None:
        url = self.engine.url.render_as_string(hide_password=True)
        object.__setattr__(self, "database", sha256(url.encode()).hexdigest()[:16])
        object.__setattr__(self, "version", DirectoryVersionReader(self.engine))

    def __call__(self, request: Request[Any, Any, Any]) -> str:
        # The cache looks the key up before the handler runs and stores under it afterwards;
        # both must use the version read before the handler read any data, so the key is
        # built once and kept in the scope for the store.
        scope = cast("dict[str, Any]", request.scope)
        key = scope.get(KEY_SCOPE_KEY)
        if key is None:
            key = scope[KEY_SCOPE_KEY] = self._build(request)
        return cast("str", key)

    def _build(self, request: Request[Any, Any, Any]) -> str:
        version = self.version()
        query = sorted(request.query_params.multi_items())
        headers = [request.headers.get(name, "") for name in VARY_HEADERS]
        request_text = "\n".join((request.method, request.url.path, urlencode(query), *headers))
        return f"{self.database}:{version}:{self.hashing.digest('response', request_text)}"


@dataclass(kw_only=True, eq=False)
class ResponseCachePlugin(InitPluginProtocol):
    """Caches the public API's reads in ``store`` (shared Redis or per-process memory)."""

    store: Store
    engine: Engine
    hashing: KeyedHash
    path_prefix: str = "/api/v1"
    """Reads under this prefix are cached."""
    expiration: int = 60
    """Seconds an entry is kept at most."""

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        key_builder = VersionedKeyBuilder(engine=self.engine, hashing=self.hashing)
        app_config.response_cache_config = ResponseCacheConfig(
            default_expiration=self.expiration, key_builder=key_builder, store=STORE_NAME
        )
        # Before the engine is disposed (hooks registered earlier run earlier).
        app_config.on_shutdown = [key_builder.version.close, *app_config.on_shutdown]
        stores = app_config.stores
        if stores is None or isinstance(stores, dict):
            app_config.stores = {**(stores or {}), STORE_NAME: self.store}
        else:
            stores.register(STORE_NAME, self.store, allow_override=True)
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
