"""The access log: method, route template, status and duration — nothing about who asked.

A line reads ``GET /api/v1/resources/{resource_id:int} 200 3.1ms``. The route template
stands in for the path, so neither path values, nor the query string (where searches and
coordinates travel), nor the client's address, nor any header or body is ever written.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from litestar.enums import ScopeType
from litestar.logging.config import LoggingConfig
from litestar.types import Message, Receive, Scope, Send

__all__ = ["ACCESS_LOGGER", "AccessLog", "logging_config"]

ACCESS_LOGGER = "puente.access"
STARTED_KEY = "puente_started"
UNMATCHED = "(no route)"
QUIET_LOGGERS = ("httpx", "httpcore", "urllib3", "geopy")
"""Libraries that log whole URLs (a geocoder request carries the address) at INFO or DEBUG."""


def logging_config() -> LoggingConfig:
    """Litestar's logging, with URL-logging libraries held to warnings."""
    return LoggingConfig(
        loggers={name: {"level": "WARNING", "propagate": True} for name in QUIET_LOGGERS}
    )


class AccessLog:
    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = logger or logging.getLogger(ACCESS_LOGGER)

    def middleware(
        self, app: Callable[[Scope, Receive, Send], Awaitable[None]]
    ) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
        """Notes when the request reached its route, for the duration."""

        async def timed(scope: Scope, receive: Receive, send: Send) -> None:
            scope.setdefault("state", {})[STARTED_KEY] = time.perf_counter()
            await app(scope, receive, send)

        return timed

    async def before_send(self, message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or scope["type"] != ScopeType.HTTP:
            return
        started = scope.get("state", {}).get(STARTED_KEY)
        duration = f"{(time.perf_counter() - started) * 1000:.1f}ms" if started is not None else "-"
        template = scope.get("path_template") or UNMATCHED
        self.logger.info("%s %s %s %s", scope["method"], template, message["status"], duration)
