"""Console sessions: server-side, cookie scoped to ``/staff``, ended by idle time or sign-out.

The session cookie holds only a random id; the data (who signed in, when, the console
language) lives in a store: Redis when ``PUENTE_REDIS_URL`` is set, else the database
(advanced-alchemy's Litestar store over the ``staff_session`` table). Every access renews
the expiry, so a session ends after ``IDLE_S`` without use. Signing in always begins a new
session id, so an id planted before sign-in is worthless. Every request re-reads the
account: a deactivated account, a new password or a sign-out elsewhere
(``sessions_valid_after``) ends the session at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from advanced_alchemy.extensions.litestar import SQLAlchemySyncConfig
from advanced_alchemy.extensions.litestar.store import SQLAlchemyStore, StoreModelMixin
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.registry import StoreRegistry
from litestar.types import Message
from sqlmodel import Session

from api.db.models import StaffAccount, StaffRole, StaffSession
from api.directory.keys import Scope, Staff
from api.directory.staff_accounts import SignedIn, staff_of

__all__ = [
    "COOKIE",
    "IDLE_S",
    "STORE",
    "Member",
    "begin_session",
    "current_member",
    "end_session",
    "register_store",
    "session_config",
    "session_data",
]

COOKIE = "puente_staff"
STORE = "staff-sessions"
IDLE_S = 30 * 60
"""A session unused for this long is over."""
FRESH_ID = "puente_staff_fresh_session"


class FreshIdBackend(ServerSideSessionBackend):
    """Litestar's server-side backend, but a sign-in (``begin_session``) gets a new id and
    the old one is deleted from the store."""

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        fresh = connection.scope.get("state", {}).get(FRESH_ID)
        return str(fresh) if fresh else super().get_session_id(connection)

    async def store_in_message(
        self, scope_session: Any, message: Message, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        state = connection.scope.setdefault("state", {})
        if state.get(FRESH_ID) is True:
            if old := connection.cookies.get(self.config.key):
                await self.delete(old, store=self.config.get_store_from_app(connection.app))
            state[FRESH_ID] = self.generate_session_id()
        await super().store_in_message(scope_session, message, connection)


@dataclass
class ConsoleSessionConfig(ServerSideSessionConfig):
    _backend_class = FreshIdBackend


def session_config(*, secure: bool) -> ServerSideSessionConfig:
    return ConsoleSessionConfig(
        key=COOKIE,
        store=STORE,
        path="/staff",
        max_age=IDLE_S,
        renew_on_access=True,
        httponly=True,
        samesite="strict",
        secure=secure,
    )


def register_store(
    registry: StoreRegistry, *, database: SQLAlchemySyncConfig, shared: bool
) -> None:
    """Sessions in the database unless the registry already gives shared (Redis) stores."""
    if shared:
        return
    model = cast(type[StoreModelMixin], StaffSession)
    registry.register(STORE, SQLAlchemyStore(config=database, model=model, namespace="staff"))


@dataclass(frozen=True, kw_only=True)
class Member:
    """The signed-in staff member of a request."""

    account_id: int
    name: str
    role: StaffRole
    staff: Staff

    def may(self, scope: Scope) -> bool:
        return self.staff.allows(scope)

    def require(self, scope: Scope) -> None:
        if not self.may(scope):
            raise PermissionDeniedException(f"the {self.role} role may not do this")


def session_data(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The request's session data; empty when there is none or it was just cleared."""
    data = request.scope.get("session")
    return data if isinstance(data, dict) else {}


def begin_session(request: Request[Any, Any, Any], signed_in: SignedIn, *, now: datetime) -> None:
    """Replace whatever session the request had with a new one (a new id) for this account."""
    request.scope.setdefault("state", {})[FRESH_ID] = True
    language = session_data(request).get("lang")
    request.set_session(
        {
            "account_id": signed_in.account_id,
            "since": now.isoformat(),
            "lang": language,
            "nonce": secrets.token_hex(8),
        }
    )


def end_session(request: Request[Any, Any, Any], session: Session, *, now: datetime) -> None:
    """Sign out: this session is deleted, and every other session of the account ends too."""
    account_id = session_data(request).get("account_id")
    if isinstance(account_id, int) and (account := session.get(StaffAccount, account_id)):
        account.sessions_valid_after = now
        session.add(account)
        session.commit()
    request.clear_session()


def current_member(request: Request[Any, Any, Any], db_session: NamedDependency[Session]) -> Member:
    """The signed-in member, or ``NotAuthorizedException`` (answered with the sign-in page)."""
    data = session_data(request)
    account_id, since = data.get("account_id"), data.get("since")
    if not isinstance(account_id, int) or not isinstance(since, str):
        raise NotAuthorizedException("sign in first")
    account = db_session.get(StaffAccount, account_id)
    began = datetime.fromisoformat(since)
    if (
        account is None
        or not account.active
        or (account.sessions_valid_after is not None and began <= account.sessions_valid_after)
    ):
        request.clear_session()
        raise NotAuthorizedException("sign in again")
    return Member(
        account_id=account_id,
        name=account.name,
        role=StaffRole(account.role),
        staff=staff_of(account),
    )
