"""Console sessions: server-side, cookie scoped to ``/staff``, ended by idle time or sign-out.

The session cookie holds only a random id; the data (who signed in, when, the console
language) lives in a store: Redis when ``PUENTE_REDIS_URL`` is set, else the database
(advanced-alchemy's Litestar store over the ``staff_session`` table). Every access renews
the expiry, so a session ends after ``IDLE_S`` without use (in the database, after between
``IDLE_S`` less a tenth and ``IDLE_S``: see ``web/staff/session_store.py``, whose reads never
wait for another writer). Signing in always begins a new
session id, so an id planted before sign-in is worthless. Every request re-reads the
account: a deactivated account, a new password or a sign-out elsewhere
(``sessions_valid_after``) ends the session at once.

An account with a second factor signs in in two steps: the right password begins a
*pending* session that only the code page accepts, for a few minutes; the right code then
begins the real one (again with a new id). A role that requires a second factor (admin)
is sent to set one up before anything else.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from advanced_alchemy.extensions.litestar import SQLAlchemySyncConfig
from advanced_alchemy.extensions.litestar.store import StoreModelMixin
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

from api.db.engine import WRITING
from api.db.models import StaffAccount, StaffRole, StaffSession
from api.directory.keys import Scope, Staff
from api.directory.second_factor import enrolled
from api.directory.staff_accounts import SignedIn, staff_of
from web.staff.session_store import ConsoleSessionStore

__all__ = [
    "BEFORE_SECOND_FACTOR",
    "COOKIE",
    "IDLE_S",
    "PENDING_S",
    "SECOND_FACTOR_REQUIRED",
    "STORE",
    "Member",
    "SecondFactorMissing",
    "begin_pending",
    "begin_session",
    "current_member",
    "end_session",
    "pending_account",
    "register_store",
    "session_config",
    "session_data",
]

COOKIE = "puente_staff"
STORE = "staff-sessions"
IDLE_S = 30 * 60
"""A session unused for this long is over."""
FRESH_ID = "puente_staff_fresh_session"
PENDING_S = 5 * 60
"""How long after the password the code may come."""
SECOND_FACTOR_REQUIRED = frozenset({StaffRole.ADMIN})
"""Roles that may do nothing until they have a second factor."""
BEFORE_SECOND_FACTOR = "before_second_factor"
"""A handler whose ``opt`` carries this serves a member still to set up a required second
factor (the set-up pages themselves)."""


class SecondFactorMissing(PermissionDeniedException):
    """The member's role needs a second factor and none is set up (answered by sending the
    member to set one up)."""


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
    """Sessions in the database unless the registry already gives shared (Redis) stores.

    The store's writes begin as writers (SQLite: ``IMMEDIATE``), so a sign-in waits its turn
    behind another writer; its reads and renewals never wait (``ConsoleSessionStore``)."""
    if shared:
        return
    model = cast(type[StoreModelMixin], StaffSession)
    writing = SQLAlchemySyncConfig(
        engine_instance=database.get_engine().execution_options(**WRITING),
        session_config=database.session_config,
    )
    registry.register(STORE, ConsoleSessionStore(config=writing, model=model, namespace="staff"))


@dataclass(frozen=True, kw_only=True)
class Member:
    """The signed-in staff member of a request."""

    account_id: int
    name: str
    role: StaffRole
    staff: Staff
    email: str = ""
    second_factor: bool = False
    """The member signs in with a code as well as a password."""

    def may(self, scope: Scope) -> bool:
        return self.staff.allows(scope)

    def require(self, scope: Scope) -> None:
        if not self.may(scope):
            raise PermissionDeniedException(f"the {self.role} role may not do this")


def session_data(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The request's session data; empty when there is none or it was just cleared."""
    data = request.scope.get("session")
    return data if isinstance(data, dict) else {}


def begin_session(
    request: Request[Any, Any, Any],
    signed_in: SignedIn,
    *,
    now: datetime,
    second_factor: bool = False,
) -> None:
    """Replace whatever session the request had with a new one (a new id) for this account;
    ``second_factor`` says a code was given as well as the password."""
    request.scope.setdefault("state", {})[FRESH_ID] = True
    language = session_data(request).get("lang")
    request.set_session(
        {
            "account_id": signed_in.account_id,
            "since": now.isoformat(),
            "second_factor": second_factor,
            "lang": language,
            "nonce": secrets.token_hex(8),
        }
    )


def begin_pending(request: Request[Any, Any, Any], account_id: int, *, now: datetime) -> None:
    """The password was right and a code is still to come: a new session that only the
    code page accepts, for ``PENDING_S``."""
    request.scope.setdefault("state", {})[FRESH_ID] = True
    language = session_data(request).get("lang")
    request.set_session(
        {
            "pending_account_id": account_id,
            "pending_since": now.isoformat(),
            "lang": language,
            "nonce": secrets.token_hex(8),
        }
    )


def pending_account(request: Request[Any, Any, Any], *, now: datetime) -> int | None:
    """The account whose password was just given and whose code is awaited, if still in time."""
    data = session_data(request)
    account_id, since = data.get("pending_account_id"), data.get("pending_since")
    if not isinstance(account_id, int) or not isinstance(since, str):
        return None
    if (now - datetime.fromisoformat(since)).total_seconds() > PENDING_S:
        return None
    return account_id


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
    if enrolled(account) and data.get("second_factor") is not True:
        request.clear_session()  # begun before the second factor was set up
        raise NotAuthorizedException("sign in again with your code")
    role = StaffRole(account.role)
    if (
        role in SECOND_FACTOR_REQUIRED
        and not enrolled(account)
        and not request.route_handler.opt.get(BEFORE_SECOND_FACTOR)
    ):
        raise SecondFactorMissing("set up a second factor first")
    return Member(
        account_id=account_id,
        name=account.name,
        role=role,
        staff=staff_of(account),
        email=account.email,
        second_factor=enrolled(account),
    )
