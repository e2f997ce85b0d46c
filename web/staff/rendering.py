"""Rendering a console page: the frame every page shares (language, navigation, the
signed-in member, the CSRF token for its forms, a one-time notice) around its template."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.enums import MediaType
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState

from web.i18n import ui_locale
from web.pages import page_state
from web.staff.i18n import console_locales, environment, request_language, staff_translations
from web.staff.sessions import Member

__all__ = ["gettext_for", "notify", "render"]

NOTICE = "notice"


def gettext_for(request: Request[Any, Any, Any]) -> Any:
    return staff_translations(request_language(request)).gettext


def _session(request: Request[Any, Any, Any]) -> dict[str, Any] | None:
    session = request.scope.get("session")
    return session if isinstance(session, dict) else None


def notify(request: Request[Any, Any, Any], message: str) -> None:
    """A notice shown once, on the next page this member sees (after a redirect)."""
    if (session := _session(request)) is not None and session:
        session[NOTICE] = message


def render(
    request: Request[Any, Any, Any],
    template: str,
    *,
    member: Member | None,
    status: int = 200,
    **context: Any,
) -> Response[str]:
    code = request_language(request)
    session = _session(request)
    notice = None
    if session:
        if request.query_params.get("lang") in console_locales():
            session["lang"] = code
        notice = session.pop(NOTICE, None)
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    languages = []
    for other in console_locales():
        name = ui_locale(other).name
        url = request.url.path + "?" + urlencode({**query, "lang": other})
        languages.append(
            {
                "code": other,
                "name": name[:1].upper() + name[1:],
                "url": url,
                "current": other == code,
            }
        )
    token = value_or_default(ScopeState.from_scope(request.scope).csrf_token, "")
    html = (
        environment(code)
        .get_template(f"staff/{template}")
        .render(
            ui=ui_locale(code),
            assets=page_state(request).assets,
            member=member,
            csrf_token=token,
            ui_languages=languages,
            notice=notice,
            path=request.url.path,
            **context,
        )
    )
    return Response(
        content=html,
        media_type=MediaType.HTML,
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )
