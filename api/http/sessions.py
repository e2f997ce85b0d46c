"""The end of a request's database session: committed on a 2xx answer, else rolled back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from advanced_alchemy.extensions.litestar.plugins.init.config.sync import (
    autocommit_handler_maker,
)
from litestar.types import Message, Scope

__all__ = ["request_session_ender"]


def request_session_ender(scope_key: str) -> Callable[[Message, Scope], Awaitable[None]]:
    """A before-send hook that ends the request's session (kept in the ASGI scope under
    ``scope_key``): commit it on a 2xx answer, else roll back, and close it — the work of
    advanced-alchemy's ``autocommit`` handler, run on the event loop.

    Litestar would run that synchronous handler in a worker thread, and that can stall the
    server: under load every worker thread may be waiting for a pooled connection that only
    such a hop would give back, until the pool's timeout. Ending a session is short — a
    rollback of a read, or a small commit, since handlers that change data commit before
    answering (``api.http.routes.staff``) — so it runs here; for requests without a session
    (cache hits, static files, ``/health``) the handler finds none and does nothing.
    """
    autocommit = autocommit_handler_maker(session_scope_key=scope_key)

    async def end_request_session(message: Message, scope: Scope) -> None:
        autocommit(message, scope)

    return end_request_session
