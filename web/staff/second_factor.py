"""The second factor in the console: the code step of signing in, and setting it up.

``/staff/sign-in/code`` takes the code after the password (the pending session
``web.staff.sessions.begin_pending`` began); a wrong code counts against the sign-in limits
like a wrong password. ``/staff/second-factor`` sets one up: a button draws a secret, the
page shows it with its ``otpauth://`` URI and a QR code (inline SVG, drawn here), and the
first right code puts it in use. From then on the secret is never shown again. An admin is
sent here before anything else until it is done.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
import segno
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect
from markupsafe import Markup
from sqlmodel import Session

from api.db.models import StaffAccount, StaffRole, utcnow
from api.directory.second_factor import (
    SecondFactorError,
    SecretUnreadable,
    check_code,
    confirm_enrolment,
    pending_secret,
    provisioning_uri,
    start_enrolment,
)
from api.directory.staff_accounts import SignedIn
from api.settings import Settings
from web.staff.rendering import gettext_for, notify, render
from web.staff.sessions import (
    BEFORE_SECOND_FACTOR,
    SECOND_FACTOR_REQUIRED,
    Member,
    begin_session,
    pending_account,
)
from web.staff.signin import failures

__all__ = ["code_form", "enrol", "enrolment", "send_code", "start"]

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
SET_UP = {BEFORE_SECOND_FACTOR: True}


def _signed_in(account: StaffAccount) -> SignedIn:
    assert account.id is not None
    return SignedIn(account_id=account.id, name=account.name, role=StaffRole(account.role))


@get("/sign-in/code", name="staff-sign-in-code", include_in_schema=False)
async def code_form(request: Request[Any, Any, Any]) -> Response[Any]:
    if pending_account(request, now=utcnow()) is None:
        return Redirect("/staff/sign-in", status_code=303)
    return render(request, "sign_in_code.html", member=None, problem=None)


@post("/sign-in/code", name="staff-sign-in-code-send", include_in_schema=False, status_code=303)
async def send_code(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    data: Form,
) -> Response[Any]:
    account_id = pending_account(request, now=utcnow())
    if account_id is None:
        return Redirect("/staff/sign-in", status_code=303)
    gettext = gettext_for(request)

    def read() -> tuple[str, SignedIn] | None:
        found = db_session.get(StaffAccount, account_id)
        account = (found.email, _signed_in(found)) if found and found.active else None
        db_session.commit()  # ends the transaction before the counters' store is used
        return account

    account = await anyio.to_thread.run_sync(read)
    if account is None:
        request.clear_session()
        return Redirect("/staff/sign-in", status_code=303)
    email, signed_in = account
    failed = await failures(request, email)
    if failed.limited:
        problem = gettext("Too many attempts. Wait a quarter of an hour and try again.")
        return render(request, "sign_in_code.html", member=None, problem=problem, status=429)

    def check() -> bool:
        taken = check_code(
            db_session, account_id, data.get("code", ""), key=settings.second_factor_key
        )
        db_session.commit()
        return taken

    try:
        taken = await anyio.to_thread.run_sync(check)
    except SecretUnreadable:
        db_session.rollback()
        problem = gettext(
            "Your second factor cannot be checked on this server. Ask an admin to reset it."
        )
        return render(request, "sign_in_code.html", member=None, problem=problem, status=400)
    if not taken:
        await failed.add_one(request)
        problem = gettext("That code is not right, or it was already used. Try the next one.")
        return render(request, "sign_in_code.html", member=None, problem=problem, status=400)
    begin_session(request, signed_in, now=utcnow(), second_factor=True)
    return Redirect("/staff", status_code=303)


def _enrolment_page(
    request: Request[Any, Any, Any],
    member: Member,
    settings: Settings,
    account: StaffAccount,
    *,
    problem: str | None = None,
    status: int = 200,
) -> Response[str]:
    gettext = gettext_for(request)
    secret = pending_secret(account, key=settings.second_factor_key)
    uri = provisioning_uri(secret, email=account.email) if secret else None
    qr = None
    if uri is not None:
        drawing = segno.make(uri, error="m").svg_inline(
            scale=4, title=gettext("QR code of the second factor"), dark="#000", light="#fff"
        )
        qr = Markup(drawing)  # noqa: S704 - drawn here from our own URI, no outside text
    return render(
        request,
        "second_factor.html",
        member=member,
        enrolled_since=account.totp_confirmed_at,
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) if secret else None,
        uri=uri,
        qr=qr,
        required=member.role in SECOND_FACTOR_REQUIRED,
        problem=problem,
        status=status,
    )


@get(
    "/second-factor",
    name="staff-second-factor",
    include_in_schema=False,
    sync_to_thread=True,
    opt=SET_UP,
)
def enrolment(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    member: NamedDependency[Member],
) -> Response[str]:
    account = db_session.get(StaffAccount, member.account_id)
    assert account is not None
    return _enrolment_page(request, member, settings, account)


@post(
    "/second-factor/start",
    name="staff-second-factor-start",
    include_in_schema=False,
    sync_to_thread=True,
    status_code=303,
    opt=SET_UP,
)
def start(
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    member: NamedDependency[Member],
) -> Redirect:
    try:
        start_enrolment(db_session, member.account_id, key=settings.second_factor_key)
    except SecondFactorError:
        db_session.rollback()  # already in use: the page says so
    else:
        db_session.commit()
    return Redirect("/staff/second-factor", status_code=303)


@post(
    "/second-factor/confirm",
    name="staff-second-factor-confirm",
    include_in_schema=False,
    status_code=303,
    opt=SET_UP,
)
async def enrol(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    member: NamedDependency[Member],
    data: Form,
) -> Response[Any]:
    gettext = gettext_for(request)
    await anyio.to_thread.run_sync(db_session.commit)  # the counters' store writes apart
    failed = await failures(request, member.email)

    def account() -> StaffAccount:
        found = db_session.get(StaffAccount, member.account_id)
        assert found is not None
        return found

    if failed.limited:
        problem = gettext("Too many attempts. Wait a quarter of an hour and try again.")
        return await anyio.to_thread.run_sync(
            lambda: _enrolment_page(
                request, member, settings, account(), problem=problem, status=429
            )
        )

    def confirm() -> bool:
        try:
            taken = confirm_enrolment(
                db_session, member.account_id, data.get("code", ""), key=settings.second_factor_key
            )
        except SecondFactorError:
            db_session.rollback()
            return False
        db_session.commit()
        return taken

    if not await anyio.to_thread.run_sync(confirm):
        await failed.add_one(request)
        problem = gettext("That code is not right. Type the code your app shows now.")
        return await anyio.to_thread.run_sync(
            lambda: _enrolment_page(
                request, member, settings, account(), problem=problem, status=400
            )
        )
    # Every other session of the account has ended; this one begins again, with a new id.
    signed_in = SignedIn(account_id=member.account_id, name=member.name, role=member.role)
    begin_session(request, signed_in, now=utcnow(), second_factor=True)
    notify(request, gettext("Your second factor is set up. Sign-in now asks for a code."))
    return Redirect("/staff", status_code=303)
