"""``/staff/team`` (admins only): the staff with their role and last sign-in, one-time
invitation links, changing a role, deactivating; and ``/staff/invitations/{token}``, where
an invited person sets their password.

An invitation link is shown once, on the page that made it (``Cache-Control: no-store``,
like every console page); the database keeps only the token's hash. Every change is audited
under the admin's name, never with a password or a token.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect
from sqlmodel import Session, col, select

from api.db.models import StaffAccount, StaffInvitation, StaffRole, utcnow
from api.directory.audit import record
from api.directory.keys import Scope
from api.directory.staff_accounts import list_accounts
from api.directory.staff_invitations import (
    accept_invitation,
    find_invitation,
    invitation_path,
    invite,
)
from api.directory.staff_roles import change_role, deactivate
from api.settings import Settings
from web.staff.messages import translated
from web.staff.rendering import gettext_for, notify, render
from web.staff.sessions import Member

__all__ = [
    "accept",
    "change_member_role",
    "deactivate_member",
    "invitation",
    "invite_member",
    "team",
]

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _summary(account: StaffAccount) -> dict[str, Any]:
    """What the audit keeps of an account: never its password hash or second factor."""
    return {
        "email": account.email,
        "name": account.name,
        "role": str(account.role),
        "active": account.active,
    }


def _page(
    request: Request[Any, Any, Any],
    session: Session,
    member: Member,
    *,
    link: str | None = None,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response[str]:
    pending = session.exec(
        select(StaffInvitation)
        .where(col(StaffInvitation.used_at).is_(None), StaffInvitation.expires_at > utcnow())
        .order_by(col(StaffInvitation.created_at).desc())
    ).all()
    return render(
        request,
        "team.html",
        member=member,
        accounts=list_accounts(session),
        pending=pending,
        roles=[role.value for role in StaffRole],
        link=link,
        form=form or {"email": "", "name": "", "role": StaffRole.EDITOR.value},
        error=error,
        status=status,
    )


@get("/team", name="staff-team", include_in_schema=False, sync_to_thread=True)
def team(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    member: NamedDependency[Member],
) -> Response[str]:
    member.require(Scope.ADMIN)
    return _page(request, db_session, member)


def _link(request: Request[Any, Any, Any], settings: Settings, token: str) -> str:
    base = settings.public_base or str(request.base_url).rstrip("/")
    return base + invitation_path(token)


@post("/team/invite", name="staff-team-invite", include_in_schema=False, sync_to_thread=True)
def invite_member(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    member: NamedDependency[Member],
    data: Form,
) -> Response[str]:
    member.require(Scope.ADMIN)
    gettext = gettext_for(request)
    form = {name: str(data.get(name, "")).strip() for name in ("email", "name", "role")}
    try:
        invited = invite(
            db_session,
            email=form["email"],
            name=form["name"],
            role=form["role"],
            invited_by=member.name,
            now=utcnow(),
        )
    except ValueError as exc:
        db_session.rollback()
        return _page(
            request, db_session, member, form=form, error=translated(str(exc), gettext), status=400
        )
    record(
        db_session,
        actor=member.name,
        action="create",
        entity="staff_invitation",
        entity_id=invited.invitation.id,
        after={
            "email": invited.invitation.email,
            "name": invited.invitation.name,
            "role": str(invited.invitation.role),
        },
    )
    db_session.commit()
    return _page(request, db_session, member, link=_link(request, settings, invited.token))


@post(
    "/team/{account_id:int}/role",
    name="staff-team-role",
    include_in_schema=False,
    sync_to_thread=True,
    status_code=303,
)
def change_member_role(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    member: NamedDependency[Member],
    account_id: FromPath[int],
    data: Form,
) -> Response[Any]:
    member.require(Scope.ADMIN)
    gettext = gettext_for(request)
    try:
        account = db_session.get(StaffAccount, account_id)
        before = _summary(account) if account is not None else None
        account = change_role(db_session, account_id, str(data.get("role", "")))
    except LookupError:
        return _page(request, db_session, member, error=gettext("No such account."), status=404)
    except ValueError as exc:
        db_session.rollback()
        return _page(request, db_session, member, error=translated(str(exc), gettext), status=400)
    record(
        db_session,
        actor=member.name,
        action="update",
        entity="staff_account",
        entity_id=account_id,
        before=before,
        after=_summary(account),
    )
    db_session.commit()
    notify(request, gettext("The role is changed; it applies at once."))
    return Redirect("/staff/team", status_code=303)


@post(
    "/team/{account_id:int}/deactivate",
    name="staff-team-deactivate",
    include_in_schema=False,
    sync_to_thread=True,
    status_code=303,
)
def deactivate_member(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    member: NamedDependency[Member],
    account_id: FromPath[int],
) -> Response[Any]:
    member.require(Scope.ADMIN)
    gettext = gettext_for(request)
    try:
        account = db_session.get(StaffAccount, account_id)
        before = _summary(account) if account is not None else None
        account = deactivate(db_session, account_id, now=utcnow())
    except LookupError:
        return _page(request, db_session, member, error=gettext("No such account."), status=404)
    except ValueError as exc:
        db_session.rollback()
        return _page(request, db_session, member, error=translated(str(exc), gettext), status=400)
    record(
        db_session,
        actor=member.name,
        action="update",
        entity="staff_account",
        entity_id=account_id,
        before=before,
        after=_summary(account),
    )
    db_session.commit()
    notify(request, gettext("Deactivated: the account cannot sign in, and its sessions ended."))
    return Redirect("/staff/team", status_code=303)


@get(
    "/invitations/{token:str}",
    name="staff-invitation",
    include_in_schema=False,
    sync_to_thread=True,
)
def invitation(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    token: FromPath[str],
) -> Response[str]:
    found = find_invitation(db_session, token, now=utcnow())
    return render(
        request,
        "invitation.html",
        member=None,
        invitation=found,
        token=token,
        error=None,
        done=False,
        status=200 if found is not None else 404,
    )


@post(
    "/invitations/{token:str}",
    name="staff-invitation-accept",
    include_in_schema=False,
    sync_to_thread=True,
)
def accept(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    token: FromPath[str],
    data: Form,
) -> Response[str]:
    gettext = gettext_for(request)
    now = utcnow()
    found = find_invitation(db_session, token, now=now)
    password, again = str(data.get("password", "")), str(data.get("password_again", ""))
    error = None
    if found is not None and password != again:
        error = gettext("The two passwords differ.")
    elif found is not None:
        try:
            account = accept_invitation(db_session, token, password=password, now=now)
        except ValueError as exc:
            db_session.rollback()
            error = translated(str(exc), gettext)
        except LookupError:
            db_session.rollback()
            found = None
        else:
            record(
                db_session,
                actor=account.name,
                action="create",
                entity="staff_account",
                entity_id=account.id,
                after=_summary(account),
            )
            db_session.commit()
            return render(
                request,
                "invitation.html",
                member=None,
                invitation=None,
                token="",
                error=None,
                done=True,
            )
    return render(
        request,
        "invitation.html",
        member=None,
        invitation=found,
        token=token,
        error=error,
        done=False,
        status=404 if found is None else 400,
    )
