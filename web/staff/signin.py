"""``/staff/sign-in`` and ``/staff/sign-out``.

Failed attempts are counted for a quarter of an hour per account (the SHA-256 of the
email) and per client (the rate limiter's salted hash of its address; the address itself is
never stored); past either limit the password is not even checked. A successful sign-in
begins a new session with a new id; for an account with a second factor that session
waits for the code (``web.staff.second_factor``), whose wrong guesses count against the
same limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import anyio.to_thread
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect
from sqlmodel import Session

from api.db.models import StaffAccount, utcnow
from api.directory.second_factor import enrolled
from api.directory.staff_accounts import SignedIn, check_password
from api.http.middleware.protection import ClientHasher
from web.staff.rendering import render
from web.staff.sessions import STORE, begin_pending, begin_session, end_session, session_data

__all__ = [
    "ACCOUNT_LIMIT",
    "CLIENT_LIMIT",
    "WINDOW_S",
    "Failures",
    "failures",
    "sign_in",
    "sign_in_form",
    "sign_out",
]

ACCOUNT_LIMIT = 5
"""Failed sign-ins per account per window."""
CLIENT_LIMIT = 20
"""Failed sign-ins per client per window, whichever accounts they tried."""
WINDOW_S = 15 * 60
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


@get("/sign-in", name="staff-sign-in", include_in_schema=False)
async def sign_in_form(request: Request[Any, Any, Any]) -> Response[str]:
    return _form(request, "", failed=False, limited=False, status=200)


def _form(
    request: Request[Any, Any, Any], email: str, *, failed: bool, limited: bool, status: int
) -> Response[str]:
    if not session_data(request):
        request.clear_session()  # nothing is stored for someone who has not signed in
    return render(
        request,
        "sign_in.html",
        member=None,
        email=email,
        failed=failed,
        limited=limited,
        status=status,
    )


def _keys(request: Request[Any, Any, Any], email: str) -> list[tuple[str, int]]:
    """The failure counters of this account and this client, under keyed hashes (the key
    is never stored beside them)."""
    hasher = ClientHasher(hashing=request.app.state["hashing"])
    account = hasher.digest("account:" + email.strip().lower())
    return [
        (f"sign-in-failures:account:{account}", ACCOUNT_LIMIT),
        (f"sign-in-failures:client:{hasher.client(request)}", CLIENT_LIMIT),
    ]


async def failures(request: Request[Any, Any, Any], email: str) -> Failures:
    """The failed attempts (passwords and codes alike) counted for this account and client."""
    store = request.app.stores.get(STORE)
    keys = _keys(request, email)
    return Failures(counts=[(key, int(await store.get(key) or 0), limit) for key, limit in keys])


@dataclass(frozen=True, kw_only=True)
class Failures:
    counts: list[tuple[str, int, int]]

    @property
    def limited(self) -> bool:
        """Past either limit: nothing more is checked until the window has passed."""
        return any(count >= limit for _, count, limit in self.counts)

    async def add_one(self, request: Request[Any, Any, Any]) -> None:
        store = request.app.stores.get(STORE)
        for key, count, _ in self.counts:
            await store.set(key, str(count + 1), expires_in=WINDOW_S)


@post("/sign-in", name="staff-sign-in-send", include_in_schema=False, status_code=303)
async def sign_in(
    request: Request[Any, Any, Any], db_session: NamedDependency[Session], data: Form
) -> Response[Any]:
    email, password = data.get("email", ""), data.get("password", "")
    failed = await failures(request, email)
    if failed.limited:
        return _form(request, email, failed=False, limited=True, status=429)

    def check() -> tuple[SignedIn, bool] | None:
        found = check_password(db_session, email, password, now=utcnow())
        db_session.commit()
        if found is None:
            return None
        account = db_session.get(StaffAccount, found.account_id)
        return found, account is not None and enrolled(account)

    checked = await anyio.to_thread.run_sync(check)
    if checked is None:
        await failed.add_one(request)
        return _form(request, email, failed=True, limited=False, status=400)
    signed_in, needs_code = checked
    if needs_code:
        begin_pending(request, signed_in.account_id, now=utcnow())
        return Redirect("/staff/sign-in/code", status_code=303)
    begin_session(request, signed_in, now=utcnow())
    return Redirect("/staff", status_code=303)


@post("/sign-out", name="staff-sign-out", include_in_schema=False, sync_to_thread=True)
def sign_out(request: Request[Any, Any, Any], db_session: NamedDependency[Session]) -> Redirect:
    end_session(request, db_session, now=utcnow())
    return Redirect("/staff/sign-in", status_code=303)
