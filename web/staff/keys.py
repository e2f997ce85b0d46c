"""``/staff/keys`` (admins only): API keys for partner programs — create (the key is shown
once, on the page that made it), list with their last use, revoke.

``api.directory.keys`` does the work, as ``puente keys`` does: only the key's first
characters and its SHA-256 are stored, and a revoked key stops working on its next request.
Creating and revoking are audited under the admin's name, never with the key.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect
from sqlmodel import Session

from api.db.models import ApiKey
from api.directory.audit import record
from api.directory.keys import Scope, create_key, list_keys, revoke_key
from web.staff.messages import translated
from web.staff.rendering import gettext_for, notify, render
from web.staff.sessions import Member

__all__ = ["create_api_key", "keys", "revoke_api_key"]

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
PARTNER_SCOPES = [scope for scope in Scope if scope != Scope.ADMIN]
"""What a partner program's key may be given; an admin key is made on the command line."""


def _page(
    request: Request[Any, Any, Any],
    session: Session,
    member: Member,
    *,
    secret: str | None = None,
    made: str | None = None,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response[str]:
    return render(
        request,
        "keys.html",
        member=member,
        keys=list_keys(session),
        scopes=[scope.value for scope in PARTNER_SCOPES],
        secret=secret,
        made=made,
        form=form or {"name": "", "scopes": []},
        error=error,
        status=status,
    )


@get("/keys", name="staff-keys", include_in_schema=False, sync_to_thread=True)
def keys(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    member: NamedDependency[Member],
) -> Response[str]:
    member.require(Scope.ADMIN)
    return _page(request, db_session, member)


def _scopes(data: dict[str, Any]) -> list[str]:
    value = data.get("scope", [])
    chosen = value if isinstance(value, list) else [value]
    return [str(scope) for scope in chosen if str(scope) in {s.value for s in PARTNER_SCOPES}]


@post("/keys", name="staff-keys-create", include_in_schema=False, sync_to_thread=True)
def create_api_key(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    member: NamedDependency[Member],
    data: Form,
) -> Response[str]:
    member.require(Scope.ADMIN)
    gettext = gettext_for(request)
    name = str(data.get("name", "")).strip()
    scopes = _scopes(data)
    form = {"name": name, "scopes": scopes}
    if not scopes:
        error = gettext("Choose at least one scope.")
        return _page(request, db_session, member, form=form, error=error, status=400)
    try:
        row, secret = create_key(db_session, name=name, scopes=scopes)
    except ValueError as exc:
        db_session.rollback()
        return _page(
            request, db_session, member, form=form, error=translated(str(exc), gettext), status=400
        )
    record(
        db_session,
        actor=member.name,
        action="create",
        entity="api_key",
        entity_id=row.id,
        after={"name": row.name, "prefix": row.prefix, "scopes": row.scopes},
    )
    db_session.commit()
    return _page(request, db_session, member, secret=secret, made=row.name)


@post(
    "/keys/{key_id:int}/revoke",
    name="staff-keys-revoke",
    include_in_schema=False,
    sync_to_thread=True,
    status_code=303,
)
def revoke_api_key(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    member: NamedDependency[Member],
    key_id: FromPath[int],
) -> Response[Any]:
    member.require(Scope.ADMIN)
    gettext = gettext_for(request)
    row = db_session.get(ApiKey, key_id)
    if row is None:
        return _page(request, db_session, member, error=gettext("No such key."), status=404)
    was_revoked = row.revoked_at is not None
    row = revoke_key(db_session, row.name)
    if not was_revoked:
        record(
            db_session,
            actor=member.name,
            action="delete",
            entity="api_key",
            entity_id=row.id,
            before={"name": row.name, "prefix": row.prefix, "scopes": row.scopes},
        )
    db_session.commit()
    notify(request, gettext("Revoked: the key no longer works."))
    return Redirect("/staff/keys", status_code=303)
