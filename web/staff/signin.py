"""``/staff/sign-in`` and ``/staff/sign-out``.

Failed attempts are counted for a quarter of an hour per account (the SHA-256 of the
email) and per client (the rate limiter's salted hash of its address; the address itself is
never stored); past either limit the password is not even checked. A successful sign-in
begins a new session with a new id.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect
from sqlmodel import Session

from api.db.models import utcnow
from api.directory.staff_accounts import SignedIn, check_password
from api.http.middleware.protection import ClientHasher
from web.staff.rendering import render
from web.staff.sessions import STORE, begin_session, end_session, session_data

__all__ = ["ACCOUNT_LIMIT", "CLIENT_LIMIT", "WINDOW_S", "sign_in", "sign_in_form", "sign_out"]

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


@post("/sign-in", name="staff-sign-in-send", include_in_schema=False, status_code=303)
async def sign_in(
    request: Request[Any, Any, Any], db_session: NamedDependency[Session], data: Form
) -> Response[Any]:
    email, password = data.get("email", ""), data.get("password", "")
    store = request.app.stores.get(STORE)
    keys = _keys(request, email)
    counts = [int(await store.get(key) or 0) for key, _ in keys]
    if any(count >= limit for count, (_, limit) in zip(counts, keys, strict=True)):
        return _form(request, email, failed=False, limited=True, status=429)

    def check() -> SignedIn | None:
        found = check_password(db_session, email, password, now=utcnow())
        db_session.commit()
        return found

    signed_in = await anyio.to_thread.run_sync(check)
    if signed_in is None:
        for count, (key, _) in zip(counts, keys, strict=True):
            await store.set(key, str(count + 1), expires_in=WINDOW_S)
        return _form(request, email, failed=True, limited=False, status=400)
    begin_session(request, signed_in, now=utcnow())
    return Redirect("/staff", status_code=303)


@post("/sign-out", name="staff-sign-out", include_in_schema=False, sync_to_thread=True)
def sign_out(request: Request[Any, Any, Any], db_session: NamedDependency[Session]) -> Redirect:
    end_session(request, db_session, now=utcnow())
    return Redirect("/staff/sign-in", status_code=303)
