"""The console's request session: a ``POST`` begins as a writer.

Every console form that changes something reads first (the signed-in account, the listing
and its versions) and writes after. On SQLite a transaction that begins deferred and
writes later fails at once when another writer committed in between, however long the
busy timeout; so the console's ``POST`` sessions say they will write before their first
statement (the engine's writing option, as ``api.db.engine.begin_writing`` uses: SQLite
begins ``IMMEDIATE`` and queues for the one writer's lock). Pages that only read keep
deferred transactions and never wait.

A writer holds that lock until its transaction ends, so the request's session ends as the
answer starts (:class:`EndSessionFirst`, inside the session middleware), not after: the
console's own session store writes to the same database when the answer starts.
"""

from __future__ import annotations

from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemySyncConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.middleware import DefineMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlmodel import Session

from api.db.engine import WRITING
from api.http.sessions import request_session_ender

__all__ = ["EndSessionFirst", "console_session", "end_session_first"]


def console_session(database: SQLAlchemySyncConfig) -> Provide:
    """The ``db_session`` dependency of the console's router (the plugin's own session).

    A ``POST``'s session is bound to the engine with the writing option, so each of its
    transactions begins as a writer when it first touches the database. A handler that
    also uses the database-backed session store (the sign-in counters) ends its
    transaction first: the store is a writer of its own.
    """
    writing = database.get_engine().execution_options(**WRITING)

    def provide(state: State, scope: Scope) -> Session:
        session: Session = database.provide_session(state, scope)  # type: ignore[assignment]
        if scope.get("method") == "POST" and not session.in_transaction():
            session.bind = writing
        return session

    return Provide(provide, sync_to_thread=False)


class EndSessionFirst:
    """Ends the request's database session (commit on 2xx, else roll back) when the answer
    starts, before the middleware outside it sees the answer."""

    def __init__(self, app: ASGIApp, *, scope_key: str) -> None:
        self.app = app
        self.end = request_session_ender(scope_key)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return

        async def ending_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                await self.end(message, scope)
            await send(message)

        await self.app(scope, receive, ending_send)


def end_session_first(database: SQLAlchemySyncConfig) -> DefineMiddleware:
    kwargs: dict[str, Any] = {"scope_key": database.session_scope_key}
    return DefineMiddleware(EndSessionFirst, **kwargs)
