"""The staff console under ``/staff``: sign in, find and fix a listing, verify it, triage
problem reports, read its history — server-rendered, usable without JavaScript.

Everything hangs on one router, so its session and CSRF middleware touch only ``/staff``
paths. A request without a valid session is sent to the sign-in page (the redirect carries
no data); a member whose role lacks the scope gets 403; an admin without a second factor
is sent to set one up.
"""

from __future__ import annotations

from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemySyncConfig
from litestar import Request, Response, Router
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.response import Redirect
from litestar.stores.registry import StoreRegistry

from api.errors import NotFound
from api.http.routes.imports import RunImport
from api.settings import Settings
from web.staff.coverage import coverage, coverage_csv
from web.staff.csrf import csrf_middleware
from web.staff.editor import edit, restore, retire, save, verify
from web.staff.imports import import_pages
from web.staff.keys import create_api_key, keys, revoke_api_key
from web.staff.meetings import (
    cancel_meeting,
    create_meeting,
    edit_meeting,
    meetings,
    new_meeting,
    postpone_meeting,
    save_meeting,
)
from web.staff.pages import dashboard, listings, reports, resolve, resource_history
from web.staff.rendering import render
from web.staff.second_factor import code_form, enrol, enrolment, send_code, start
from web.staff.sessions import (
    STORE,
    SecondFactorMissing,
    current_member,
    register_store,
    session_config,
)
from web.staff.signin import sign_in, sign_in_form, sign_out
from web.staff.team import (
    accept,
    change_member_role,
    deactivate_member,
    invitation,
    invite_member,
    team,
)
from web.staff.writing import console_session, end_session_first

__all__ = ["staff_console"]


def _to_sign_in(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return Redirect("/staff/sign-in", status_code=303)


def _to_second_factor(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return Redirect("/staff/second-factor", status_code=303)


def _forbidden(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return render(request, "forbidden.html", member=None, status=403)


def _not_found(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return render(request, "not_found.html", member=None, status=404)


def staff_console(
    *,
    settings: Settings,
    database: SQLAlchemySyncConfig,
    stores: StoreRegistry,
    shared_stores: bool,
    secure: bool | None = None,
    run_import: RunImport | None = None,
    max_upload_bytes: int = 0,
) -> Router:
    """The console's router. Its cookies are ``Secure`` when the public URL is https (or
    ``secure`` says so)."""
    if secure is None:
        public_url = settings.public_url or ""
        secure = public_url.startswith("https://")
    register_store(stores, database=database, shared=shared_stores)
    sessions = session_config(secure=secure)
    return Router(
        "/staff",
        route_handlers=[
            sign_in_form,
            sign_in,
            sign_out,
            code_form,
            send_code,
            enrolment,
            start,
            enrol,
            dashboard,
            listings,
            edit,
            save,
            verify,
            retire,
            restore,
            reports,
            resolve,
            resource_history,
            meetings,
            new_meeting,
            create_meeting,
            edit_meeting,
            save_meeting,
            cancel_meeting,
            postpone_meeting,
            coverage,
            coverage_csv,
            team,
            invite_member,
            change_member_role,
            deactivate_member,
            invitation,
            accept,
            keys,
            create_api_key,
            revoke_api_key,
            *(
                import_pages(run_import=run_import, max_upload_bytes=max_upload_bytes)
                if run_import is not None
                else []
            ),
        ],
        dependencies={
            "db_session": console_session(database),
            "member": Provide(current_member, sync_to_thread=True),
        },
        middleware=[
            sessions.middleware,
            csrf_middleware(secure=secure, store=STORE),
            end_session_first(database),
        ],
        exception_handlers={
            NotAuthorizedException: _to_sign_in,
            SecondFactorMissing: _to_second_factor,
            PermissionDeniedException: _forbidden,
            NotFound: _not_found,
        },
        include_in_schema=False,
    )
